package io.reckon.search.adaptive;

import java.util.Arrays;

/**
 * A question's samples so far, as a stopping rule sees them: for each sample in the order it was
 * drawn, which answer it gave (a class index; {@code -1} = no answer) and its vote's weight (1 for
 * a majority vote, the verifier's score for a weighted one).
 *
 * <p>Classes are numbered by the caller, who groups answers with the run's task equivalence
 * ({@code \frac12} and {@code 0.5} are one class under the math task): this class never looks at
 * an answer's text, so no string comparison decides a vote.
 */
public record Votes(int[] classes, double[] weights) {

  public static final Votes EMPTY = new Votes(new int[0], new double[0]);

  public Votes {
    if (classes.length != weights.length) {
      throw new IllegalArgumentException(
          classes.length + " samples but " + weights.length + " weights");
    }
    classes = classes.clone();
    weights = weights.clone();
    for (int i = 0; i < classes.length; i++) {
      if (classes[i] < -1) {
        throw new IllegalArgumentException("class " + classes[i] + " of sample " + i + " is below -1");
      }
      if (!(weights[i] >= 0) || Double.isInfinite(weights[i])) {
        throw new IllegalArgumentException("weight " + weights[i] + " of sample " + i
            + " must be a finite number >= 0");
      }
    }
  }

  /** Unweighted votes (every sample counts 1). */
  public static Votes majority(int... classes) {
    double[] w = new double[classes.length];
    Arrays.fill(w, 1.0);
    return new Votes(classes, w);
  }

  /** The same votes with one more sample. */
  public Votes plus(int answerClass, double weight) {
    int[] c = Arrays.copyOf(classes, classes.length + 1);
    double[] w = Arrays.copyOf(weights, weights.length + 1);
    c[classes.length] = answerClass;
    w[weights.length] = weight;
    return new Votes(c, w);
  }

  /** The first {@code n} samples. */
  public Votes first(int n) {
    return new Votes(Arrays.copyOf(classes, n), Arrays.copyOf(weights, n));
  }

  public int samples() {
    return classes.length;
  }

  /** Summed weight per class (index = class), over the samples that gave an answer. */
  public double[] tally() {
    int k = 0;
    for (int c : classes) {
      k = Math.max(k, c + 1);
    }
    double[] t = new double[k];
    for (int i = 0; i < classes.length; i++) {
      if (classes[i] >= 0) {
        t[classes[i]] += weights[i];
      }
    }
    return t;
  }

  /** How many samples gave an answer. */
  public int answered() {
    int n = 0;
    for (int c : classes) {
      if (c >= 0) {
        n++;
      }
    }
    return n;
  }

  /** The tally in descending order (empty when no sample answered). */
  public double[] sortedTally() {
    double[] t = tally();
    Arrays.sort(t);
    for (int i = 0, j = t.length - 1; i < j; i++, j--) {
      double x = t[i];
      t[i] = t[j];
      t[j] = x;
    }
    return t;
  }

  /**
   * The leading class: the largest summed weight; a tie goes to the class that got its first vote
   * earliest (as {@code Selection} breaks ties); {@code -1} when no sample answered.
   */
  public int leader() {
    double[] t = tally();
    int best = -1;
    for (int i = 0; i < classes.length; i++) {
      int c = classes[i];
      if (c >= 0 && (best < 0 || t[c] > t[best])) {
        best = c;
      }
    }
    return best;
  }

  /** True when no answer leads alone: none yet, or the top two summed weights are equal. */
  public boolean tied() {
    double[] s = sortedTally();
    return s.length == 0 || s[0] <= 0 || (s.length > 1 && s[0] == s[1]);
  }

  /** The leader's share of the summed weight of answered samples; 0 without answers. */
  public double leaderShare() {
    double[] s = sortedTally();
    double sum = Arrays.stream(s).sum();
    return sum > 0 ? s[0] / sum : 0.0;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Votes v && Arrays.equals(classes, v.classes) && Arrays.equals(weights, v.weights);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(classes) + Arrays.hashCode(weights);
  }

  @Override
  public String toString() {
    return "Votes" + Arrays.toString(classes);
  }
}
