package io.reckon.app;

import com.typesafe.config.Config;

/**
 * Settings outside {@code ReckonSettings} that a run still depends on, checked at start-up: Pekko
 * reads the blocking dispatcher's pool itself, and a pool of zero threads would hang every model
 * call instead of failing.
 */
final class SettingsCheck {
  static final String BLOCKING_THREADS =
      "reckon.workers.blocking-dispatcher.thread-pool-executor.fixed-pool-size";

  private SettingsCheck() {}

  static void require(Config root) {
    if (root.hasPath(BLOCKING_THREADS)) {
      int threads = root.getInt(BLOCKING_THREADS);
      if (threads < 1 || threads > 4096) {
        throw new IllegalArgumentException(BLOCKING_THREADS + " must be between 1 and 4096 (env "
            + "RECKON_BLOCKING_THREADS), was " + threads);
      }
    }
  }
}
