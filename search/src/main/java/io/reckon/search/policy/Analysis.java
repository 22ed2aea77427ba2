package io.reckon.search.policy;

import io.reckon.search.StrategyConfig;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The arithmetic behind the report: accuracy curves from a sweep, compute-optimal accuracy with
 * 2-fold cross-validation within each difficulty bin, the budget compute-optimal needs to match a
 * baseline, and the FLOPs-matched exchange rate between pretraining and test-time compute. Curves
 * are arrays over the sweep's budgets with {@code NaN} where nothing was measured.
 */
public final class Analysis {
  private Analysis() {}

  /** The baseline the paper measures everything against: weighted best-of-N, last-step scores. */
  public static final String WEIGHTED_BON = "best-of-n:sel=weighted,agg=last";

  /** Mean correctness of one configuration at each budget over these questions. */
  public static double[] accuracy(SweepTable table, int[] questions, int config) {
    double[] acc = new double[table.budgets().size()];
    for (int b = 0; b < acc.length; b++) {
      acc[b] = table.accuracy(questions, config, b);
    }
    return acc;
  }

  /**
   * Compute-optimal accuracy per bin and overall.
   *
   * @param perBin 2-fold cross-validated accuracy of each bin (choice made on one half, scored on
   *     the other); {@code NaN} where a bin is too small to split or nothing runs
   * @param sizes questions per bin
   * @param overall the bins' question-weighted mean; {@code NaN} at a budget where any non-empty
   *     bin has no value, so that a mean never silently drops the bins it could not measure
   */
  public record ComputeOptimal(double[] overall, double[][] perBin, int[] sizes) {}

  /** Compute-optimal with 2-fold cross-validation within each bin of {@code members}. */
  public static ComputeOptimal computeOptimal(SweepTable table, int[][] members, long seed) {
    int nb = table.budgets().size();
    double[][] perBin = new double[members.length][];
    int[] sizes = new int[members.length];
    double[] sum = new double[nb];
    boolean[] missing = new boolean[nb];
    int total = 0;
    for (int k = 0; k < members.length; k++) {
      sizes[k] = members[k].length;
      total += sizes[k];
      perBin[k] = members[k].length == 0 ? nan(nb)
          : PolicySelection.crossValidated(table, members[k], seed + k);
      for (int b = 0; b < nb; b++) {
        if (sizes[k] == 0) {
          continue;
        }
        if (Double.isNaN(perBin[k][b])) {
          missing[b] = true;
        } else {
          sum[b] += perBin[k][b] * sizes[k];
        }
      }
    }
    double[] overall = new double[nb];
    for (int b = 0; b < nb; b++) {
      overall[b] = missing[b] || total == 0 ? Double.NaN : sum[b] / total;
    }
    return new ComputeOptimal(overall, perBin, sizes);
  }

  /**
   * Per question, its correctness under compute-optimal with 2-fold cross-validation within each
   * bin of {@code members}: the configuration chosen on the other half of its bin, at each budget
   * ({@code NaN} where nothing was chosen). Its mean over a bin is
   * {@link PolicySelection#crossValidated}; kept per question so that intervals can resample
   * questions (the choices themselves are held fixed).
   */
  public static double[][] crossValidatedPerQuestion(SweepTable table, int[][] members, long seed) {
    int nb = table.budgets().size();
    double[][] out = new double[table.questions().size()][nb];
    for (double[] row : out) {
      Arrays.fill(row, Double.NaN);
    }
    for (int k = 0; k < members.length; k++) {
      int[] questions = members[k];
      if (questions.length == 0) {
        continue;
      }
      int[] fold = PolicySelection.folds(questions, seed + k);
      for (int f = 0; f < 2; f++) {
        int[] choose = part(questions, fold, 1 - f);
        int[] report = part(questions, fold, f);
        if (choose.length == 0 || report.length == 0) {
          continue;
        }
        int[] best = PolicySelection.best(table, choose);
        for (int q : report) {
          for (int b = 0; b < nb; b++) {
            if (best[b] >= 0) {
              out[q][b] = table.correct(q, best[b], b);
            }
          }
        }
      }
    }
    return out;
  }

