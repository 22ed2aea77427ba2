package io.reckon.search.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WaterFillingTest {

  /** A curve from parallel arrays (also used by GainAllocationTest). */
  static AccuracyCurve curve(int[] budgets, double[] acc) {
    List<Integer> b = new ArrayList<>();
    List<Double> a = new ArrayList<>();
    for (int i = 0; i < budgets.length; i++) {
      b.add(budgets[i]);
      a.add(acc[i]);
    }
    return new AccuracyCurve(b, a);
  }

  /**
   * Three random rising curves at budgets 1, 2, 4, 8, 16, not yet concave (also used by
   * GainAllocationTest).
   */
  static List<AccuracyCurve> randomRisingCurves(SplittableRandom random) {
    List<AccuracyCurve> curves = new ArrayList<>();
    for (int q = 0; q < 3; q++) {
      double[] acc = new double[5];
      double level = 0;
      for (int i = 0; i < acc.length; i++) {
        level += random.nextDouble() * 0.3;
        acc[i] = Math.min(1, level);
      }
      curves.add(curve(new int[] {1, 2, 4, 8, 16}, acc));
    }
    return curves;
  }

  /** The best total accuracy of three curves over every split of {@code pool}, each at most {@code cap}. */
  static double bruteForceBest(List<AccuracyCurve> curves, int pool, int cap) {
    double best = 0;
    for (int a = 0; a <= Math.min(pool, cap); a++) {
      for (int b = 0; a + b <= pool && b <= cap; b++) {
        int c = Math.min(cap, pool - a - b);
        best = Math.max(best, curves.get(0).at(a) + curves.get(1).at(b) + curves.get(2).at(c));
      }
    }
    return best;
  }

  @Test
  void budgetGoesWhereItGainsMostPerGeneration() {
    // Easy: saturated at 1 generation. Medium: gains steadily up to 8. Hopeless: never gains.
    AccuracyCurve easy = curve(new int[] {1, 8}, new double[] {0.95, 0.96});
    AccuracyCurve medium = curve(new int[] {1, 8}, new double[] {0.30, 0.90});
    AccuracyCurve hopeless = curve(new int[] {1, 8}, new double[] {0.0, 0.0});

    int[] plan = WaterFilling.allocate(List.of(easy, medium, hopeless), new int[] {1, 1, 1}, 7, 64);

    // The known optimum: all 7 to the medium question (slope 0.6/7 per generation beats 0.01/7).
    assertThat(plan).containsExactly(1, 8, 1);
  }

  @Test
  void greedyMatchesBruteForceOnRandomConcaveCurves() {
    SplittableRandom random = new SplittableRandom(7);
    for (int trial = 0; trial < 200; trial++) {
      List<AccuracyCurve> curves =
          randomRisingCurves(random).stream().map(AccuracyCurve::concave).toList();
      int pool = random.nextInt(20);
      int[] plan = WaterFilling.allocate(curves, new int[] {0, 0, 0}, pool, 16);

      double best = bruteForceBest(curves, pool, 16);
      assertThat(plan[0] + plan[1] + plan[2]).isLessThanOrEqualTo(pool);
      assertThat(WaterFilling.value(curves, plan)).isCloseTo(best, within(1e-9));
    }
  }

  @Test
  void respectsTheCapAndWhatQuestionsAlreadyHold() {
    AccuracyCurve steep = curve(new int[] {0, 100}, new double[] {0, 1});
    int[] plan = WaterFilling.allocate(List.of(steep, steep), new int[] {5, 0}, 30, 12);
    assertThat(plan).containsExactly(12, 12);
  }

  @Test
  void concaveEnvelopeLiesOnOrAboveTheMeasuredCurve() {
    AccuracyCurve noisy = curve(new int[] {1, 2, 4, 8}, new double[] {0.2, 0.25, 0.7, 0.65});
    AccuracyCurve hull = noisy.concave();
    for (int b = 0; b <= 8; b++) {
      assertThat(hull.at(b)).isGreaterThanOrEqualTo(noisy.at(b) - 1e-12);
    }
    double previousSlope = Double.POSITIVE_INFINITY;
    for (int b = 0; b < 8; b++) {
      double slope = hull.at(b + 1) - hull.at(b);
      assertThat(slope).isLessThanOrEqualTo(previousSlope + 1e-12).isGreaterThanOrEqualTo(-1e-12);
      previousSlope = slope;
    }
    assertThat(hull.at(8)).isCloseTo(0.7, within(1e-12)); // never falls with budget
  }
}
