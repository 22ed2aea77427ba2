package io.reckon.search.policy;

import java.util.List;
import java.util.PriorityQueue;

/**
 * Shares a pool of generations among questions so that the summed expected accuracy is as high
 * as possible: each unit goes to the question whose curve gains the most per generation from it.
 * On concave curves (use {@link AccuracyCurve#concave()}) this greedy choice is optimal, because
 * every question's marginal gain only falls as it gets more.
 */
public final class WaterFilling {
  private WaterFilling() {}

  /**
   * @param curves each question's expected accuracy vs. budget
   * @param start what each question already holds (it keeps at least that)
   * @param pool generations to share out
   * @param cap no question is given more than this in total
   * @return each question's new total; the pool is left partly unspent only when no question gains
   */
  public static int[] allocate(List<AccuracyCurve> curves, int[] start, int pool, int cap) {
    if (curves.size() != start.length) {
      throw new IllegalArgumentException(
          curves.size() + " curves but " + start.length + " starting budgets");
    }
    if (pool < 0) {
      throw new IllegalArgumentException("pool must be >= 0, got " + pool);
    }
    int[] held = start.clone();
    // Highest marginal gain first; ties to the lower index so that the plan is deterministic.
    PriorityQueue<double[]> queue =
        new PriorityQueue<>((a, b) -> a[0] != b[0] ? Double.compare(b[0], a[0]) : Double.compare(a[1], b[1]));
    for (int i = 0; i < held.length; i++) {
      offer(queue, curves.get(i), held, i, cap);
    }
    int left = pool;
    while (left > 0 && !queue.isEmpty()) {
      int i = (int) queue.poll()[1];
      held[i]++;
      left--;
      offer(queue, curves.get(i), held, i, cap);
    }
    return held;
  }

  private static void offer(
      PriorityQueue<double[]> queue, AccuracyCurve curve, int[] held, int i, int cap) {
    if (held[i] >= cap) {
      return;
    }
    double gain = curve.at(held[i] + 1) - curve.at(held[i]);
    if (gain > 1e-12) {
      queue.add(new double[] {gain, i});
    }
  }

  /** Summed expected accuracy of an allocation. */
  public static double value(List<AccuracyCurve> curves, int[] budgets) {
    double v = 0;
    for (int i = 0; i < budgets.length; i++) {
      v += curves.get(i).at(budgets[i]);
    }
    return v;
  }
}
