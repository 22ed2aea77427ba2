package io.reckon.runtime.onnx;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from one row of logits: greedy at temperature 0, otherwise a sample from
 * the temperature-scaled distribution restricted to its top-p nucleus. Works on a slice of a
 * larger array so that a batch's logits are read where they lie.
 */
final class Sampler {
  private Sampler() {}

  /** The row's random stream: a function of (seed, row) only, never of the batch it runs in. */
  static SplittableRandom rowRandom(long seed, int row) {
    return new SplittableRandom(mix(seed ^ mix(0x5851F42D4C957F2DL + row)));
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** The first index of the largest logit, so that ties break the same way every time. */
  static int argmax(float[] logits, int offset, int vocab) {
    int best = 0;
    float max = logits[offset];
    for (int i = 1; i < vocab; i++) {
      if (logits[offset + i] > max) {
        max = logits[offset + i];
        best = i;
      }
    }
    return best;
  }

  /**
   * log p(token) under the model's own distribution (temperature 1, no nucleus): the score a
   * caller can compare across samples drawn with different settings.
   */
  static double logProb(float[] logits, int offset, int vocab, int token) {
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < vocab; i++) {
      max = Math.max(max, logits[offset + i]);
    }
    double sum = 0;
    for (int i = 0; i < vocab; i++) {
      sum += Math.exp(logits[offset + i] - max);
    }
    return logits[offset + token] - max - Math.log(sum);
  }

  static int sample(
      float[] logits, int offset, int vocab, double temperature, double topP, SplittableRandom rng) {
    if (temperature == 0) {
      return argmax(logits, offset, vocab);
    }
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < vocab; i++) {
      max = Math.max(max, logits[offset + i]);
    }
    double[] p = new double[vocab];
    double sum = 0;
    for (int i = 0; i < vocab; i++) {
      p[i] = Math.exp((logits[offset + i] - max) / temperature);
      sum += p[i];
    }
    double threshold = 0;
    if (topP < 1) {
      // The nucleus is every token at least as likely as the one that brings the sorted mass to
      // top-p; equal probabilities at the edge all stay in, so the cut does not depend on order.
      double[] sorted = p.clone();
      Arrays.sort(sorted);
      double mass = 0;
      for (int i = sorted.length - 1; i >= 0; i--) {
        mass += sorted[i];
        if (mass >= topP * sum) {
          threshold = sorted[i];
          break;
        }
      }
      double kept = 0;
      for (int i = 0; i < vocab; i++) {
        if (p[i] >= threshold) {
          kept += p[i];
        }
      }
      sum = kept;
    }
    double u = rng.nextDouble() * sum;
    int last = -1;
    for (int i = 0; i < vocab; i++) {
      if (p[i] < threshold || p[i] == 0) {
        continue;
      }
      last = i;
      u -= p[i];
      if (u < 0) {
        return i;
      }
    }
    return last >= 0 ? last : argmax(logits, offset, vocab);
  }
}
