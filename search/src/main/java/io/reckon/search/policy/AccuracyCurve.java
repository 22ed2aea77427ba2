package io.reckon.search.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * Expected accuracy as a function of budget (generations), measured at a few budgets and
 * linear in between; flat past the last point. {@link #concave()} gives its upper concave
 * envelope: the curve the allocator plans on, since a measured curve is noisy and greedy
 * water-filling is optimal only on concave curves.
 *
 * @param budgets strictly ascending budgets, the first may be 0
 * @param accuracy the accuracy measured at each budget
 */
public record AccuracyCurve(List<Integer> budgets, List<Double> accuracy) {

  public AccuracyCurve {
    budgets = List.copyOf(budgets);
    accuracy = List.copyOf(accuracy);
    if (budgets.isEmpty() || budgets.size() != accuracy.size()) {
      throw new IllegalArgumentException(
          "a curve needs as many accuracies as budgets (and at least one): "
              + budgets.size() + " budgets, " + accuracy.size() + " accuracies");
    }
    for (int i = 0; i < budgets.size(); i++) {
      if (budgets.get(i) < 0 || (i > 0 && budgets.get(i) <= budgets.get(i - 1))) {
        throw new IllegalArgumentException("curve budgets must be >= 0 and strictly ascending: " + budgets);
      }
    }
  }

  /** Accuracy at any budget: 0 below the first point when it is above 0, flat past the last. */
  public double at(double budget) {
    int n = budgets.size();
    if (budget >= budgets.get(n - 1)) {
      return accuracy.get(n - 1);
    }
    if (budget <= budgets.get(0)) {
      if (budgets.get(0) == 0) {
        return accuracy.get(0);
      }
      // No generation, no answer: the curve starts at the origin.
      return budget <= 0 ? 0.0 : accuracy.get(0) * budget / budgets.get(0);
    }
    for (int i = 1; i < n; i++) {
      if (budget <= budgets.get(i)) {
        double b0 = budgets.get(i - 1);
        double b1 = budgets.get(i);
        return accuracy.get(i - 1) + (accuracy.get(i) - accuracy.get(i - 1)) * (budget - b0) / (b1 - b0);
      }
    }
    throw new IllegalStateException("unreachable");
  }

  /**
   * The upper concave envelope through (0, 0) and the measured points, non-decreasing (extra
   * budget may go unused, so accuracy never has to fall with budget).
   */
  public AccuracyCurve concave() {
    List<double[]> pts = new ArrayList<>();
    if (budgets.get(0) > 0) {
      pts.add(new double[] {0, 0});
    }
    double running = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < budgets.size(); i++) {
      running = Math.max(running, accuracy.get(i));
      pts.add(new double[] {budgets.get(i), running});
    }
    List<double[]> hull = new ArrayList<>();
    for (double[] p : pts) {
      while (hull.size() >= 2 && !rightTurn(hull.get(hull.size() - 2), hull.get(hull.size() - 1), p)) {
        hull.remove(hull.size() - 1);
      }
      hull.add(p);
    }
    // Keep every measured budget as a breakpoint so that plans land on budgets that were measured.
    List<Integer> bs = new ArrayList<>();
    List<Double> as = new ArrayList<>();
    AccuracyCurve envelope = fromPoints(hull);
    for (double[] p : pts) {
      bs.add((int) p[0]);
      as.add(envelope.at(p[0]));
    }
    return new AccuracyCurve(bs, as);
  }

  private static AccuracyCurve fromPoints(List<double[]> pts) {
    List<Integer> bs = new ArrayList<>();
    List<Double> as = new ArrayList<>();
    for (double[] p : pts) {
      bs.add((int) p[0]);
      as.add(p[1]);
    }
    return new AccuracyCurve(bs, as);
  }

  /** True when b lies strictly above the chord from a to c (the hull stays concave). */
  private static boolean rightTurn(double[] a, double[] b, double[] c) {
    double cross = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
    return cross < 0;
  }
}
