package io.reckon.search.policy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Quantile bins of difficulty, as in the paper: thresholds learned on a validation split cut a
 * score where higher means easier (oracle: pass@1; predicted: the probe's mean final PRM score)
 * into equally populated bins. Bin 1 is the easiest, bin {@code count} the hardest.
 *
 * @param thresholds ascending cut points; {@code count() = thresholds.size() + 1}
 */
public record DifficultyBins(List<Double> thresholds) {

  public DifficultyBins {
    thresholds = List.copyOf(thresholds);
    for (int i = 1; i < thresholds.size(); i++) {
      if (thresholds.get(i) < thresholds.get(i - 1)) {
        throw new IllegalArgumentException(
            "difficulty thresholds must be ascending, got " + thresholds);
      }
    }
    for (double t : thresholds) {
      if (!Double.isFinite(t)) {
        throw new IllegalArgumentException("difficulty thresholds must be finite, got " + thresholds);
      }
    }
  }

  /** Learns {@code count} bins from validation scores (higher = easier). */
  public static DifficultyBins learn(double[] scores, int count) {
    if (count < 1) {
      throw new IllegalArgumentException("bin count must be >= 1, got " + count);
    }
    if (scores.length < count) {
      throw new IllegalArgumentException(
          "need at least " + count + " scores to learn " + count + " bins, got " + scores.length);
    }
    double[] sorted = scores.clone();
    Arrays.sort(sorted);
    List<Double> cuts = new ArrayList<>();
    for (int k = 1; k < count; k++) {
      // The k/count quantile, interpolated between order statistics.
      double pos = (double) k / count * (sorted.length - 1);
      int lo = (int) Math.floor(pos);
      int hi = Math.min(lo + 1, sorted.length - 1);
      cuts.add(sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]));
    }
    return new DifficultyBins(cuts);
  }

  public int count() {
    return thresholds.size() + 1;
  }

  /** The bin of a score: 1 (easiest, highest scores) to {@link #count()} (hardest). */
  public int bin(double score) {
    if (Double.isNaN(score)) {
      throw new IllegalArgumentException("cannot bin a NaN difficulty score");
    }
    int above = 0;
    for (double t : thresholds) {
      if (score > t) {
        above++;
      }
    }
    return count() - above;
  }
}
