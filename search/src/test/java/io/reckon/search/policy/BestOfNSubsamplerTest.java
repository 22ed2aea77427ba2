package io.reckon.search.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.reckon.protocol.Candidate;
import io.reckon.search.Aggregation;
import io.reckon.search.Selection;
import io.reckon.search.task.Tasks;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BestOfNSubsamplerTest {

  private static Candidate sample(String answer, double... stepScores) {
    List<Double> scores = new ArrayList<>();
    for (double s : stepScores) {
      scores.add(s);
    }
    return new Candidate(List.of("work", "A: " + answer), answer, scores,
        Aggregation.LAST.apply(scores), 0, "pool");
  }

  private static double expected(List<Candidate> pool, Selection sel, Aggregation agg, int n) {
    return BestOfNSubsampler.expectedCorrect(
        BestOfNSubsampler.asSeenBy(pool, sel, agg), "5", sel, n, 16, 7L, Tasks.ARITH);
  }

  @Test
  void majorityOfOneSampleIsRightAsOftenAsThePoolIs() {
    List<Candidate> pool = List.of(sample("5", 0.1), sample("7", 0.9), sample("5", 0.2), sample("8", 0.3));
    assertThat(expected(pool, Selection.MAJORITY, Aggregation.LAST, 1)).isEqualTo(0.5);
    assertThat(expected(pool, Selection.WEIGHTED, Aggregation.LAST, 1)).isEqualTo(0.5);
    assertThat(expected(pool, Selection.NAIVE, Aggregation.LAST, 1)).isEqualTo(0.5);
  }

  @Test
  void weightedAtTwoIsTheExactAverageOverAllSixPairs() {
    // Pairs of {5:.9, 5:.2, 7:.6, 8:.1}: {0,1} 5; {0,2} .9>.6 5; {0,3} 5; {1,2} .2<.6 7;
    // {1,3} .2>.1 5; {2,3} 7. Right in 4 of 6.
    List<Candidate> pool = List.of(sample("5", 0.9), sample("5", 0.2), sample("7", 0.6), sample("8", 0.1));
    assertThat(expected(pool, Selection.WEIGHTED, Aggregation.LAST, 2)).isCloseTo(4.0 / 6, within(1e-12));
    // naive: {0,*} right (3), {1,2} wrong, {1,3} right, {2,3} wrong
    assertThat(expected(pool, Selection.NAIVE, Aggregation.LAST, 2)).isCloseTo(4.0 / 6, within(1e-12));
    // majority without scores: pairs of different answers tie, and the tie goes to the first
    // candidate in pool order: {0,1} 5, {0,2} 5, {0,3} 5, {1,2} 5, {1,3} 5, {2,3} 7
    assertThat(expected(pool, Selection.MAJORITY, Aggregation.LAST, 2)).isCloseTo(5.0 / 6, within(1e-12));
  }

  @Test
  void aggregationDecidesWhichScoreTheSelectionReads() {
    // by last step the wrong answer wins, by min step the right one
    List<Candidate> pool = List.of(sample("5", 0.8, 0.5), sample("7", 0.1, 0.9));
    assertThat(expected(pool, Selection.NAIVE, Aggregation.LAST, 2)).isEqualTo(0.0);
    assertThat(expected(pool, Selection.NAIVE, Aggregation.MIN, 2)).isEqualTo(1.0);
    assertThat(expected(pool, Selection.NAIVE, Aggregation.PROD, 2)).isEqualTo(1.0);
  }

  @Test
  void aMajorityVoteSeesNoScores() {
    List<Candidate> seen = BestOfNSubsampler.asSeenBy(
        List.of(sample("5", 0.3, 0.4)), Selection.MAJORITY, Aggregation.LAST);
    assertThat(seen.get(0).scored()).isFalse();
    assertThat(seen.get(0).score()).isNaN();
    List<Candidate> prod = BestOfNSubsampler.asSeenBy(
        List.of(sample("5", 0.5, 0.4)), Selection.WEIGHTED, Aggregation.PROD);
    assertThat(prod.get(0).score()).isCloseTo(0.2, within(1e-12));
  }

  @Test
  void enumeratesWhenThereAreFewSubsetsAndSamplesOtherwise() {
    assertThat(BestOfNSubsampler.exhaustive(64, 1, 16)).isTrue();
    assertThat(BestOfNSubsampler.exhaustive(64, 63, 16)).isTrue();
    assertThat(BestOfNSubsampler.exhaustive(64, 64, 16)).isTrue();
    assertThat(BestOfNSubsampler.exhaustive(64, 2, 16)).isFalse();
    assertThat(BestOfNSubsampler.exhaustive(6, 3, 20)).isTrue(); // C(6,3) = 20
    assertThat(BestOfNSubsampler.exhaustive(6, 3, 19)).isFalse();
    assertThat(BestOfNSubsampler.allSubsets(5, 2)).hasSize(10);
    assertThat(BestOfNSubsampler.exhaustive(1000, 500, 16)).isFalse(); // no overflow
  }

  @Test
  void randomSubsetsAreSortedDistinctAndReproducible() {
    List<int[]> a = BestOfNSubsampler.randomSubsets(64, 8, 16, 11L);
    List<int[]> b = BestOfNSubsampler.randomSubsets(64, 8, 16, 11L);
    assertThat(a).hasSize(16);
    for (int i = 0; i < a.size(); i++) {
      assertThat(a.get(i)).containsExactly(b.get(i)).isSorted();
      Set<Integer> distinct = new HashSet<>();
      for (int x : a.get(i)) {
        distinct.add(x);
      }
      assertThat(distinct).hasSize(8);
    }
  }

  @Test
  void sampledEstimateIsCloseToTheExactExpectation() {
    List<Candidate> pool = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      pool.add(sample(i % 5 < 2 ? "5" : Integer.toString(6 + i % 3), 0.2 + 0.03 * i));
    }
    List<Candidate> seen = BestOfNSubsampler.asSeenBy(pool, Selection.WEIGHTED, Aggregation.LAST);
    double exact = BestOfNSubsampler.expectedCorrect(seen, "5", Selection.WEIGHTED, 3, 1140, 1L, Tasks.ARITH);
    double sampled = BestOfNSubsampler.expectedCorrect(seen, "5", Selection.WEIGHTED, 3, 600, 1L, Tasks.ARITH);
    assertThat(sampled).isCloseTo(exact, within(0.07));
  }

  @Test
  void subsetSizeMustFitThePool() {
    List<Candidate> pool = List.of(sample("5", 0.5));
    assertThatThrownBy(() -> BestOfNSubsampler.expectedCorrect(pool, "5", Selection.WEIGHTED, 2, 4, 0, Tasks.ARITH))
        .hasMessageContaining("between 1 and the pool size 1");
  }
}
