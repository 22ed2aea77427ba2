package io.reckon.app;

import io.reckon.runtime.JsonFiles;
import io.reckon.search.policy.Policy;
import io.reckon.search.policy.SweepResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code policy.json} and {@code sweep.json} as the commands read them: any problem (missing,
 * malformed, the wrong shape, inconsistent, learned for other models) becomes one line of bad
 * input that names the file.
 */
final class PolicyFiles {
  /** Where {@code reckon run --strategy compute-optimal} looks without {@code --policy}. */
  static final String DEFAULT_POLICY = "models/policy.json";

  private PolicyFiles() {}

  static Policy readPolicy(Path file) {
    if (!Files.exists(file) && file.toString().equals(DEFAULT_POLICY)) {
      throw new Main.BadInput("no policy at " + DEFAULT_POLICY + " (relative to "
          + Path.of("").toAbsolutePath() + "): learn one with 'reckon sweep --out FILE' and pass "
          + "--policy FILE, or run from the repository root");
    }
    Policy policy;
    try {
      policy = JsonFiles.read(file, Policy.class, "policy", Limits.load().input().maxFileBytes());
    } catch (JsonFiles.InvalidJsonException e) {
      throw new Main.BadInput(e.getMessage());
    }
    try {
      return policy.validate();
    } catch (IllegalArgumentException e) {
      throw new Main.BadInput(file + ": " + e.getMessage());
    }
  }

  /** Refuses a policy learned with other models: its choices were measured on those. */
  static void requireModels(Policy policy, Path file, List<String> models) {
    if (!policy.models().equals(models)) {
      throw new Main.BadInput(file + ": the policy was learned with models " + policy.models()
          + " but this run uses " + models + ": learn a policy for these models with 'reckon sweep'");
    }
  }

  static SweepResult readSweep(Path file) {
    try {
      return JsonFiles.read(file, SweepResult.class, "sweep", Limits.load().input().maxFileBytes());
    } catch (JsonFiles.InvalidJsonException e) {
      throw new Main.BadInput(e.getMessage());
    }
  }
}