  /**
   * Compute-optimal's overall accuracy per budget with a 95 % interval that re-selects inside
   * every resample: each resample draws every bin's questions with replacement (stratified by
   * bin), splits the drawn questions into two folds, chooses the best configuration on one fold
   * and scores it on the other, exactly as the point estimate does. Holding the cross-validated
   * choices fixed and resampling only their scores (what {@link #crossValidatedPerQuestion}
   * supports) leaves out how much the choice itself varies with the questions, and so gives an
   * interval that is too narrow where selection is noisy.
   *
   * @return per budget: the point (as {@link #computeOptimal}) and its re-selected interval
   */
  public static Bootstrap.Interval[] reselected(SweepTable table, int[][] members, long seed, int resamples) {
    int nb = table.budgets().size();
    double[] point = computeOptimal(table, members, seed).overall();
    double[][] values = new double[nb][resamples];
    SplittableRandom rng = new SplittableRandom(seed ^ 0x5EED5EEDL);
    for (int r = 0; r < resamples; r++) {
      double[] sum = new double[nb];
      boolean[] missing = new boolean[nb];
      int total = 0;
      for (int k = 0; k < members.length; k++) {
        int[] bin = members[k];
        if (bin.length == 0) {
          continue;
        }
        int[] draw = new int[bin.length];
        for (int i = 0; i < draw.length; i++) {
          draw[i] = bin[rng.nextInt(bin.length)];
        }
        total += draw.length;
        // Folds over the distinct questions drawn, so that no question is both chosen on and scored.
        int[] distinct = Arrays.stream(draw).distinct().toArray();
        int[] foldOf = PolicySelection.folds(distinct, rng.nextLong());
        Map<Integer, Integer> fold = new HashMap<>();
        for (int i = 0; i < distinct.length; i++) {
          fold.put(distinct[i], foldOf[i]);
        }
        for (int f = 0; f < 2; f++) {
          final int which = f;
          int[] choose = Arrays.stream(draw).filter(q -> fold.get(q) != which).toArray();
          int[] report = Arrays.stream(draw).filter(q -> fold.get(q) == which).toArray();
          if (report.length == 0) {
            continue;
          }
          int[] best = choose.length == 0 ? null : PolicySelection.best(table, choose);
          for (int b = 0; b < nb; b++) {
            if (best == null || best[b] < 0) {
              missing[b] = true;
            } else {
              for (int q : report) {
                sum[b] += table.correct(q, best[b], b);
              }
            }
          }
        }
      }
      for (int b = 0; b < nb; b++) {
        values[b][r] = missing[b] || total == 0 ? Double.NaN : sum[b] / total;
      }
    }
    Bootstrap.Interval[] out = new Bootstrap.Interval[nb];
    for (int b = 0; b < nb; b++) {
      double[] kept = Arrays.stream(values[b]).filter(v -> !Double.isNaN(v)).sorted().toArray();
      if (Double.isNaN(point[b])) {
        out[b] = Bootstrap.Interval.NONE;
      } else if (kept.length == 0) {
        out[b] = new Bootstrap.Interval(point[b], null, null);
      } else {
        out[b] = new Bootstrap.Interval(point[b], percentile(kept, 0.025), percentile(kept, 0.975));
      }
    }
    return out;
  }

  private static double percentile(double[] sorted, double p) {
    double pos = p * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  }

  private static int[] part(int[] questions, int[] fold, int which) {
    return java.util.stream.IntStream.range(0, questions.length).filter(i -> fold[i] == which)
        .map(i -> questions[i]).toArray();
  }

  /**
   * The value of a curve over swept budgets at {@code generations}, interpolated linearly in
   * log(generations) between the swept budgets around it; {@code NaN} below the smallest budget,
   * and the largest budget's value above it (the caller says it was capped).
   */
  public static double atLogInterpolated(double[] curve, List<Integer> budgets, double generations) {
    int lo = budgetAtMost(budgets, generations);
    if (lo < 0) {
      return Double.NaN;
    }
    if (lo == budgets.size() - 1 || Math.abs(budgets.get(lo) - generations) < 1e-9) {
      return curve[lo];
    }
    int hi = lo + 1;
    double t = (Math.log(generations) - Math.log(budgets.get(lo)))
        / (Math.log(budgets.get(hi)) - Math.log(budgets.get(lo)));
    return curve[lo] + t * (curve[hi] - curve[lo]);
  }

  /** Index of the first (smallest) budget at which the curve reaches {@code target}; -1 if none. */
  public static int firstReaching(double[] curve, double target) {
    for (int b = 0; b < curve.length; b++) {
      // Accuracies are means over the same questions: compare with a rounding tolerance only.
      if (!Double.isNaN(curve[b]) && curve[b] >= target - 1e-9) {
        return b;
      }
    }
    return -1;
  }

  /** Index of the largest budget not above {@code generations}; -1 if none is. */
  public static int budgetAtMost(List<Integer> budgets, double generations) {
    int found = -1;
    for (int b = 0; b < budgets.size(); b++) {
      if (budgets.get(b) <= generations + 1e-9) {
        found = b;
      }
    }
    return found;
  }

  /** The best value of the curve over budgets not above {@code generations}; NaN if none. */
  public static double bestWithin(double[] curve, List<Integer> budgets, double generations) {
    double best = Double.NaN;
    for (int b = 0; b < curve.length; b++) {
      if (budgets.get(b) <= generations + 1e-9 && !Double.isNaN(curve[b])
          && (Double.isNaN(best) || curve[b] > best)) {
        best = curve[b];
      }
    }
    return best;
  }

