package io.reckon.actors;

import com.typesafe.config.Config;
import io.reckon.runtime.JsonFiles;
import io.reckon.search.policy.DifficultyEstimator;
import io.reckon.search.policy.Policy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The difficulty estimator that runs without a compute-optimal policy allocate by: the estimator
 * of the policy file named by {@code reckon.scheduler.allocation.estimator} (the shipped
 * {@code models/policy.json} by default). Without it the allocation rule reads the probe's mean
 * PRM score, which on the shipped models puts hopeless questions in the middle of its range, where
 * the rule weights them most (issue 13). An estimator is only used with the models it was learned
 * on: with others its predictions mean nothing, and the rule falls back to the mean score.
 */
public final class EstimatorFile {
  public static final String KEY = "reckon.scheduler.allocation.estimator";

  private EstimatorFile() {}

  /**
   * What was loaded.
   *
   * @param estimator the estimator; {@code null}: the rule reads the mean PRM score
   * @param note one line saying which (for the log), never {@code null}
   */
  public record Loaded(DifficultyEstimator estimator, String note) {}

  /**
   * Reads the configured file. A file that is there but is not a valid policy is an error
   * (IllegalArgumentException naming the key); a missing file, an empty setting or a policy
   * learned with other models than {@code models} (the proposer's and verifier's names) gives no
   * estimator, with a note that says why.
   */
  public static Loaded load(Config root, List<String> models) {
    String setting = root.hasPath(KEY) ? root.getString(KEY).strip() : "";
    if (setting.isEmpty()) {
      return new Loaded(null, "difficulty for the allocation rule: the probe's mean PRM score ("
          + KEY + " is empty)");
    }
    Path file = Path.of(setting);
    if (!Files.isRegularFile(file)) {
      return new Loaded(null, "difficulty for the allocation rule: the probe's mean PRM score (no "
          + "policy file at " + file + ", " + KEY + ")");
    }
    Policy policy;
    try {
      policy = JsonFiles.read(file, Policy.class, "policy").validate();
    } catch (JsonFiles.InvalidJsonException | IllegalArgumentException e) {
      throw new IllegalArgumentException(KEY + ": " + e.getMessage()
          + " (set it to a policy.json written by 'reckon sweep', or to \"\" for none)", e);
    }
    if (!policy.models().equals(models)) {
      return new Loaded(null, "difficulty for the allocation rule: the probe's mean PRM score ("
          + file + " was learned with models " + policy.models() + ", these are " + models + ")");
    }
    DifficultyEstimator e = policy.estimator();
    return new Loaded(e, "difficulty for the allocation rule: the " + e.kind() + " estimator of "
        + file + " (hopeless below a predicted pass@1 of " + e.hopelessBelow() + ")");
  }
}
