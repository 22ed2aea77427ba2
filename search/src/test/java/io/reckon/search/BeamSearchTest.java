package io.reckon.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reckon.protocol.Candidate;
import io.reckon.protocol.Continuation;
import io.reckon.protocol.GenerateRequest;
import io.reckon.protocol.Outcome;
import io.reckon.protocol.ScoreRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class BeamSearchTest {

  /**
   * Names each child after its parent's last step ({@code r} for the root): child j of
   * {@code r.3} is {@code r.3.j}. Children named in {@code finishing} write their answer line.
   */
  private static Function<GenerateRequest, List<Continuation>> tree(Map<String, String> finishing) {
    return r -> {
      String parent = r.prefix().isEmpty() ? "r" : r.prefix().get(r.prefix().size() - 1);
      List<Continuation> rows = new ArrayList<>();
      for (int j = 0; j < r.samples(); j++) {
        String child = parent + "." + j;
        String answer = finishing.get(child);
        rows.add(answer == null ? Hand.open(child) : Hand.finished(child, "A: " + answer));
      }
      return rows;
    };
  }

  private static List<List<String>> prefixes(List<GenerateRequest> requests) {
    return requests.stream().map(GenerateRequest::prefix).toList();
  }

  @Test
  void sortFinalsFalseKeepsTheFirstNToFinish() {
    // Three beams finish at once on 9 (0.4 each); the fourth goes on and all four of its
    // children finish on 4 (0.95 each). Sorted, the N = 4 finals are the four 4s; unsorted
    // (search-and-learn's recipe), the first four to finish: three 9s and one 4, and 9 wins the
    // weighted vote 1.2 to 0.95.
    Map<String, String> finishing = new HashMap<>(Map.of("r.0", "9", "r.1", "9", "r.2", "9"));
    for (int j = 0; j < 4; j++) {
      finishing.put("r.3." + j, "4");
    }
    Map<String, Double> prm = Map.of("A: 9", 0.4, "A: 4", 0.95, "r.3", 0.5);
    Outcome sorted = new Hand(Hand.create("beam:m=1", 4), tree(finishing), Hand.table(prm, 0.5)).run();
    Outcome unsorted = new Hand(Hand.create("beam:m=1,sort-finals=false", 4), tree(finishing),
        Hand.table(prm, 0.5)).run();
    assertThat(sorted.answer()).isEqualTo("4");
    assertThat(unsorted.answer()).isEqualTo("9");
    assertThat(StrategyConfig.parse("beam:m=1,sort-finals=false").name()).endsWith(",sort-finals=false");
  }

  @Test
  void keepsExactlyTheTopNOverMEachRoundAndFinishedBeamsLeaveThePool() {
    Map<String, Double> prm = new HashMap<>();
    double[] round0 = {0.1, 0.8, 0.3, 0.9, 0.5, 0.2, 0.7, 0.4};
    for (int i = 0; i < 8; i++) {
      prm.put("r." + i, round0[i]);
    }
    prm.putAll(Map.of(
        "r.3.0", 0.2, "r.3.1", 0.6, "r.1.0", 0.65, "r.1.1", 0.1,
        "r.6.1", 0.3, "r.4.0", 0.7, "r.4.1", 0.35));
    prm.put("A: 5", 0.99);
    prm.put("A: 6", 0.5);
    Map<String, String> finishing = new HashMap<>();
    finishing.put("r.6.0", "5"); // the best of round 1, but finished: it leaves the pool
    for (String p : List.of("r.4.0", "r.1.0", "r.3.1", "r.4.1")) {
      finishing.put(p + ".0", "6");
      finishing.put(p + ".1", "6");
    }
    Hand hand = new Hand(Hand.create("beam:m=2", 8), tree(finishing), Hand.table(prm, 0.5));
    Outcome o = hand.run();

    assertThat(hand.rounds).hasSize(6); // generate, score, x3
    GenerateRequest first = hand.generates(0).get(0);
    assertThat(hand.rounds.get(0)).hasSize(1);
    assertThat(first.samples()).isEqualTo(8);
    assertThat(first.maxSteps()).isEqualTo(1);
    assertThat(first.charge()).isEqualTo(8);
    assertThat(first.prefix()).isEmpty();
    assertThat(hand.scores(1).get(0).solutions()).hasSize(8);

    // round 1: the top 4 of 8, best first, each expanded with M = 2 one-step samples
    assertThat(prefixes(hand.generates(2)))
        .containsExactly(List.of("r.3"), List.of("r.1"), List.of("r.6"), List.of("r.4"));
    assertThat(hand.generates(2))
        .allSatisfy(g -> {
          assertThat(g.samples()).isEqualTo(2);
          assertThat(g.maxSteps()).isEqualTo(1);
          assertThat(g.charge()).isZero();
          assertThat(g.temperature()).isEqualTo(StrategyConfig.DEFAULT_TEMPERATURE);
        });

    // round 2: r.6.0 finished (and scored best); the top 4 of the 7 unfinished go on
    assertThat(prefixes(hand.generates(4)))
        .containsExactly(
            List.of("r.4", "r.4.0"), List.of("r.1", "r.1.0"), List.of("r.3", "r.3.1"),
            List.of("r.4", "r.4.1"));
    assertThat(hand.allGenerates())
        .noneMatch(g -> g.prefix().size() >= 2 && g.prefix().get(1).equals("r.6.0"));

    // 9 finished, at most N = 8 kept, the best first (sal's sort_completed)
    assertThat(o.candidates()).hasSize(8).allSatisfy(c -> assertThat(c.answer()).isNotNull());
    assertThat(o.candidates().get(0).steps()).containsExactly("r.6", "r.6.0", "A: 5");
    assertThat(o.candidates().get(0).score()).isEqualTo(0.99);
    // weighted over finals: 7 x 0.5 for 6 beats 0.99 for 5
    assertThat(o.answer()).isEqualTo("6");
    assertThat(o.compute().generations()).isEqualTo(8);
    assertThat(hand.allGenerates().stream().mapToInt(GenerateRequest::charge).sum()).isEqualTo(8);
  }

  /** Round 0 samples the steps of {@code firsts}; later rounds name children as {@link #tree}. */
  private static Function<GenerateRequest, List<Continuation>> firstSteps(String... firsts) {
    Function<GenerateRequest, List<Continuation>> rest = tree(Map.of());
    return r -> r.prefix().isEmpty()
        ? java.util.Arrays.stream(firsts).map(Hand::open).toList()
        : rest.apply(r);
  }

  @Test
  void identicalPartialSolutionsAreMergedBeforeTheTopNOverMAreKept() {
    // the two best first steps are one and the same prefix: without dedupe both slots go to it
    Map<String, Double> prm = Map.of("a", 0.9, "b", 0.5, "c", 0.4);
    Hand merged = new Hand(Hand.create("beam:m=2,rounds=2", 4),
        firstSteps("a", "a", "b", "c"), Hand.table(prm, 0.5));
    merged.run();
    assertThat(prefixes(merged.generates(2))).containsExactly(List.of("a"), List.of("b"));
    assertThat(merged.generates(2)).allSatisfy(g -> assertThat(g.samples()).isEqualTo(2));

    Hand plain = new Hand(Hand.create("beam:m=2,rounds=2,dedupe=false", 4),
        firstSteps("a", "a", "b", "c"), Hand.table(prm, 0.5));
    plain.run();
    assertThat(prefixes(plain.generates(2))).containsExactly(List.of("a"), List.of("a"));
  }

  @Test
  void theActivePoolIsRefilledToNWhenDuplicatesThinIt() {
    // all four first steps are the same prefix: one distinct beam left, and it gets all N children
    Hand hand = new Hand(Hand.create("beam:m=2,rounds=2", 4),
        firstSteps("a", "a", "a", "a"), Hand.table(Map.of(), 0.5));
    hand.run();
    assertThat(hand.generates(2)).singleElement().satisfies(g -> {
      assertThat(g.prefix()).containsExactly("a");
      assertThat(g.samples()).isEqualTo(4);
    });
    // three distinct beams for a top-4 of N = 8, m = 2: 8 children round-robin, 3 + 3 + 2
    assertThat(BeamSearch.refill(3, 8)).containsExactly(3, 3, 2);
    assertThat(BeamSearch.refill(4, 8)).containsExactly(2, 2, 2, 2);
  }

  @Test
  void theLastRoundGeneratesToTheEnd() {
    Hand hand = new Hand(Hand.create("beam:m=2,rounds=2", 4), tree(Map.of()), Hand.table(Map.of(), 0.5));
    hand.run();
    assertThat(hand.generates(0)).singleElement()
        .satisfies(g -> assertThat(g.maxSteps()).isEqualTo(1));
    assertThat(hand.generates(2))
        .allSatisfy(g -> assertThat(g.maxSteps()).isEqualTo(GenerateRequest.TO_END));
    Hand one = new Hand(Hand.create("beam:m=2,rounds=1", 4), tree(Map.of()), Hand.table(Map.of(), 0.5));
    one.run();
    assertThat(one.generates(0).get(0).maxSteps()).isEqualTo(GenerateRequest.TO_END);
  }

  @Test
  void stopsAfterMaxRoundsWithTheSurvivorsAsAnswerlessFinals() {
    Map<String, Double> prm = new HashMap<>();
    Hand hand = new Hand(Hand.create("beam:m=2,rounds=3", 4), tree(Map.of()), Hand.table(prm, 0.5));
    Outcome o = hand.run();
    assertThat(hand.rounds).hasSize(6); // 3 x (generate, score)
    assertThat(o.candidates()).hasSize(2).allSatisfy(c -> assertThat(c.answer()).isNull());
    assertThat(o.candidates()).allSatisfy(c -> assertThat(c.steps()).hasSize(3));
    assertThat(o.answer()).isNull();
  }

  @Test
  void lookaheadChargesNTimesKPlusOneAndScoresAtTheEndOfAGreedyRollout() {
    Map<String, Double> prm = new HashMap<>(Map.of(
        // own steps: r.0 and r.1 look best ...
        "r.0", 0.9, "r.1", 0.8, "r.2", 0.2, "r.3", 0.1,
        // ... but their rollouts end badly, while r.2's and r.3's end well
        "r.0.g2", 0.1, "r.1.g2", 0.2, "A: 9", 0.7, "r.3.g2", 0.6));
    Function<GenerateRequest, List<Continuation>> sampled =
        tree(Map.of("r.2.0", "5", "r.2.1", "5", "r.3.0", "5", "r.3.1", "7"));
    Function<GenerateRequest, List<Continuation>> proposer =
        r -> {
          if (r.temperature() > 0) {
            return sampled.apply(r);
          }
          String at = r.prefix().get(r.prefix().size() - 1);
          return List.of(at.equals("r.2")
              ? Hand.finished(at + ".g1", "A: 9") // a rollout may end early
              : Hand.open(at + ".g1", at + ".g2"));
        };
    Hand hand = new Hand(Hand.create("lookahead:k=2,m=2", 12), proposer, Hand.table(prm, 0.5));
    Outcome o = hand.run();

    GenerateRequest first = hand.generates(0).get(0);
    assertThat(first.samples()).isEqualTo(4); // N = 12 / (k+1)
    assertThat(first.charge()).isEqualTo(12); // N * (k+1)

    List<GenerateRequest> rollouts = hand.generates(1);
    assertThat(prefixes(rollouts))
        .containsExactly(List.of("r.0"), List.of("r.1"), List.of("r.2"), List.of("r.3"));
    assertThat(rollouts)
        .allSatisfy(g -> {
          assertThat(g.temperature()).isZero();
          assertThat(g.maxSteps()).isEqualTo(2);
          assertThat(g.samples()).isEqualTo(1);
          assertThat(g.charge()).isZero();
        });
    ScoreRequest scored = hand.scores(2).get(0);
    assertThat(scored.solutions())
        .containsExactly(
            List.of("r.0", "r.0.g1", "r.0.g2"),
            List.of("r.1", "r.1.g1", "r.1.g2"),
            List.of("r.2", "r.2.g1", "A: 9"),
            List.of("r.3", "r.3.g1", "r.3.g2"));

    // kept by the score at the end of the rollout; the rollout itself is not kept
    assertThat(prefixes(hand.generates(3))).containsExactly(List.of("r.2"), List.of("r.3"));
    assertThat(hand.generates(3)).allSatisfy(g -> assertThat(g.temperature()).isEqualTo(0.8));
    // all children finished: no rollouts for them, straight to the verifier
    assertThat(hand.rounds.get(4)).singleElement().isInstanceOf(ScoreRequest.class);
    assertThat(hand.rounds).hasSize(5);

    assertThat(o.compute().generations()).isEqualTo(12);
    assertThat(o.candidates()).extracting(Candidate::answer).containsExactly("5", "5", "5", "7");
    assertThat(o.answer()).isEqualTo("5");
  }

  @Test
  void lookaheadBudgetIsNTimesKPlusOne() {
    StrategyConfig c = StrategyConfig.parse("lookahead:k=3,m=2");
    SearchStrategy s = c.create(StrategyContext.of(Hand.Q, 16, 1));
    GenerateRequest first = (GenerateRequest) s.start().get(0);
    assertThat(first.samples()).isEqualTo(4);
    assertThat(first.charge()).isEqualTo(16);
    assertThatThrownBy(() -> c.create(StrategyContext.of(Hand.Q, 18, 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("k=3")
        .hasMessageContaining("multiple of 4");
  }

  @Test
  void sqrtWidthIsTheLargestDivisorNotAboveTheRoot() {
    assertThat(StrategyConfig.Beam.sqrtWidth(16)).isEqualTo(4);
    assertThat(StrategyConfig.Beam.sqrtWidth(12)).isEqualTo(3);
    assertThat(StrategyConfig.Beam.sqrtWidth(7)).isEqualTo(1);
    assertThat(StrategyConfig.Beam.sqrtWidth(1)).isEqualTo(1);
    BeamSearch b = (BeamSearch) Hand.create("beam:m=sqrt", 36);
    assertThat(b.beams()).isEqualTo(36);
    assertThat(b.width()).isEqualTo(6);
    assertThat(Set.of(((BeamSearch) Hand.create("lookahead:k=1,m=sqrt", 18)).width())).containsExactly(3);
  }
}
