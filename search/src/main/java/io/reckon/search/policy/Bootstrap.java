package io.reckon.search.policy;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

/**
 * 95 % percentile-bootstrap intervals over questions, seeded: every resample draws the same
 * number of questions with replacement, and a statistic is recomputed on each. Statistics that a
 * resample cannot define (NaN) are left out of the percentiles.
 */
public final class Bootstrap {
  public static final int DEFAULT_RESAMPLES = 1000;

  private final long seed;
  private final int resamples;

  public Bootstrap(long seed, int resamples) {
    if (resamples < 10) {
      throw new IllegalArgumentException("a bootstrap needs at least 10 resamples, got " + resamples);
    }
    this.seed = seed;
    this.resamples = resamples;
  }

  /** A point estimate and its 95 % interval; all null where nothing was measured. */
  public record Interval(Double value, Double low, Double high) {
    public static final Interval NONE = new Interval(null, null, null);

    /** The interval holds 0: a difference that is not distinguishable from 0. */
    public boolean includesZero() {
      return low != null && high != null && low <= 0 && high >= 0;
    }

    public Interval times(double f) {
      return new Interval(value == null ? null : value * f, low == null ? null : low * f,
          high == null ? null : high * f);
    }
  }

  /**
   * The statistic on the questions {@code items} (indices into whatever the statistic reads),
   * with its interval over resamples of them.
   *
   * @param statistic reads a resample of {@code items} (same length, with repeats)
   */
  public Interval of(int[] items, ToDoubleFunction<int[]> statistic) {
    double point = items.length == 0 ? Double.NaN : statistic.applyAsDouble(items);
    if (Double.isNaN(point)) {
      return Interval.NONE;
    }
    SplittableRandom random = new SplittableRandom(seed);
    double[] values = new double[resamples];
    int kept = 0;
    int[] draw = new int[items.length];
    for (int r = 0; r < resamples; r++) {
      for (int i = 0; i < draw.length; i++) {
        draw[i] = items[random.nextInt(items.length)];
      }
      double v = statistic.applyAsDouble(draw);
      if (!Double.isNaN(v)) {
        values[kept++] = v;
      }
    }
    if (kept == 0) {
      return new Interval(point, null, null);
    }
    double[] sorted = Arrays.copyOf(values, kept);
    Arrays.sort(sorted);
    return new Interval(point, percentile(sorted, 0.025), percentile(sorted, 0.975));
  }

  /** The mean of {@code values} over the questions {@code items}, NaN entries left out. */
  public Interval interval(int[] items, double[] values) {
    return of(items, draw -> mean(draw, values));
  }

  /** The paired mean difference a − b over the questions {@code items}. */
  public Interval difference(int[] items, double[] a, double[] b) {
    return of(items, draw -> mean(draw, a) - mean(draw, b));
  }

  public static double mean(int[] items, double[] values) {
    double sum = 0;
    int n = 0;
    for (int q : items) {
      if (!Double.isNaN(values[q])) {
        sum += values[q];
        n++;
      }
    }
    return n == 0 ? Double.NaN : sum / n;
  }

  private static double percentile(double[] sorted, double p) {
    double pos = p * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  }
}
