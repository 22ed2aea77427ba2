package io.reckon.server;

import com.typesafe.config.Config;
import io.reckon.actors.store.RunIndex;
import io.reckon.actors.store.RunPruner;
import java.time.Duration;
import java.time.Instant;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code reckon.store.prune}: retention in a long-running server. Every {@code every} it deletes
 * the runs that ended longer ago than {@code older-than} and logs what it freed.
 */
final class ScheduledPrune {
  private static final Logger LOG = LoggerFactory.getLogger(ScheduledPrune.class);

  private ScheduledPrune() {}

  /** The age, or {@code null} when pruning is off. */
  static Duration olderThan(Config root) {
    if (!root.hasPath("reckon.store.prune.older-than")) {
      return null;
    }
    String v = root.getString("reckon.store.prune.older-than").strip();
    if (v.isEmpty() || v.equalsIgnoreCase("off") || v.equalsIgnoreCase("false")) {
      return null;
    }
    try {
      return root.getDuration("reckon.store.prune.older-than");
    } catch (RuntimeException e) {
      try {
        return RunPruner.parseAge(v);
      } catch (IllegalArgumentException bad) {
        throw new IllegalArgumentException("reckon.store.prune.older-than (env "
            + "RECKON_PRUNE_OLDER_THAN): " + bad.getMessage() + ", or off", bad);
      }
    }
  }

  static void start(ActorSystem<?> system, Config root) {
    Duration age = olderThan(root);
    if (age == null) {
      return;
    }
    Duration every = root.hasPath("reckon.store.prune.every")
        ? root.getDuration("reckon.store.prune.every") : Duration.ofHours(6);
    RunIndex index = RunIndex.get(system);
    LOG.info("pruning runs that ended more than {} ago, every {}", age, every);
    system.scheduler().scheduleWithFixedDelay(Duration.ofSeconds(10), every, () ->
        index.prune(Instant.now().minus(age)).whenComplete((freed, error) -> {
          if (error != null) {
            LOG.warn("pruning old runs failed: {}", error.toString());
          } else if (freed.runs() > 0) {
            LOG.info("{} that ended more than {} ago", freed.describe(false), age);
          }
        }), system.executionContext());
  }
}
