package io.reckon.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.reckon.protocol.Candidate;
import io.reckon.protocol.Continuation;
import io.reckon.protocol.GenerateRequest;
import io.reckon.protocol.ModelRequest;
import io.reckon.protocol.Outcome;
import io.reckon.protocol.ScoreRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class BestOfNTest {

  /**
   * Eight samples: X once with the best single score, Y three times with middling scores (the
   * largest sum), Z four times with poor scores (the most frequent). Each selection must pick a
   * different answer, so none of them can pass by accident.
   */
  private static final List<Continuation> SAMPLES =
      List.of(
          Hand.finished("x", "A: 11"),
          Hand.finished("y1", "A: 22"),
          Hand.finished("y2", "A: 22"),
          Hand.finished("y3", "A: 22"),
          Hand.finished("z1", "A: 33"),
          Hand.finished("z2", "A: 33"),
          Hand.finished("z3", "A: 33"),
          Hand.finished("z4", "A: 33"));

  /** The answer line carries the score (aggregation {@code last}). */
  private static final Function<List<String>, List<Double>> PRM =
      steps -> {
        String first = steps.get(0);
        double s = first.startsWith("x") ? 0.95 : first.startsWith("y") ? 0.4 : 0.1;
        return steps.stream().map(x -> s).toList();
      };

  private static Outcome run(String spec) {
    Hand hand = new Hand(Hand.create(spec, 8), r -> SAMPLES.subList(0, r.samples()), PRM);
    return hand.run();
  }

  @Test
  void weightedPicksLargestSumEvenAgainstTheSingleBestSample() {
    Outcome o = run("weighted-bon");
    assertThat(o.answer()).isEqualTo("22"); // 3 * 0.4 = 1.2 > 0.95 > 4 * 0.1
    assertThat(o.candidates()).hasSize(8);
  }

  @Test
  void naivePicksTheSingleBestSample() {
    assertThat(run("naive-bon").answer()).isEqualTo("11");
  }

  @Test
  void majorityPicksTheMostFrequentAnswerWithoutAskingTheVerifier() {
    Hand hand = new Hand(Hand.create("majority", 8), r -> SAMPLES, steps -> {
      throw new AssertionError("majority vote must not ask the verifier");
    });
    Outcome o = hand.run();
    assertThat(o.answer()).isEqualTo("33");
    assertThat(hand.rounds).hasSize(1);
    assertThat(o.candidates()).allSatisfy(c -> assertThat(c.scored()).isFalse());
  }

  @Test
  void emitsOneRequestForAllNSamplesThenOneScoreRequest() {
    Hand hand = new Hand(Hand.create("weighted-bon:temp=0.6", 8), r -> SAMPLES, PRM);
    hand.run();
    assertThat(hand.rounds).hasSize(2);
    GenerateRequest g = hand.generates(0).get(0);
    assertThat(hand.rounds.get(0)).containsExactly(g);
    assertThat(g.samples()).isEqualTo(8);
    assertThat(g.charge()).isEqualTo(8);
    assertThat(g.maxSteps()).isEqualTo(GenerateRequest.TO_END);
    assertThat(g.temperature()).isEqualTo(0.6);
    assertThat(g.prefix()).isEmpty();
    assertThat(g.attempts()).isEmpty();
    ScoreRequest s = hand.scores(1).get(0);
    assertThat(s.solutions()).isEqualTo(SAMPLES.stream().map(Continuation::steps).toList());
  }

  /** Three solutions whose scores are ordered differently by each aggregation. */
  private static final Map<String, Double> STEP_SCORES =
      Map.of(
          "a1", 0.9, "a2", 0.9, "A: 1", 0.6,
          "b1", 0.3, "b2", 0.95, "A: 2", 0.7,
          "c1", 0.65, "c2", 0.65, "A: 3", 0.65);

  private static Outcome runAggregation(String agg) {
    List<Continuation> rows =
        List.of(
            Hand.finished("a1", "a2", "A: 1"),
            Hand.finished("b1", "b2", "A: 2"),
            Hand.finished("c1", "c2", "A: 3"));
    return new Hand(Hand.create("naive-bon:agg=" + agg, 3), r -> rows,
        Hand.table(STEP_SCORES, Double.NaN)).run();
  }

  @Test
  void aggregationsGiveTheRightNumbersAndChangeTheWinner() {
    // a: last .6, min .6, prod .486; b: last .7, min .3, prod .1995; c: .65, .65, .274625
    Outcome last = runAggregation("last");
    Outcome min = runAggregation("min");
    Outcome prod = runAggregation("prod");
    assertThat(scores(last)).containsExactly(0.6, 0.7, 0.65);
    assertThat(scores(min)).containsExactly(0.6, 0.3, 0.65);
    assertThat(scores(prod).get(0)).isCloseTo(0.9 * 0.9 * 0.6, within(1e-12));
    assertThat(scores(prod).get(1)).isCloseTo(0.3 * 0.95 * 0.7, within(1e-12));
    assertThat(scores(prod).get(2)).isCloseTo(0.65 * 0.65 * 0.65, within(1e-12));
    assertThat(last.answer()).isEqualTo("2");
    assertThat(min.answer()).isEqualTo("3");
    assertThat(prod.answer()).isEqualTo("1");
    // the candidates keep every step's score, not just the aggregate
    assertThat(last.candidates().get(1).stepScores()).containsExactly(0.3, 0.95, 0.7);
    assertThat(last.candidates().get(1).steps()).containsExactly("b1", "b2", "A: 2");
    assertThat(last.candidates().get(1).answer()).isEqualTo("2");
    assertThat(last.strategy()).isEqualTo("best-of-n:sel=naive,agg=last");
    assertThat(prod.strategy()).isEqualTo("best-of-n:sel=naive,agg=prod");
  }

  private static List<Double> scores(Outcome o) {
    return o.candidates().stream().map(Candidate::score).toList();
  }

  @Test
  void answersAreExtractedAndComparedCanonically() {
    List<Continuation> rows =
        List.of(
            Hand.finished("p", "A: 007"),
            Hand.finished("q", "A:  7 "),
            Hand.finished("r", "A: 8"),
            Hand.open("s")); // never finished: no answer, cannot win however well it scores
    Map<String, Double> prm = Map.of("p", 0.3, "q", 0.3, "r", 0.5, "s", 0.99);
    Function<List<String>, List<Double>> byFirstStep =
        steps -> steps.stream().map(x -> prm.get(steps.get(0))).toList();
    Outcome o = new Hand(Hand.create("weighted-bon", 4), r -> rows, byFirstStep).run();
    assertThat(o.candidates().get(3).answer()).isNull();
    assertThat(o.candidates().get(1).answer()).isEqualTo("7");
    assertThat(o.answer()).isEqualTo("007"); // 007 and 7 are one answer: 0.6 > 0.5
    Outcome naive = new Hand(Hand.create("naive-bon", 4), r -> rows, byFirstStep).run();
    assertThat(naive.answer()).isEqualTo("8");
  }

  @Test
  void raisedGrantBuysMoreSamplesAtTheNextRound() {
    SearchStrategy s = Hand.create("weighted-bon", 4);
    Hand hand = new Hand(s, r -> SAMPLES.subList(0, r.samples()), PRM);
    List<ModelRequest> first = s.start();
    s.raiseGrant(7);
    List<ModelRequest> second = hand.answer(first.get(0));
    assertThat(second).hasSize(2);
    assertThat(second.get(0)).isInstanceOf(ScoreRequest.class);
    GenerateRequest more = (GenerateRequest) second.get(1);
    assertThat(more.samples()).isEqualTo(3);
    assertThat(more.charge()).isEqualTo(3);
    List<ModelRequest> pending = new ArrayList<>(second);
    while (!pending.isEmpty()) {
      List<ModelRequest> next = new ArrayList<>();
      for (ModelRequest r : pending) {
        next.addAll(hand.answer(r));
      }
      pending = next;
    }
    Outcome o = s.outcome();
    assertThat(o.granted()).isEqualTo(7);
    assertThat(o.compute().generations()).isEqualTo(7);
    assertThat(o.candidates()).hasSize(7).allSatisfy(c -> assertThat(c.scored()).isTrue());
  }

  @Test
  void carriedCandidatesJoinTheSelectionButAreNotCharged() {
    Candidate probe = new Candidate(List.of("A: 11"), "11", List.of(0.9), 0.9, 0, "probe");
    StrategyContext ctx = new StrategyContext(Hand.Q, 2, 1L, List.of(probe, probe), 100);
    SearchStrategy s = StrategyConfig.parse("weighted-bon").create(ctx);
    // the strategy's own two samples say 22 with 0.4 each: the probe's 1.8 wins
    Hand hand = new Hand(s, r -> SAMPLES.subList(1, 1 + r.samples()), PRM);
    Outcome o = hand.run();
    assertThat(o.answer()).isEqualTo("11");
    assertThat(o.candidates()).hasSize(4).startsWith(probe, probe);
    assertThat(o.compute().generations()).isEqualTo(2);
    assertThat(hand.rounds.get(0).get(0).requestId()).isEqualTo(100);
  }

  /**
   * The math task: answers in \\boxed{} with steps between blank lines. The same half written
   * three ways (score 0.3 each, 0.9 together) beats the single 2 at 0.8 under weighted voting
   * and majority; under arithmetic's string keys the three would split and 2 would win.
   */
  @Test
  void mathAnswersWrittenDifferentlyVoteTogether() {
    List<Continuation> samples = List.of(
        Hand.finished("## Step 1: halve", "So $\\boxed{\\frac{1}{2}}$."),
        Hand.finished("## Step 1: divide", "Therefore, the final answer is: $\\boxed{0.5}$."),
        Hand.finished("## Step 1: guess", "\\boxed{2}"),
        Hand.finished("## Step 1: ratio", "\\boxed{\\dfrac12}"));
    Function<List<String>, List<Double>> prm = steps -> steps.stream()
        .map(x -> steps.get(steps.size() - 1).contains("{2}") ? 0.8 : 0.3).toList();
    for (String spec : List.of("weighted-bon", "majority")) {
      SearchStrategy math = StrategyConfig.parse(spec).create(
          StrategyContext.of(Hand.Q, 4, 42L, io.reckon.search.task.Tasks.MATH));
      Outcome o = new Hand(math, r -> samples.subList(0, r.samples()), prm).run();
      assertThat(o.answer()).as(spec).isEqualTo("\\frac{1}{2}");
      assertThat(o.candidates()).extracting(Candidate::answer)
          .containsExactly("\\frac{1}{2}", "0.5", "2", "\\dfrac12");
    }
    SearchStrategy arith = StrategyConfig.parse("weighted-bon").create(
        StrategyContext.of(Hand.Q, 4, 42L, io.reckon.search.task.Tasks.ARITH));
    // arith reads "A: ..." lines only: none of these solutions has an answer for it
    assertThat(new Hand(arith, r -> samples.subList(0, r.samples()), prm).run().answer()).isNull();
  }
}
