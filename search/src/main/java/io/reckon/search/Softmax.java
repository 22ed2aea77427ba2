package io.reckon.search;

import java.util.List;
import java.util.SplittableRandom;

/** Softmax weights and the two ways the tree searches turn them into counts. */
final class Softmax {
  private Softmax() {}

  static double[] weights(List<Double> scores, double temperature) {
    double max = scores.stream().mapToDouble(Double::doubleValue).filter(Double::isFinite).max()
        .orElse(0.0);
    double[] w = new double[scores.size()];
    double sum = 0;
    for (int i = 0; i < w.length; i++) {
      double s = scores.get(i);
      w[i] = Double.isFinite(s) ? Math.exp((s - max) / temperature) : 0.0;
      sum += w[i];
    }
    for (int i = 0; i < w.length; i++) {
      w[i] = sum > 0 ? w[i] / sum : 1.0 / w.length;
    }
    return w;
  }

  /**
   * Deterministic shares of {@code total} that sum to it exactly (largest remainder): what REBASE
   * does with its width.
   */
  static int[] apportion(List<Double> scores, double temperature, int total) {
    double[] w = weights(scores, temperature);
    int[] counts = new int[w.length];
    double[] rest = new double[w.length];
    int given = 0;
    for (int i = 0; i < w.length; i++) {
      double exact = w[i] * total;
      counts[i] = (int) Math.floor(exact);
      rest[i] = exact - counts[i];
      given += counts[i];
    }
    while (given < total) {
      int best = 0;
      for (int i = 1; i < rest.length; i++) {
        if (rest[i] > rest[best]) {
          best = i;
        }
      }
      counts[best]++;
      rest[best] = -1;
      given++;
    }
    return counts;
  }

  /** Multinomial resampling of {@code total} draws, seeded through {@code random}. */
  static int[] resample(List<Double> scores, double temperature, int total, SplittableRandom random) {
    double[] w = weights(scores, temperature);
    int[] counts = new int[w.length];
    for (int d = 0; d < total; d++) {
      double u = random.nextDouble();
      int i = 0;
      double acc = w[0];
      while (u >= acc && i < w.length - 1) {
        acc += w[++i];
      }
      counts[i]++;
    }
    return counts;
  }
}
