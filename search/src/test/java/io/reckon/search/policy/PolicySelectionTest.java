package io.reckon.search.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PolicySelectionTest {

  @Test
  void picksTheMostAccurateConfigurationPerBudgetAndSkipsOnesThatCannotRun() {
    // Two questions; "bon" is better at budget 1, "beam" at budget 4; "beam" cannot run at 1.
    double nan = Double.NaN;
    double[][][] correct = {
      {{1, 0}, {nan, 1}},
      {{0, 0}, {nan, 1}},
    };
    SweepTable t = new SweepTable(List.of("q1", "q2"), List.of("bon", "beam"), List.of(1, 4), correct);
    assertThat(PolicySelection.best(t, new int[] {0, 1})).containsExactly(0, 1);
  }

  @Test
  void crossValidationNeverSelectsOnTheFoldItReports() {
    int n = 10;
    int[] questions = IntStream.range(0, n).toArray();
    int[] fold = PolicySelection.folds(questions, 42);
    // Config 0 is right exactly on fold 0, config 1 exactly on fold 1. Selecting on one fold picks
    // the config that is wrong on the other, so an honest 2-fold CV reports 0; in-sample selection
    // would have reported 0.5 or more.
    double[][][] correct = new double[n][2][1];
    for (int q = 0; q < n; q++) {
      correct[q][0][0] = fold[q] == 0 ? 1 : 0;
      correct[q][1][0] = fold[q] == 1 ? 1 : 0;
    }
    SweepTable t = new SweepTable(
        IntStream.range(0, n).mapToObj(i -> "q" + i).toList(), List.of("a", "b"), List.of(1), correct);

    assertThat(PolicySelection.crossValidated(t, questions, 42)[0]).isEqualTo(0.0);
    double inSample = t.accuracy(questions, PolicySelection.best(t, questions)[0], 0);
    assertThat(inSample).isGreaterThanOrEqualTo(0.5);
  }

  @Test
  void foldsAreBalancedAndReproducible() {
    int[] questions = IntStream.range(100, 131).toArray();
    int[] a = PolicySelection.folds(questions, 3);
    assertThat(PolicySelection.folds(questions, 3)).containsExactly(a);
    assertThat(IntStream.of(a).sum()).isEqualTo(15); // 31 questions: 16 in fold 0, 15 in fold 1
  }

  @Test
  void crossValidatedAccuracyEqualsInSampleWhenOneConfigurationDominates() {
    double[][][] correct = new double[6][2][1];
    for (int q = 0; q < 6; q++) {
      correct[q][0][0] = q % 2; // 50 %
      correct[q][1][0] = 1; // 100 % everywhere
    }
    SweepTable t = new SweepTable(
        IntStream.range(0, 6).mapToObj(i -> "q" + i).toList(), List.of("a", "b"), List.of(1), correct);
    assertThat(PolicySelection.crossValidated(t, IntStream.range(0, 6).toArray(), 1)[0])
        .isCloseTo(1.0, within(1e-12));
  }
}
