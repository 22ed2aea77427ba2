package io.reckon.runtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.reckon.protocol.ScoreReply;
import io.reckon.protocol.ScoreRequest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The shipped PRM through ONNX Runtime: it prefers right steps, and batching changes nothing. */
class OnnxPrmTest {
  static OnnxPrm prm;

  @BeforeAll
  static void load() {
    prm = OnnxModels.loadVerifier(ShippedModels.dir(ShippedModels.PRM), OnnxSettings.DEFAULT.withIntraOpThreads(1));
  }

  @AfterAll
  static void close() {
    prm.close();
  }

  /** A question, a right solution, and a wrong one that goes astray at step {@code slip}. */
  record Case(String question, List<String> right, List<String> wrong, int slip) {}

  /** Wrong steps: an operation taken out of order (precedence ignored, a later term first). */
  static final List<Case> CASES =
      List.of(
          new Case("12*3+5", List.of("12*3=36", "36+5=41", "A: 41"), List.of("3+5=8", "12*8=96", "A: 96"), 0),
          new Case("8+5*3", List.of("5*3=15", "8+15=23", "A: 23"), List.of("8+5=13", "13*3=39", "A: 39"), 0),
          new Case("37*4+129-56", List.of("37*4=148", "148+129=277", "277-56=221", "A: 221"),
              List.of("129-56=73", "37*4=148", "148+73=221", "A: 221"), 0),
          new Case("63-9*4+20", List.of("9*4=36", "63-36=27", "27+20=47", "A: 47"),
              List.of("63-9=54", "54*4=216", "216+20=236", "A: 236"), 0),
          new Case("16+3*7+13", List.of("3*7=21", "16+21=37", "37+13=50", "A: 50"),
              List.of("16+3=19", "19*7=133", "133+13=146", "A: 146"), 0),
          new Case("14-8*5", List.of("8*5=40", "14-40=-26", "A: -26"), List.of("14-8=6", "6*5=30", "A: 30"), 0));

  /**
   * Wrong steps that look right: one slipped digit of a result, a swapped operator. The v2 PRM
   * (before issue 14) got 6 of these 9 wrong (it told a slipped digit from the right one in 21 of
   * 40 first steps); the v3 PRM reads its own LM's surprise at the slipped token (see its model
   * card). The wrong path stays consistent with its slip, as the policy's own mistakes do.
   */
  static final List<Case> SLIPS =
      List.of(
          new Case("22-15", List.of("22-15=7", "A: 7"), List.of("22+15=37", "A: 37"), 0),
          new Case("37*4+129-56", List.of("37*4=148"), List.of("37*4=138"), 0),
          new Case("12*3+5", List.of("12*3=36", "36+5=41", "A: 41"), List.of("12*3=46", "46+5=51", "A: 51"), 0),
          new Case("8+5*3", List.of("5*3=15", "8+15=23", "A: 23"), List.of("5*3=15", "8+15=33", "A: 33"), 1),
          new Case("63-9*4+20", List.of("9*4=36", "63-36=27", "27+20=47", "A: 47"),
              List.of("9*4=36", "63+36=99", "99+20=119", "A: 119"), 1),
          new Case("16+3*7+13", List.of("3*7=21", "16+21=37", "37+13=50", "A: 50"),
              List.of("3*7=24", "16+24=40", "40+13=53", "A: 53"), 0),
          new Case("14-8*5", List.of("8*5=40", "14-40=-26", "A: -26"), List.of("8*5=40", "14-40=-16", "A: -16"), 1),
          new Case("7*11", List.of("7*11=77", "A: 77"), List.of("7*11=87", "A: 87"), 0),
          new Case("31*6-558+758", List.of("31*6=186"), List.of("31*6=196"), 0));

  private static long id;

  static ScoreRequest request(String question, List<List<String>> solutions) {
    return new ScoreRequest(++id, "q-" + question, question, solutions);
  }

  @Test
  void rightStepsScoreHigherThanWrongOnes() {
    assertRightAboveWrong(CASES);
  }

  @Test
  void slippedDigitsAndSwappedOperatorsScoreLower() {
    assertRightAboveWrong(SLIPS);
  }

  private static void assertRightAboveWrong(List<Case> cases) {
    List<ScoreRequest> batch = new ArrayList<>();
    for (Case c : cases) {
      batch.add(request(c.question(), List.of(c.right(), c.wrong())));
    }
    List<ScoreReply> replies = prm.score(batch);
    for (int i = 0; i < cases.size(); i++) {
      Case c = cases.get(i);
      List<Double> right = replies.get(i).scores().get(0);
      List<Double> wrong = replies.get(i).scores().get(1);
      assertThat(right).hasSize(c.right().size()).allSatisfy(s -> assertThat(s).isBetween(0.0, 1.0));
      assertThat(wrong).hasSize(c.wrong().size());
      assertThat(wrong).allSatisfy(s -> assertThat(s).isBetween(0.0, 1.0));
      assertThat(right.get(c.slip()))
          .as("%s: right step '%s' vs wrong step '%s'", c.question(), c.right().get(c.slip()), c.wrong().get(c.slip()))
          .isGreaterThan(wrong.get(c.slip()));
    }
  }

  @Test
  void oneBatchScoresAsEachSolutionAlone() {
    List<ScoreRequest> batch = new ArrayList<>();
    for (Case c : CASES) {
      batch.add(request(c.question(), List.of(c.wrong(), c.right(), List.of(c.right().get(0)))));
    }
    List<ScoreReply> together = prm.score(batch);
    for (int i = 0; i < batch.size(); i++) {
      ScoreRequest r = batch.get(i);
      for (int s = 0; s < r.solutions().size(); s++) {
        List<Double> alone =
            prm.score(List.of(request(r.question(), List.of(r.solutions().get(s))))).get(0).scores().get(0);
        List<Double> inBatch = together.get(i).scores().get(s);
        assertThat(inBatch).hasSameSizeAs(alone);
        for (int j = 0; j < alone.size(); j++) {
          assertThat(inBatch.get(j)).isCloseTo(alone.get(j), within(1e-4));
        }
      }
    }
  }

  @Test
  void countsTokensAndFlops() {
    ScoreReply r = prm.score(List.of(request("12*3+5", List.of(List.of("12*3=36", "36+5=41"), List.of())))).get(0);
    long tokens = "Q: 12*3+5\n12*3=36\n36+5=41\n".length();
    assertThat(r.tokens()).isEqualTo(tokens);
    assertThat(r.flops()).isEqualTo(2.0 * prm.parameters() * tokens);
    assertThat(r.scores().get(1)).isEmpty();
  }

  @Test
  void stepsPastTheModelsWindowScoreZero() {
    List<String> steps = new ArrayList<>();
    for (int i = 0; i < prm.config().maxPositions() / 4; i++) {
      steps.add("1+1=2");
    }
    List<Double> scores = prm.score(List.of(request("1+1", List.of(steps)))).get(0).scores().get(0);
    assertThat(scores).hasSize(steps.size());
    assertThat(scores.get(scores.size() - 1)).isZero();
    assertThat(scores.get(0)).isPositive();
  }
}
