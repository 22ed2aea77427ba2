package io.reckon.app;

import io.reckon.search.policy.Bootstrap.Interval;
import java.util.List;
import java.util.Map;

/**
 * Everything {@code reckon report} measured, as typed records: what {@code summary.json} holds
 * (other tools read it) and what the page's template renders. Every headline number is an
 * {@link Interval}: the value and its 95 % bootstrap interval over questions (seeded);
 * {@code null} wherever nothing was measured.
 */
public record ReportSummary(
    Inputs inputs,
    List<Integer> budgets,
    Map<String, List<Interval>> accuracy,
    ComputeOptimal computeOptimal,
    Difficulty difficulty,
    PerBin perBin,
    Revisions revisions,
    List<Efficiency> efficiency,
    List<Run> runs,
    List<SchedulerGain> scheduler,
    FlopsMatched flopsMatched,
    Targets targets) {

  /** What "not distinguishable from 0" means in every verdict below. */
  public static final String NOT_DISTINGUISHABLE = "not distinguishable from 0";

  /**
   * @param difficultyGenerations generations per question the sweep spent on the probe and the
   *     difficulty pool, apart from the strategies' own samples: the price of unbiased bins
   */
  public record Inputs(String sweep, String policy, List<String> models, int questions,
      int configurations, int poolSize, int probeSize, int difficultyPool,
      double difficultyGenerations, int bins, long sweepSeed, long cvSeed,
      int bootstrapResamples, long bootstrapSeed, String generated) {}

  public record ComputeOptimal(Bins predictedBins, Bins oracleBins) {}

  /**
   * Compute-optimal under one binning: per budget overall and per bin, 2-fold cross-validated.
   *
   * @param accuracyWithProbeCountedAt the budget each accuracy sits at once the probe is counted
   */
  public record Bins(List<Double> thresholds, List<Integer> binSizes, List<Interval> accuracy,
      List<Integer> accuracyWithProbeCountedAt, List<List<Interval>> perBin) {}

  /**
   * How well the policy's difficulty estimate ranks the test questions against their oracle
   * pass@1 (from the difficulty pool, never from the strategies' samples).
   *
   * @param spearman Spearman's rho of the estimator's predicted pass@1 against the oracle pass@1
   * @param spearmanMeanScore the same for the probe's mean final PRM score alone
   * @param confusion {@code [oracle bin - 1][predicted bin - 1]}: questions
   * @param hopeless test questions the estimator deems hopeless
   * @param hopelessPassAt1 their mean oracle pass@1
   */
  public record Difficulty(String estimator, Interval spearman, Double spearmanMeanScore,
      List<List<Integer>> confusion, int hopeless, Double hopelessPassAt1) {}

  public record PerBin(List<Double> oracleThresholds, List<Bin> bins) {}

  public record Bin(int bin, int questions, Map<String, List<Interval>> accuracy,
      List<Interval> computeOptimal, List<Double> beamMinusBestOfN) {}

  public record Revisions(boolean available, Integer budget, List<RevisionBin> bins) {}

  /** @param accuracy per ratio label {@code L:P} */
  public record RevisionBin(String bin, Map<String, Double> accuracy, String bestRatio) {}

  /**
   * The fewest swept generations at which compute-optimal reaches best-of-N at {@code bestOfN}.
   *
   * @param ratio bestOfN / generations, with its interval (a resample where compute-optimal does
   *     not reach best-of-N within the swept budgets counts as ratio 0)
   */
  public record Efficiency(int bestOfN, Interval bestOfNAccuracy, String bins, Integer generations,
      Integer generationsWithProbe, Interval ratio, Interval ratioWithProbe,
      Double computeOptimalAccuracy) {}

  public record Run(String kind, int budget, String file, int questions, Interval accuracy,
      Double meanSpent) {}

  /**
   * @param gainPoints scheduler minus fixed, in points, paired over the same questions
   * @param verdict {@code gain}, {@code loss} or {@link #NOT_DISTINGUISHABLE}
   */
  public record SchedulerGain(int budget, Interval fixedAccuracy, Interval schedulerAccuracy,
      Interval gainPoints, String verdict, Double fixedMeanSpent, Double schedulerMeanSpent,
      boolean met) {}

  /**
   * @param readAt how compute-optimal is read at the matched k: between swept budgets on a log scale
   */
  public record FlopsMatched(boolean available, String reason, Card small, Card large,
      String greedyResults, String readAt, List<Interval> largerGreedyAccuracy,
      List<Integer> largerGreedyCoverage, List<FlopsRatio> ratios) {

    static FlopsMatched unavailable(String reason) {
      return new FlopsMatched(false, reason, null, null, null, null, List.of(), List.of(), List.of());
    }
  }

  public record Card(String name, String config, double parameters, double trainingTokens) {}

  /** @param capped k is above the largest swept budget, which is read instead */
  public record FlopsRatio(double r, Double matchedGenerations, boolean capped, List<FlopsBin> bins) {}

  /** @param winner {@code test-time}, {@code pretraining} or {@link #NOT_DISTINGUISHABLE} */
  public record FlopsBin(String bin, Interval testTime, Interval largerGreedy, Interval differencePoints,
      String winner) {}

  public record Targets(Target fourTimesFewerGenerations, Target schedulerGain) {}

  /** @param gapPoints measured minus target, in points (negative: short of it) */
  public record Target(String target, Boolean met, Interval gapPoints, String reason) {}

  /** The verdict on a difference whose interval is {@code d}. */
  static String verdict(Interval d, String above, String below) {
    if (d.value() == null) {
      return null;
    }
    if (d.includesZero()) {
      return NOT_DISTINGUISHABLE;
    }
    return d.value() > 0 ? above : below;
  }
}
