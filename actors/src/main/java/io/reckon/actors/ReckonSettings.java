package io.reckon.actors;

import com.typesafe.config.Config;
import io.reckon.search.Allocation;
import io.reckon.search.adaptive.AdaptivePool;
import io.reckon.search.adaptive.StoppingRule;
import io.reckon.search.StrategyConfig;
import io.reckon.search.policy.DifficultyEstimator;
import io.reckon.search.policy.GainAllocation;
import java.time.Duration;

/**
 * Everything under {@code reckon { }}, read once from HOCON into typed records (see
 * {@code config/*.conf} for what each key means). Actors get these, never a {@link Config}.
 */
public record ReckonSettings(
    RunSettings run,
    QuestionSettings question,
    Allocation.Rule allocation,
    GainAllocation.Settings gain,
    WorkerSettings workers,
    Duration progressInterval,
    DifficultyEstimator estimator,
    AdaptiveSettings adaptive) {

  public ReckonSettings {
    positive("reckon.progress.interval", progressInterval);
    if (adaptive == null) {
      adaptive = AdaptiveSettings.DEFAULT;
    }
  }

  public ReckonSettings(RunSettings run, QuestionSettings question, Allocation.Rule allocation,
      GainAllocation.Settings gain, WorkerSettings workers, Duration progressInterval,
      DifficultyEstimator estimator) {
    this(run, question, allocation, gain, workers, progressInterval, estimator, AdaptiveSettings.DEFAULT);
  }

  /**
   * Adaptive allocation ({@code reckon.scheduler.adaptive}): the pool's stopping rule, round size,
   * per-question cap and hopeless threshold, and how long a question waits for budget to come back.
   */
  public record AdaptiveSettings(AdaptivePool.Settings pool, Duration maxWait, boolean inServe) {
    public static final AdaptiveSettings DEFAULT = new AdaptiveSettings(
        new AdaptivePool.Settings(new StoppingRule.PosteriorBeta(0.95), 1, 0, 0.2), Duration.ofSeconds(5), false);

    public AdaptiveSettings(AdaptivePool.Settings pool, Duration maxWait) {
      this(pool, maxWait, false);
    }

    public AdaptiveSettings {
      if (pool == null) {
        throw new IllegalArgumentException("reckon.scheduler.adaptive: settings missing");
      }
      positive("reckon.scheduler.adaptive.max-wait", maxWait);
    }

    /** The same with another rule, round size or cap (a command line's choice); null keeps. */
    public AdaptiveSettings with(StoppingRule rule, Integer round, Integer maxPerQuestion) {
      return new AdaptiveSettings(new AdaptivePool.Settings(
          rule != null ? rule : pool.rule(),
          round != null ? round : pool.round(),
          maxPerQuestion != null ? maxPerQuestion : pool.maxPerQuestion(),
          pool.hopelessBelow()), maxWait, inServe);
    }
  }

  /** The same settings with other adaptive-allocation settings. */
  public ReckonSettings withAdaptive(AdaptiveSettings a) {
    return new ReckonSettings(run, question, allocation, gain, workers, progressInterval, estimator, a);
  }

  /**
   * @param estimator the difficulty estimator that runs without a compute-optimal policy allocate
   *     by (a policy's own estimator, read by {@link EstimatorFile}); {@code null}: the rule reads
   *     the probe's mean PRM score
   */
  public ReckonSettings(RunSettings run, QuestionSettings question, Allocation.Rule allocation,
      GainAllocation.Settings gain, WorkerSettings workers, Duration progressInterval) {
    this(run, question, allocation, gain, workers, progressInterval, null);
  }

  /** The same settings with a difficulty estimator for runs without a policy ({@code null}: none). */
  public ReckonSettings withEstimator(DifficultyEstimator e) {
    return new ReckonSettings(run, question, allocation, gain, workers, progressInterval, e, adaptive);
  }

  /**
   * The rule's parameters for a run: its hopeless threshold is on the scale of the score the
   * questions report, so with an estimator (the policy's, else this node's) it is the estimator's.
   */
  public Allocation.Rule allocationFor(DifficultyEstimator policyEstimator) {
    DifficultyEstimator e = policyEstimator != null ? policyEstimator : estimator;
    return e == null ? allocation : allocation.withHopelessBelow(e.hopelessBelow());
  }

  public record RunSettings(
      int concurrency,
      long seed,
      Duration workersTimeout,
      Duration statsTimeout,
      Duration lostQuestionGrace) {
    public RunSettings {
      atLeast("reckon.run.concurrency", concurrency, 1);
      positive("reckon.run.workers-timeout", workersTimeout);
      positive("reckon.run.stats-timeout", statsTimeout);
      positive("reckon.run.lost-question-grace", lostQuestionGrace);
    }
  }

  public record QuestionSettings(
      int probeSamples,
      StrategyConfig probeStrategy,
      Duration requestTimeout,
      int maxRetries,
      Duration grantTimeout,
      Duration timeout) {
    public QuestionSettings {
      atLeast("reckon.question.probe-samples", probeSamples, 0);
      atLeast("reckon.question.max-retries", maxRetries, 0);
      positive("reckon.question.request-timeout", requestTimeout);
      positive("reckon.question.grant-timeout", grantTimeout);
      positive("reckon.question.timeout", timeout);
    }
  }

  public record WorkerSettings(
      int count,
      int batchSize,
      Duration linger,
      Duration minBackoff,
      Duration maxBackoff,
      double randomFactor,
      int stashCapacity,
      String blockingDispatcher,
      int maxInFlight,
      Duration loadInterval) {
    public WorkerSettings {
      atLeast("reckon.workers.count", count, 1);
      atLeast("reckon.workers.batch-size", batchSize, 1);
      atLeast("reckon.workers.max-in-flight", maxInFlight, 1);
      positive("reckon.workers.restart.min-backoff", minBackoff);
      if (maxBackoff.compareTo(minBackoff) < 0) {
        throw new IllegalArgumentException("reckon.workers.restart.max-backoff must be at least "
            + "min-backoff (" + Durations.human(minBackoff) + "), was " + Durations.human(maxBackoff));
      }
      if (!(randomFactor >= 0 && randomFactor <= 1)) {
        throw new IllegalArgumentException(
            "reckon.workers.restart.random-factor must be between 0 and 1, was " + randomFactor);
      }
      atLeast("reckon.workers.restart.stash-capacity", stashCapacity, 1);
      if (linger.isNegative()) {
        throw new IllegalArgumentException("reckon.workers.linger must be >= 0, was " + Durations.human(linger));
      }
    }
  }

  /** Reads {@code reckon { }} from a resolved configuration (e.g. the actor system's). */
  public static ReckonSettings from(Config root) {
    Config c = root.getConfig("reckon");
    Config run = c.getConfig("run");
    Config q = c.getConfig("question");
    Config a = c.getConfig("scheduler.allocation");
    Config g = c.getConfig("scheduler.gain");
    Config w = c.getConfig("workers");
    String probeSpec = q.getString("probe-strategy");
    StrategyConfig probe;
    try {
      probe = StrategyConfig.parse(probeSpec);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("reckon.question.probe-strategy: " + e.getMessage(), e);
    }
    return new ReckonSettings(
        new RunSettings(
            run.getInt("concurrency"),
            run.getLong("seed"),
            run.getDuration("workers-timeout"),
            run.getDuration("stats-timeout"),
            run.getDuration("lost-question-grace")),
        new QuestionSettings(
            q.getInt("probe-samples"),
            probe,
            q.getDuration("request-timeout"),
            q.getInt("max-retries"),
            q.getDuration("grant-timeout"),
            q.getDuration("timeout")),
        new Allocation.Rule(
            a.getDouble("edge-weight"),
            a.getDouble("middle-weight"),
            a.getDouble("agreement-discount"),
            a.getDouble("hopeless-below"),
            a.getDouble("hopeless-weight"),
            a.getDouble("max-factor")),
        gain(g),
        new WorkerSettings(
            w.getInt("count"),
            w.getInt("batch-size"),
            w.getDuration("linger"),
            w.getDuration("restart.min-backoff"),
            w.getDuration("restart.max-backoff"),
            w.getDouble("restart.random-factor"),
            w.getInt("restart.stash-capacity"),
            "reckon.workers.blocking-dispatcher",
            w.getInt("max-in-flight"),
            w.getDuration("load-interval")),
        c.getDuration("progress.interval"),
        null,
        adaptive(c.getConfig("scheduler.adaptive")));
  }

  public ReckonSettings withSeed(long seed) {
    return new ReckonSettings(
        new RunSettings(
            run.concurrency(), seed, run.workersTimeout(), run.statsTimeout(),
            run.lostQuestionGrace()),
        question, allocation, gain, workers, progressInterval, estimator, adaptive);
  }

  /** The same settings with another probe size (a durable run keeps the one it started with). */
  public ReckonSettings withProbeSamples(int probeSamples) {
    return new ReckonSettings(
        run,
        new QuestionSettings(
            probeSamples, question.probeStrategy(), question.requestTimeout(),
            question.maxRetries(), question.grantTimeout(), question.timeout()),
        allocation, gain, workers, progressInterval, estimator, adaptive);
  }

  private static AdaptiveSettings adaptive(Config a) {
    StoppingRule rule;
    try {
      rule = StoppingRule.parse(a.getString("rule"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("reckon.scheduler.adaptive.rule: " + e.getMessage(), e);
    }
    try {
      return new AdaptiveSettings(new AdaptivePool.Settings(rule, a.getInt("round"),
          a.getInt("max-per-question"), a.getDouble("hopeless-below")), a.getDuration("max-wait"),
          a.hasPath("in-serve") && a.getBoolean("in-serve"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("reckon.scheduler." + e.getMessage(), e);
    }
  }

  private static GainAllocation.Settings gain(Config g) {
    try {
      return new GainAllocation.Settings(
          g.getDouble("decisive-confidence"), g.getDouble("prior-weight"), g.getDouble("max-factor"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("reckon.scheduler." + e.getMessage(), e);
    }
  }

  // A zero timeout would fail every request (or the run) before any answer could arrive.
  private static void positive(String key, Duration d) {
    if (d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(key + " must be longer than 0 (e.g. 30s), was " + Durations.human(d));
    }
  }

  private static void atLeast(String key, long value, long min) {
    if (value < min) {
      throw new IllegalArgumentException(key + " must be >= " + min + ", was " + value);
    }
  }
}
