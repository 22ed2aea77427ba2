package io.reckon.runtime.synthetic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reckon.protocol.Continuation;
import io.reckon.protocol.GenerateReply;
import io.reckon.protocol.GenerateRequest;
import io.reckon.protocol.Question;
import io.reckon.protocol.ScoreReply;
import io.reckon.protocol.ScoreRequest;
import io.reckon.runtime.Dataset;
import io.reckon.runtime.PromptFormat;
import io.reckon.runtime.Repo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SyntheticReasonerTest {
  private static final SyntheticReasoner MODEL = new SyntheticReasoner();
  private static List<Question> validation;

  @BeforeAll
  static void load() {
    validation = Dataset.read(Repo.arith("validation.jsonl"));
  }

  private static GenerateRequest sample(
      long id, String question, List<List<String>> attempts, List<String> prefix, int samples,
      int maxSteps, double temperature, long seed) {
    return new GenerateRequest(id, "q" + id, question, attempts, prefix, samples, maxSteps,
        temperature, seed, samples);
  }

  private static GenerateRequest full(String question, int samples, long seed) {
    return sample(seed, question, List.of(), List.of(), samples, GenerateRequest.TO_END, 0.8, seed);
  }

  private static List<Question> level(Predicate<Integer> levels) {
    return validation.stream().filter(q -> levels.test(q.level())).toList();
  }

  private static String answer(Continuation c) {
    String last = c.steps().get(c.steps().size() - 1);
    return last.startsWith("A: ") ? last.substring(3) : null;
  }

  @Test
  void solutionsFollowTheTaskFormat() {
    GenerateReply r = MODEL.generate(List.of(full("37*4+129-56", 16, 1))).get(0);
    assertThat(r.continuations()).hasSize(16);
    int right = 0;
    for (Continuation c : r.continuations()) {
      assertThat(c.finished()).isTrue();
      assertThat(c.steps()).hasSize(4);
      assertThat(c.steps().subList(0, 3)).allSatisfy(s -> assertThat(Arithmetic.result(s)).isNotNull());
      assertThat(c.tokens()).isEqualTo(c.steps().stream().mapToInt(s -> s.length() + 1).sum());
      assertThat(c.logProb()).isNegative();
      if (c.steps().equals(Arithmetic.solve("37*4+129-56"))) {
        right++;
      }
    }
    assertThat(right).isBetween(4, 16); // mostly right on a level-3 question, not always
  }

  @Test
  void theSameRequestGivesTheSameReplyWhateverItsBatch() {
    GenerateRequest a = full("63*5-568+834", 4, 7);
    GenerateRequest b = full("98+98", 3, 8);
    List<GenerateReply> together = MODEL.generate(List.of(a, b));
    assertThat(together).containsExactly(
        MODEL.generate(List.of(a)).get(0), MODEL.generate(List.of(b)).get(0));
    ScoreRequest s1 = new ScoreRequest(1, "q", "2+3", List.of(List.of("2+3=5", "A: 5")));
    ScoreRequest s2 = new ScoreRequest(2, "r", "2*3", List.of(List.of("2*3=7", "A: 7"), List.of()));
    assertThat(MODEL.score(List.of(s1, s2)))
        .containsExactly(MODEL.score(List.of(s1)).get(0), MODEL.score(List.of(s2)).get(0));
  }

  @Test
  void samplesDependOnTheSeedButGreedyDecodingDoesNot() {
    String q = "440-353+14*16-768";
    List<List<String>> bySeed = new ArrayList<>();
    for (long seed = 0; seed < 8; seed++) {
      bySeed.add(MODEL.generate(List.of(full(q, 1, seed))).get(0).continuations().get(0).steps());
    }
    assertThat(bySeed.stream().distinct().count()).isGreaterThan(1);
    List<Continuation> greedy = new ArrayList<>();
    for (long seed = 0; seed < 4; seed++) {
      GenerateRequest g = sample(seed, q, List.of(), List.of("14*16=224"), 3, 2, 0.0, seed * 977);
      greedy.addAll(MODEL.generate(List.of(g)).get(0).continuations());
    }
    assertThat(greedy.stream().distinct().count()).isEqualTo(1);
    assertThat(greedy.get(0).steps()).hasSize(2);
    assertThat(greedy.get(0).finished()).isFalse();
  }

  @Test
  void continuesFromThePrefixTrustingItsClaims() {
    SyntheticReasoner perfect =
        new SyntheticReasoner(new SyntheticReasoner.Settings(1000, 0, 0, 0.7, 1.2, 1.0));
    GenerateRequest r = sample(1, "2*3+4", List.of(), List.of("2*3=7"), 2, GenerateRequest.TO_END, 0.8, 5);
    for (Continuation c : perfect.generate(List.of(r)).get(0).continuations()) {
      assertThat(c.steps()).containsExactly("7+4=11", "A: 11"); // the wrong step poisons the answer
      assertThat(c.finished()).isTrue();
    }
    GenerateRequest oneStep = sample(2, "2*3+4", List.of(), List.of(), 1, 1, 0.8, 5);
    Continuation c = perfect.generate(List.of(oneStep)).get(0).continuations().get(0);
    assertThat(c.steps()).containsExactly("2*3=6");
    assertThat(c.finished()).isFalse();
    assertThat(perfect.generate(List.of(full("2*3+4", 5, 3))).get(0).continuations())
        .allSatisfy(x -> assertThat(x.steps()).isEqualTo(Arithmetic.solve("2*3+4")));
  }

  /** Fraction of single samples that reach the right answer. */
  private static double passAt1(List<Question> questions, List<List<String>> attempts) {
    int right = 0;
    int total = 0;
    long id = 0;
    for (Question q : questions) {
      GenerateRequest r = sample(id++, q.text(), attempts, List.of(), 8, GenerateRequest.TO_END, 0.8, q.id().hashCode());
      for (Continuation c : MODEL.generate(List.of(r)).get(0).continuations()) {
        total++;
        if (q.answer().equals(answer(c))) {
          right++;
        }
      }
    }
    return (double) right / total;
  }

  @Test
  void harderLevelsErrMoreAndRevisionsErrLess() {
    double easy = passAt1(level(l -> l == 1), List.of());
    double medium = passAt1(level(l -> l == 3), List.of());
    double hard = passAt1(level(l -> l == 6), List.of());
    assertThat(easy).isGreaterThan(medium + 0.1);
    assertThat(medium).isGreaterThan(hard + 0.1);
    assertThat(hard).isGreaterThan(0.02); // hard, not hopeless
    double revised = passAt1(level(l -> l == 6), List.of(List.of("1+1=2", "A: 2")));
    assertThat(revised).isGreaterThan(hard + 0.03);
  }

  @Test
  void theVerifierScoresRightStepsHigherAndIsCausal() {
    double rightSum = 0;
    double wrongSum = 0;
    int rightCount = 0;
    int wrongCount = 0;
    for (Question q : level(l -> l == 4)) {
      GenerateReply g = MODEL.generate(List.of(full(q.text(), 4, q.id().hashCode()))).get(0);
      List<List<String>> solutions = g.continuations().stream().map(Continuation::steps).toList();
      ScoreReply s = MODEL.score(List.of(new ScoreRequest(1, q.id(), q.text(), solutions))).get(0);
      for (int i = 0; i < solutions.size(); i++) {
        List<String> steps = solutions.get(i);
        List<Double> scores = s.scores().get(i);
        assertThat(scores).hasSameSizeAs(steps).allSatisfy(x -> assertThat(x).isStrictlyBetween(0.0, 1.0));
        // causal: the scores of a prefix are a prefix of the scores
        List<List<String>> prefix = List.of(steps.subList(0, 2));
        assertThat(MODEL.score(List.of(new ScoreRequest(2, q.id(), q.text(), prefix))).get(0).scores().get(0))
            .isEqualTo(scores.subList(0, 2));
        boolean right = q.answer().equals(answer(g.continuations().get(i)));
        if (right) {
          rightSum += scores.get(scores.size() - 1);
          rightCount++;
        } else {
          wrongSum += scores.get(scores.size() - 1);
          wrongCount++;
        }
      }
    }
    assertThat(rightCount).isPositive();
    assertThat(wrongCount).isPositive();
    assertThat(rightSum / rightCount).isGreaterThan(wrongSum / wrongCount + 0.2);
  }

  @Test
  void weightedVotingOverMoreSamplesGetsMoreRight() {
    // what weighted best-of-N relies on (search/ tests the strategy itself): the PRM is
    // informative enough that summing last-step scores per answer improves with N
    List<Question> medium = level(l -> l == 3 || l == 4);
    double[] accuracy = new double[3];
    int[] ns = {1, 4, 16};
    for (int k = 0; k < 3; k++) {
      int right = 0;
      for (Question q : medium) {
        GenerateReply g = MODEL.generate(List.of(full(q.text(), ns[k], 31L * q.id().hashCode()))).get(0);
        List<List<String>> solutions = g.continuations().stream().map(Continuation::steps).toList();
        ScoreReply s = MODEL.score(List.of(new ScoreRequest(1, q.id(), q.text(), solutions))).get(0);
        Map<String, Double> votes = new LinkedHashMap<>();
        for (int i = 0; i < solutions.size(); i++) {
          String a = answer(g.continuations().get(i));
          List<Double> sc = s.scores().get(i);
          votes.merge(String.valueOf(a), sc.get(sc.size() - 1), Double::sum);
        }
        String best = votes.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        if (q.answer().equals(best)) {
          right++;
        }
      }
      accuracy[k] = (double) right / medium.size();
    }
    assertThat(accuracy[1]).as("N=4 vs N=1: %s", java.util.Arrays.toString(accuracy))
        .isGreaterThan(accuracy[0] + 0.05);
    assertThat(accuracy[2]).as("N=16 vs N=4: %s", java.util.Arrays.toString(accuracy))
        .isGreaterThan(accuracy[1] + 0.03);
  }

  @Test
  void computeIsCountedInTokensAndFlops() {
    GenerateRequest r = sample(1, "63*5-568+834", List.of(List.of("A: 1")), List.of("63*5=315"), 3,
        GenerateRequest.TO_END, 0.8, 9);
    GenerateReply g = MODEL.generate(List.of(r)).get(0);
    int prompt = PromptFormat.ARITH.prompt(r.question(), r.attempts(), r.prefix()).length();
    assertThat(g.promptTokens()).isEqualTo(3L * prompt);
    assertThat(g.generatedTokens()).isEqualTo(g.continuations().stream().mapToLong(Continuation::tokens).sum());
    assertThat(g.flops()).isEqualTo(2.0 * MODEL.parameters() * (g.promptTokens() + g.generatedTokens()));
    assertThat(g.requestId()).isEqualTo(1);

    List<List<String>> solutions = List.of(List.of("2+3=5", "A: 5"), List.of("A: 6"));
    ScoreReply s = MODEL.score(List.of(new ScoreRequest(4, "q", "2+3", solutions))).get(0);
    long tokens = solutions.stream()
        .mapToLong(x -> PromptFormat.ARITH.prompt("2+3", List.of(), x).length()).sum();
    assertThat(s.tokens()).isEqualTo(tokens);
    assertThat(s.flops()).isEqualTo(2.0 * MODEL.parameters() * tokens);
    assertThat(s.requestId()).isEqualTo(4);
  }

  @Test
  void onlyArithmeticQuestions() {
    assertThatThrownBy(() -> MODEL.generate(List.of(full("What is the capital of France?", 1, 1))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("only arithmetic questions")
        .hasMessageContaining("What is the capital of France?");
    assertThat(MODEL.name()).isEqualTo("synthetic");
  }
}
