package io.reckon.search.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Intervals on compute-optimal must carry the noise of the choice itself: on a sweep where every
 * configuration is equally good and the "best" one is only the luckiest on the questions at hand,
 * re-selecting inside each resample gives a wider interval than holding the choices fixed.
 */
class ReselectionTest {

  private static SweepTable noisy(int questions, int configs, long seed) {
    Random rng = new Random(seed);
    double[][][] correct = new double[questions][configs][1];
    for (int q = 0; q < questions; q++) {
      for (int c = 0; c < configs; c++) {
        correct[q][c][0] = rng.nextDouble() < 0.5 ? 1 : 0;
      }
    }
    List<String> ids = new ArrayList<>();
    for (int q = 0; q < questions; q++) {
      ids.add("q" + q);
    }
    List<String> names = new ArrayList<>();
    for (int c = 0; c < configs; c++) {
      names.add("c" + c);
    }
    return new SweepTable(ids, names, List.of(8), correct);
  }

  @Test
  void reselectingInsideEachResampleWidensTheIntervalWhereSelectionIsNoisy() {
    int questions = 200;
    SweepTable table = noisy(questions, 12, 3);
    int[][] members = {new int[100], new int[100]};
    for (int q = 0; q < questions; q++) {
      members[q / 100][q % 100] = q;
    }
    Bootstrap.Interval reselected = Analysis.reselected(table, members, 1, 1000)[0];

    double[][] fixed = Analysis.crossValidatedPerQuestion(table, members, 1);
    double[] col = new double[questions];
    for (int q = 0; q < questions; q++) {
      col[q] = fixed[q][0];
    }
    int[] all = new int[questions];
    for (int q = 0; q < questions; q++) {
      all[q] = q;
    }
    Bootstrap.Interval held = new Bootstrap(1, 1000).interval(all, col);

    assertThat(reselected.value()).isEqualTo(held.value(), org.assertj.core.api.Assertions.within(1e-12));
    double wide = reselected.high() - reselected.low();
    double narrow = held.high() - held.low();
    assertThat(wide).isGreaterThan(narrow * 1.1);
    // and it still holds the truth (every configuration is right half the time)
    assertThat(reselected.low()).isLessThan(0.5);
    assertThat(reselected.high()).isGreaterThan(0.5);
  }

  @Test
  void whereOneConfigurationIsClearlyBestBothAgree() {
    int questions = 200;
    double[][][] correct = new double[questions][3][1];
    Random rng = new Random(9);
    for (int q = 0; q < questions; q++) {
      correct[q][0][0] = rng.nextDouble() < 0.9 ? 1 : 0; // clearly best
      correct[q][1][0] = rng.nextDouble() < 0.3 ? 1 : 0;
      correct[q][2][0] = rng.nextDouble() < 0.2 ? 1 : 0;
    }
    List<String> ids = new ArrayList<>();
    for (int q = 0; q < questions; q++) {
      ids.add("q" + q);
    }
    SweepTable table = new SweepTable(ids, List.of("a", "b", "c"), List.of(4), correct);
    int[] all = new int[questions];
    for (int q = 0; q < questions; q++) {
      all[q] = q;
    }
    Bootstrap.Interval reselected = Analysis.reselected(table, new int[][] {all}, 2, 500)[0];
    assertThat(reselected.low()).isGreaterThan(0.8);
    assertThat(reselected.high()).isLessThan(0.99);
    assertThat(reselected.high() - reselected.low()).isLessThan(0.12);
  }
}
