package io.reckon.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.reckon.runtime.InputLimits;

/**
 * {@code reckon.limits}: what one command may read and spend, checked before any work so that a
 * mistaken {@code --budget 1000000000} or {@code --data /dev/zero} ends in one line naming the
 * limit and the setting that raises it, not in an exhausted heap.
 *
 * @param input bounds on the files a command reads
 * @param maxBudget generations one question may be given ({@code --budget}, a sweep's budgets and pool)
 * @param maxWorkers proposer/verifier worker pairs one node may start ({@code --workers})
 */
record Limits(InputLimits input, int maxBudget, int maxWorkers) {
  Limits {
    if (maxBudget < 1) {
      throw new IllegalArgumentException("reckon.limits.max-budget must be >= 1, was " + maxBudget);
    }
    if (maxWorkers < 1) {
      throw new IllegalArgumentException("reckon.limits.max-workers must be >= 1, was " + maxWorkers);
    }
  }

  static Limits from(Config root) {
    Config c = root.getConfig("reckon.limits");
    long lineBytes = c.getBytes("max-line-bytes");
    long fileBytes = c.getBytes("max-file-bytes");
    if (lineBytes > Integer.MAX_VALUE) {
      throw new ConfigException.BadValue("reckon.limits.max-line-bytes", "at most 2g");
    }
    return new Limits(
        new InputLimits((int) lineBytes, c.getInt("max-question-chars"), c.getInt("max-questions"),
            fileBytes),
        c.getInt("max-budget"), c.getInt("max-workers"));
  }

  /** The limits of the loaded configuration; a bad value is bad input. */
  static Limits load() {
    try {
      return from(com.typesafe.config.ConfigFactory.load());
    } catch (ConfigException | IllegalArgumentException e) {
      throw new Main.BadInput("configuration: " + e.getMessage());
    }
  }

  /** Refuses a per-question budget above {@link #maxBudget}. */
  void requireBudget(String option, long budget) {
    if (budget > maxBudget) {
      throw new Main.BadInput(option + " " + budget + " is above the limit of " + maxBudget
          + " generations per question (reckon.limits.max-budget, env RECKON_MAX_BUDGET): every "
          + "question in flight holds that many candidates");
    }
  }

  /**
   * Refuses a {@code --workers} below 1 or above {@link #maxWorkers}; {@code null} (the option not
   * given: reckon.workers.count, checked with the settings) passes. Every command that starts
   * workers calls this one check.
   */
  void requireWorkers(Integer workers) {
    if (workers == null) {
      return;
    }
    if (workers < 1) {
      throw new Main.BadInput("--workers must be >= 1 (got " + workers + ")");
    }
    if (workers > maxWorkers) {
      throw new Main.BadInput("--workers " + workers + " is above the limit of " + maxWorkers
          + " worker pairs (reckon.limits.max-workers, env RECKON_MAX_WORKERS)");
    }
  }
}