  /**
   * The paper's FLOPs-matched exchange rate: with X = 6·N·D_pretrain + 2·N·D_inference for each
   * model and the same D_inference = R · D_pretrain(small) tokens served by both, the number of
   * generations per question the small model may spend where the large model decodes once
   * greedily, so that both cost the same FLOPs in all:
   * {@code k = (6·N_L·D_L + 2·N_L·D_inf − 6·N_S·D_S) / (2·N_S·D_inf)}. With equal pretraining
   * tokens this is the paper's {@code M + 3(M − 1)/R} for M = N_L / N_S.
   */
  public static double flopsMatchedGenerations(
      double smallParams, double smallTokens, double largeParams, double largeTokens, double r) {
    if (!(smallParams > 0 && smallTokens > 0 && largeParams > 0 && largeTokens >= 0 && r > 0)) {
      throw new IllegalArgumentException("parameters, training tokens and R must be positive");
    }
    double inference = r * smallTokens;
    return (6 * largeParams * largeTokens + 2 * largeParams * inference - 6 * smallParams * smallTokens)
        / (2 * smallParams * inference);
  }

  /**
   * The same exchange rate with the verifier charged: every generation the small model spends is
   * also read once by a verifier of {@code verifierParams} parameters (2·N_V FLOPs per token), so
   * {@code k = (6·N_L·D_L + 2·N_L·D_inf − 6·N_S·D_S) / (2·(N_S + N_V)·D_inf)}. With a verifier as
   * large as the policy this halves the generations test-time compute may spend.
   */
  public static double flopsMatchedGenerations(double smallParams, double smallTokens,
      double largeParams, double largeTokens, double r, double verifierParams) {
    if (!(verifierParams >= 0)) {
      throw new IllegalArgumentException("verifier parameters must be >= 0");
    }
    double k = flopsMatchedGenerations(smallParams, smallTokens, largeParams, largeTokens, r);
    return k * smallParams / (smallParams + verifierParams);
  }

  /**
   * The chain length L of a revisions configuration at a budget N (sequential L : parallel N/L),
   * or 0 when the configuration is not revisions or cannot run at N.
   */
  public static int chainLength(String config, int budget) {
    StrategyConfig c = StrategyConfig.parse(config);
    if (!(c instanceof StrategyConfig.Revisions r) || c.usableBudget(budget) != budget) {
      return 0;
    }
    return r.length() == 0 ? budget : r.length();
  }

  /**
   * Spearman's rank correlation of two samples (average ranks for ties); NaN when either is
   * constant or there are fewer than two values.
   */
  public static double spearman(double[] a, double[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException(a.length + " values against " + b.length);
    }
    if (a.length < 2) {
      return Double.NaN;
    }
    double[] ra = ranks(a);
    double[] rb = ranks(b);
    double ma = Arrays.stream(ra).average().orElse(0);
    double mb = Arrays.stream(rb).average().orElse(0);
    double cov = 0;
    double va = 0;
    double vb = 0;
    for (int i = 0; i < ra.length; i++) {
      cov += (ra[i] - ma) * (rb[i] - mb);
      va += (ra[i] - ma) * (ra[i] - ma);
      vb += (rb[i] - mb) * (rb[i] - mb);
    }
    return va == 0 || vb == 0 ? Double.NaN : cov / Math.sqrt(va * vb);
  }

  private static double[] ranks(double[] x) {
    Integer[] order = new Integer[x.length];
    for (int i = 0; i < x.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (i, j) -> Double.compare(x[i], x[j]));
    double[] r = new double[x.length];
    int i = 0;
    while (i < x.length) {
      int j = i;
      while (j + 1 < x.length && x[order[j + 1]] == x[order[i]]) {
        j++;
      }
      double avg = (i + j) / 2.0 + 1;
      for (int k = i; k <= j; k++) {
        r[order[k]] = avg;
      }
      i = j + 1;
    }
    return r;
  }

  /**
   * {@code [oracle bin - 1][predicted bin - 1]}: how many questions of each oracle bin each
   * predicted bin holds.
   */
  public static int[][] confusion(int[][] oracleMembers, int[][] predictedMembers, int questions) {
    int[] predictedBin = new int[questions];
    for (int b = 0; b < predictedMembers.length; b++) {
      for (int q : predictedMembers[b]) {
        predictedBin[q] = b;
      }
    }
    int[][] m = new int[oracleMembers.length][predictedMembers.length];
    for (int o = 0; o < oracleMembers.length; o++) {
      for (int q : oracleMembers[o]) {
        m[o][predictedBin[q]]++;
      }
    }
    return m;
  }

  private static double[] nan(int n) {
    double[] a = new double[n];
    Arrays.fill(a, Double.NaN);
    return a;
  }
}
