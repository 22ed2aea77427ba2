package io.reckon.search.policy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Learns the compute-optimal {@link Policy} from a validation sweep: difficulty thresholds from
 * the questions' pass@1 (oracle) and probe scores (predicted), then per difficulty bin and budget
 * the configuration most accurate on that bin's questions. Ties go to the configuration listed
 * first in the sweep's grid.
 */
public final class PolicyLearner {
  /** Seeds the folds of the cross-validated allocation curves (bin b uses CV_SEED + b). */
  static final long CV_SEED = 0x6376L;

  private PolicyLearner() {}

  /**
   * The policy a run can use: its table is per <em>predicted</em> bin, since a run knows only
   * its probe's scores, never the ground truth.
   *
   * @param probeSize must be the sweep's probe size, or the thresholds would not fit the scores a
   *     run's probe gives
   */
  public static Policy learn(SweepResult validation, int binCount, List<String> models, int probeSize) {
    if (probeSize != validation.settings().probeSize()) {
      throw new IllegalArgumentException(
          "policy: probeSize " + probeSize + " differs from the sweep's probe of "
              + validation.settings().probeSize()
              + " samples, so the predicted thresholds would not fit a run's probe");
    }
    DifficultyBins oracle = DifficultyBins.learn(values(validation.passAt1()), binCount);
    DifficultyEstimator estimator = DifficultyEstimator.learn(
        validation.probes(), validation.passAt1(), DifficultyEstimator.DEFAULT_HOPELESS);
    List<Double> scores = predictedScores(validation, estimator);
    DifficultyBins predicted = DifficultyBins.learn(values(scores), binCount);
    List<Policy.Bin> bins = table(validation, predicted, scores);
    return new Policy(models, validation.budgets(), oracle, predicted, estimator, probeSize, bins)
        .validate();
  }

  /** Per question of a sweep, the estimator's predicted pass@1 (0 for an unscored probe). */
  public static List<Double> predictedScores(SweepResult sweep, DifficultyEstimator estimator) {
    return sweep.probes().stream().map(estimator::binScore).toList();
  }

  /** The same table per <em>oracle</em> bin (pass@1 quantiles), for the report. */
  public static List<Policy.Bin> oracleTable(SweepResult validation, int binCount) {
    DifficultyBins oracle = DifficultyBins.learn(values(validation.passAt1()), binCount);
    return table(validation, oracle, validation.passAt1());
  }

  /**
   * Per bin of {@code bins} (questions placed by {@code scores}, one per question of the sweep),
   * for each budget the most accurate configuration, its accuracy, and every configuration's
   * accuracy curve ({@code null} where it cannot run). A bin no question falls in (quantile
   * thresholds can coincide when many questions share a score) takes the choice made over all
   * questions, so that a run that lands there still gets a configuration.
   */
  public static List<Policy.Bin> table(SweepResult sweep, DifficultyBins bins, List<Double> scores) {
    SweepTable table = sweep.table();
    int[][] members = members(bins, scores);
    int[] all = IntStream.range(0, sweep.questions().size()).toArray();
    List<Policy.Bin> out = new ArrayList<>();
    for (int b = 0; b < members.length; b++) {
      int[] questions = members[b].length > 0 ? members[b] : all;
      out.add(bin(table, b + 1, questions, CV_SEED + b));
    }
    return out;
  }

  /** The questions (indices) of each bin, bin 1 (easiest) first. */
  public static int[][] members(DifficultyBins bins, List<Double> scores) {
    List<List<Integer>> lists = new ArrayList<>();
    for (int b = 0; b < bins.count(); b++) {
      lists.add(new ArrayList<>());
    }
    for (int q = 0; q < scores.size(); q++) {
      lists.get(bins.bin(scores.get(q)) - 1).add(q);
    }
    return lists.stream().map(l -> l.stream().mapToInt(Integer::intValue).toArray())
        .toArray(int[][]::new);
  }

  private static Policy.Bin bin(SweepTable table, int bin, int[] questions, long seed) {
    int nb = table.budgets().size();
    int[] best = PolicySelection.best(table, questions);
    List<String> chosen = new ArrayList<>(nb);
    List<Double> accuracy = new ArrayList<>(nb);
    for (int b = 0; b < nb; b++) {
      chosen.add(best[b] < 0 || questions.length == 0 ? null : table.configs().get(best[b]));
      accuracy.add(best[b] < 0 || questions.length == 0
          ? null : table.accuracy(questions, best[b], b));
    }
    Map<String, List<Double>> curves = new LinkedHashMap<>();
    for (int c = 0; c < table.configs().size(); c++) {
      Double[] curve = new Double[nb];
      for (int b = 0; b < nb; b++) {
        double acc = table.accuracy(questions, c, b);
        curve[b] = Double.isNaN(acc) ? null : acc;
      }
      curves.put(table.configs().get(c), Collections.unmodifiableList(Arrays.asList(curve)));
    }
    double[] cv = PolicySelection.crossValidated(table, questions, seed);
    List<Double> crossValidated = new ArrayList<>(nb);
    for (double v : cv) {
      crossValidated.add(Double.isNaN(v) ? null : v);
    }
    return new Policy.Bin(bin, chosen, accuracy, curves, crossValidated);
  }

  private static double[] values(List<Double> list) {
    return list.stream().mapToDouble(Double::doubleValue).toArray();
  }
}
