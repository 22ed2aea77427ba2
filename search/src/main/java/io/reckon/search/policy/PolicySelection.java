package io.reckon.search.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The compute-optimal choice: for a set of questions (one difficulty bin) and each budget, the
 * configuration with the highest mean accuracy. Reported with 2-fold cross-validation, as in the
 * paper: the choice made on one half of a bin is scored on the other half, so no number is
 * measured on the questions it was selected on.
 */
public final class PolicySelection {
  private PolicySelection() {}

  /** Index of the best configuration per budget over these questions; -1 where none can run. */
  public static int[] best(SweepTable table, int[] questions) {
    int[] best = new int[table.budgets().size()];
    for (int b = 0; b < best.length; b++) {
      best[b] = -1;
      double top = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < table.configs().size(); c++) {
        double acc = table.accuracy(questions, c, b);
        if (!Double.isNaN(acc) && acc > top) {
          top = acc;
          best[b] = c;
        }
      }
    }
    return best;
  }

  /** Seeded split of questions into two folds of (almost) equal size: fold of each, 0 or 1. */
  public static int[] folds(int[] questions, long seed) {
    int[] order = new int[questions.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = order.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    int[] fold = new int[questions.length];
    for (int rank = 0; rank < order.length; rank++) {
      fold[order[rank]] = rank < (order.length + 1) / 2 ? 0 : 1;
    }
    return fold;
  }

  /**
   * Cross-validated accuracy per budget of the compute-optimal choice over these questions: each
   * fold is scored with the configuration chosen on the other fold.
   */
  public static double[] crossValidated(SweepTable table, int[] questions, long seed) {
    int[] fold = folds(questions, seed);
    int[][] parts = {select(questions, fold, 0), select(questions, fold, 1)};
    double[] sum = new double[table.budgets().size()];
    int[] count = new int[sum.length];
    for (int f = 0; f < 2; f++) {
      int[] choose = parts[1 - f];
      int[] report = parts[f];
      if (choose.length == 0 || report.length == 0) {
        continue;
      }
      int[] best = best(table, choose);
      for (int b = 0; b < sum.length; b++) {
        if (best[b] >= 0) {
          sum[b] += table.accuracy(report, best[b], b) * report.length;
          count[b] += report.length;
        }
      }
    }
    double[] acc = new double[sum.length];
    for (int b = 0; b < acc.length; b++) {
      acc[b] = count[b] == 0 ? Double.NaN : sum[b] / count[b];
    }
    return acc;
  }

  private static int[] select(int[] questions, int[] fold, int which) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < questions.length; i++) {
      if (fold[i] == which) {
        out.add(questions[i]);
      }
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }
}
