package io.reckon.search.policy;

import io.reckon.protocol.Candidate;
import io.reckon.search.Aggregation;
import io.reckon.search.Selection;
import io.reckon.search.task.AnswerClasses;
import io.reckon.search.task.Task;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Best-of-N at every N from one pool of samples: the expected correctness of a selection over n
 * samples is estimated by averaging it over subsets of size n of the pool, instead of sampling n
 * fresh solutions per N (the trick the paper's peers use to make the sweep affordable).
 *
 * <p>When there are few subsets (at most {@code max(resamples, pool size)}, so always at n = 1, n
 * = pool − 1 and n = pool) every subset is used and the value is the exact expectation over the
 * pool; otherwise {@code resamples} seeded random subsets. A subset keeps the pool's order, so a
 * tie goes to the same candidate as in a direct run that sampled them in that order.
 */
public final class BestOfNSubsampler {
  private BestOfNSubsampler() {}

  /**
   * The pool as a direct best-of-N run with this selection and aggregation would have seen it:
   * each candidate's score aggregated from its step scores, or no score at all for a majority vote
   * (which never asks the verifier, so its ties must not be broken by scores it would not have).
   */
  public static List<Candidate> asSeenBy(
      List<Candidate> pool, Selection selection, Aggregation aggregation) {
    List<Candidate> out = new ArrayList<>(pool.size());
    for (Candidate c : pool) {
      if (!selection.needsScores()) {
        out.add(new Candidate(c.steps(), c.answer(), List.of(), Double.NaN, c.group(), c.source()));
      } else {
        out.add(new Candidate(c.steps(), c.answer(), c.stepScores(), aggregation.apply(c.stepScores()),
            c.group(), c.source()));
      }
    }
    return out;
  }

  /**
   * The expected correctness (0..1) of {@code selection} over n samples drawn from the pool
   * without replacement. The candidates must already carry the scores the selection reads (see
   * {@link #asSeenBy}). The pool's answers are put in the task's equivalence classes once; each
   * subset then votes by class index, so a math pool costs its pairwise comparisons once, not
   * once per subset.
   */
  public static double expectedCorrect(
      List<Candidate> pool, String truth, Selection selection, int n, int resamples, long seed,
      Task task) {
    int size = pool.size();
    if (n < 1 || n > size) {
      throw new IllegalArgumentException(
          "subset size must be between 1 and the pool size " + size + ", got " + n);
    }
    if (resamples < 1) {
      throw new IllegalArgumentException("resamples must be >= 1, got " + resamples);
    }
    List<String> answers = new ArrayList<>(size);
    for (Candidate c : pool) {
      answers.add(c.answer());
    }
    AnswerClasses classes = task.classes(answers);
    boolean[] classRight = new boolean[classes.count()];
    for (int k = 0; k < classes.count(); k++) {
      classRight[k] = task.equivalent(classes.representative(k), truth);
    }
    boolean[] right = new boolean[size];
    for (int i = 0; i < size; i++) {
      right[i] = classes.classOf(i) >= 0 && classRight[classes.classOf(i)];
    }
    List<int[]> subsets = exhaustive(size, n, resamples)
        ? allSubsets(size, n)
        : randomSubsets(size, n, resamples, seed);
    double sum = 0;
    Selection.Tally[] byClass = new Selection.Tally[classes.count()];
    List<Selection.Tally> order = new ArrayList<>(n);
    for (int[] subset : subsets) {
      boolean anyRight = false;
      for (int i : subset) {
        anyRight |= right[i];
      }
      // No right sample in the subset: no selection can be right, skip the tally.
      if (!anyRight) {
        continue;
      }
      java.util.Arrays.fill(byClass, null);
      order.clear();
      for (int i : subset) {
        int k = classes.classOf(i);
        if (k < 0) {
          continue;
        }
        Selection.Tally t = byClass[k];
        if (t == null) {
          t = new Selection.Tally(classes.representative(k));
          byClass[k] = t;
          order.add(t);
        }
        double score = Double.isNaN(pool.get(i).score()) ? 0.0 : pool.get(i).score();
        t.count++;
        t.weight += score;
        t.best = Math.max(t.best, score);
      }
      Selection.Tally best = null;
      for (Selection.Tally t : order) {
        if (best == null || selection.better(t, best)) {
          best = t;
        }
      }
      if (best != null) {
        for (int k = 0; k < byClass.length; k++) {
          if (byClass[k] == best) {
            sum += classRight[k] ? 1 : 0;
            break;
          }
        }
      }
    }
    return sum / subsets.size();
  }

  /** True when all C(size, n) subsets are used rather than a random few. */
  static boolean exhaustive(int size, int n, int resamples) {
    long limit = Math.max(resamples, size);
    long c = 1;
    int k = Math.min(n, size - n);
    for (int i = 1; i <= k; i++) {
      // C(size, i) = C(size, i-1) * (size-i+1) / i is exact at every step
      c = c * (size - i + 1) / i;
      if (c > limit) {
        return false;
      }
    }
    return true;
  }

  /** Every n-subset of 0..size-1 in lexicographic order. */
  static List<int[]> allSubsets(int size, int n) {
    List<int[]> out = new ArrayList<>();
    int[] idx = new int[n];
    for (int i = 0; i < n; i++) {
      idx[i] = i;
    }
    while (true) {
      out.add(idx.clone());
      int i = n - 1;
      while (i >= 0 && idx[i] == size - n + i) {
        i--;
      }
      if (i < 0) {
        return out;
      }
      idx[i]++;
      for (int j = i + 1; j < n; j++) {
        idx[j] = idx[j - 1] + 1;
      }
    }
  }

  /** Seeded uniform n-subsets (partial Fisher–Yates), each sorted to keep the pool's order. */
  static List<int[]> randomSubsets(int size, int n, int count, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int[] perm = new int[size];
    List<int[]> out = new ArrayList<>(count);
    for (int r = 0; r < count; r++) {
      for (int i = 0; i < size; i++) {
        perm[i] = i;
      }
      for (int i = 0; i < n; i++) {
        int j = i + random.nextInt(size - i);
        int t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
      }
      int[] subset = Arrays.copyOf(perm, n);
      Arrays.sort(subset);
      out.add(subset);
    }
    return out;
  }
}
