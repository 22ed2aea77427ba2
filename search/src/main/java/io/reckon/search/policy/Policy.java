package io.reckon.search.policy;

import com.fasterxml.jackson.annotation.JacksonInject;
import com.fasterxml.jackson.annotation.OptBoolean;
import io.reckon.search.StrategyConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The learned compute-optimal policy (what {@code policy.json} holds): difficulty thresholds,
 * and for every difficulty bin and swept budget the most accurate strategy configuration with
 * the accuracy curves it was chosen from.
 *
 * @param models the policy and verifier model names it was learned with; running it with other
 *     models is refused, since a policy is only optimal for the models it measured
 * @param budgets the swept budgets, ascending
 * @param oracleBins thresholds on a question's pass@1 (ground truth needed)
 * @param predictedBins thresholds on the estimator's predicted pass@1 (no ground truth)
 * @param estimator predicts a question's pass@1 from its probe; the predicted bins cut it and the
 *     allocation caps the questions it deems hopeless at their fair share
 * @param probeSize samples in the probe that gives the predicted difficulty
 * @param bins one entry per bin, bin 1 (easiest) first
 * @param task the task the sweep ran (its grading chose the configurations); {@code null} in a
 *     policy learned before tasks existed, which was {@code arith}
 */
public record Policy(
    List<String> models,
    List<Integer> budgets,
    DifficultyBins oracleBins,
    DifficultyBins predictedBins,
    DifficultyEstimator estimator,
    int probeSize,
    List<Bin> bins,
    // Absent from policies learned before tasks: the strict reader injects "arith" then.
    @JacksonInject(value = "reckon.absent-task", useInput = OptBoolean.TRUE) String task) {

  /**
   * @param best the chosen configuration per budget ({@code null} where none could run)
   * @param accuracy the chosen configuration's validation accuracy per budget
   * @param curves every configuration's validation accuracy per budget ({@code null} = cannot run)
   * @param crossValidated per budget, the 2-fold cross-validated accuracy of choosing the best
   *     configuration (chosen on one half of the bin, scored on the other): what the scheduler
   *     allocates by, since {@code accuracy}, the best of many on the same questions, is
   *     optimistic; {@code null} where not measured (all {@code null} in a policy learned before
   *     it was, which then allocates by {@code accuracy})
   */
  public record Bin(int bin, List<String> best, List<Double> accuracy, Map<String, List<Double>> curves,
      List<Double> crossValidated) {
    public Bin {
      best = java.util.Collections.unmodifiableList(new ArrayList<>(best));
      accuracy = java.util.Collections.unmodifiableList(new ArrayList<>(accuracy));
      curves = Map.copyOf(curves);
      crossValidated = java.util.Collections.unmodifiableList(new ArrayList<>(crossValidated));
    }
  }

  public Policy {
    if (task == null) {
      task = "arith";
    }
    models = List.copyOf(models);
    budgets = List.copyOf(budgets);
    bins = List.copyOf(bins);
  }

  /** A policy of the arithmetic task (as policies were learned before tasks existed). */
  public Policy(List<String> models, List<Integer> budgets, DifficultyBins oracleBins,
      DifficultyBins predictedBins, DifficultyEstimator estimator, int probeSize, List<Bin> bins) {
    this(models, budgets, oracleBins, predictedBins, estimator, probeSize, bins, null);
  }

  /** The same policy, recorded as learned on the named task. */
  public Policy withTask(String t) {
    return new Policy(models, budgets, oracleBins, predictedBins, estimator, probeSize, bins, t);
  }

  /** The task it was learned on ({@code arith} for a policy learned before tasks). */
  public String taskName() {
    return task;
  }

  /**
   * Checks that the policy is whole and consistent; every problem is named with its field.
   *
   * @throws IllegalArgumentException on the first problem found
   */
  public Policy validate() {
    require(!budgets.isEmpty(), "budgets is empty");
    for (int i = 0; i < budgets.size(); i++) {
      require(budgets.get(i) >= 1 && (i == 0 || budgets.get(i) > budgets.get(i - 1)),
          "budgets must be ascending and >= 1, got " + budgets);
    }
    require(oracleBins != null, "oracleBins is missing");
    require(predictedBins != null, "predictedBins is missing");
    require(oracleBins.count() == predictedBins.count(),
        "oracleBins has " + oracleBins.count() + " bins but predictedBins " + predictedBins.count());
    require(probeSize >= 1, "probeSize must be >= 1, got " + probeSize);
    require(estimator != null, "estimator is missing");
    estimator.validate();
    require(bins.size() == predictedBins.count(),
        "bins holds " + bins.size() + " entries but the thresholds define " + predictedBins.count());
    for (int b = 0; b < bins.size(); b++) {
      Bin bin = bins.get(b);
      String where = "bins[" + b + "]";
      require(bin.bin() == b + 1, where + ".bin must be " + (b + 1) + ", got " + bin.bin());
      require(bin.best().size() == budgets.size(),
          where + ".best has " + bin.best().size() + " entries for " + budgets.size() + " budgets");
      require(bin.accuracy().size() == budgets.size(),
          where + ".accuracy has " + bin.accuracy().size() + " entries for " + budgets.size() + " budgets");
      require(bin.crossValidated().size() == budgets.size(),
          where + ".crossValidated has " + bin.crossValidated().size() + " entries for "
              + budgets.size() + " budgets");
      for (String config : bin.best()) {
        if (config != null) {
          try {
            StrategyConfig.parse(config);
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ".best: " + e.getMessage(), e);
          }
        }
      }
      bin.curves().forEach((config, curve) -> require(curve.size() == budgets.size(),
          where + ".curves['" + config + "'] has " + curve.size() + " entries for " + budgets.size()
              + " budgets"));
      for (Double acc : bin.accuracy()) {
        requireAccuracy(acc, where + ".accuracy");
      }
      bin.curves().forEach((config, curve) -> curve.forEach(
          acc -> requireAccuracy(acc, where + ".curves['" + config + "']")));
    }
    return this;
  }

  // null is "could not run"; anything else is a measured share of questions answered right.
  private static void requireAccuracy(Double acc, String where) {
    require(acc == null || (acc >= 0 && acc <= 1),
        where + " holds " + acc + ": an accuracy must be a number between 0 and 1 (or null)");
  }

  private static void require(boolean ok, String problem) {
    if (!ok) {
      throw new IllegalArgumentException("policy: " + problem);
    }
  }

  /** The predicted-difficulty bin of a probe; the middle bin when the probe was not scored. */
  public int bin(io.reckon.search.ProbeFeatures probe) {
    double p = estimator.predict(probe);
    return Double.isNaN(p) ? (bins.size() + 1) / 2 : predictedBins.bin(p);
  }

  /**
   * The configuration to run in a bin with a granted budget: the choice made at the largest swept
   * budget not above the grant (the smallest swept budget when the grant is below all of them).
   */
  public StrategyConfig choose(int bin, int budget) {
    Bin entry = bins.get(Math.max(1, Math.min(bin, bins.size())) - 1);
    String chosen = null;
    for (int i = 0; i < budgets.size(); i++) {
      if (entry.best().get(i) != null && (budgets.get(i) <= budget || chosen == null)) {
        chosen = entry.best().get(i);
      }
    }
    if (chosen == null) {
      throw new IllegalStateException("policy has no configuration for bin " + bin);
    }
    return StrategyConfig.parse(chosen);
  }

  /**
   * The bin's expected accuracy vs. budget under the policy, concave, for the allocator: the
   * cross-validated accuracy, or the in-sample one for a policy learned before it was measured.
   */
  public AccuracyCurve curve(int bin) {
    Bin entry = bins.get(Math.max(1, Math.min(bin, bins.size())) - 1);
    boolean crossValidated = entry.crossValidated().stream().anyMatch(java.util.Objects::nonNull);
    List<Double> source = crossValidated ? entry.crossValidated() : entry.accuracy();
    List<Integer> bs = new ArrayList<>();
    List<Double> as = new ArrayList<>();
    for (int i = 0; i < budgets.size(); i++) {
      Double acc = source.get(i);
      if (acc != null && !acc.isNaN()) {
        bs.add(budgets.get(i));
        as.add(acc);
      }
    }
    return new AccuracyCurve(bs, as).concave();
  }
}
