package io.reckon.actors;

import io.reckon.protocol.CborSerializable;
import io.reckon.protocol.RunSummary.Pool;
import io.reckon.search.Allocation;
import io.reckon.search.adaptive.AdaptivePool;
import io.reckon.search.adaptive.Votes;
import io.reckon.search.policy.AccuracyCurve;
import io.reckon.search.policy.GainAllocation;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Keeps a run's budget pool and moves it between questions. Each question's probe is set aside
 * for it up front ({@code probe} generations per question that has not reported yet); when the
 * probe is reported, the run's {@link Plan} decides the main grant from the probe and what is
 * left: the heuristic {@link Allocation} rule, a fixed budget per question, or water-filling on
 * a compute-optimal policy's per-bin accuracy curves ({@link GainAllocation}). What a question
 * does not spend comes back to the pool and, except under a fixed plan, raises what the questions
 * after it can get.
 *
 * <p>Under adaptive allocation ({@link ByAdaptive}) there is no probe: each question asks for
 * its next round after every round ({@link NextRound}) and the run's {@link AdaptivePool} answers:
 * its share first, then what settled questions saved, least settled questions first, none for
 * hopeless ones. A question the pool keeps waiting longer than {@link ByAdaptive#maxWait} stops.
 *
 * <p>Books, in generations: {@code granted} (every grant, probes included), {@code returned},
 * {@code remaining}; {@code granted - returned + remaining == total} always holds.
 */
public final class Scheduler extends AbstractBehavior<Scheduler.Command> {

  public sealed interface Command extends CborSerializable {}

  /**
   * A question's probe is done: grant its main search.
   *
   * @param meanScore mean final PRM score of the probe ({@code NaN} when none was scored)
   * @param confidence the leading answer's share of the probe's weighted vote
   * @param samples probe candidates (0 when the run has no probe)
   * @param probeSpent generations the probe spent
   * @param bin the predicted-difficulty bin under a compute-optimal policy (1 = easiest); 0 = none
   */
  public record ProbeReport(
      String questionId,
      double meanScore,
      double confidence,
      int samples,
      long probeSpent,
      int bin,
      ActorRef<Grant> replyTo)
      implements Command {
    public Allocation.Estimate estimate() {
      return new Allocation.Estimate(meanScore, confidence, samples);
    }
  }

  /** A question gives back part of its grant it cannot use. */
  public record Release(String questionId, long generations) implements Command {}

  /** A question is done (answered or failed) and spent this many generations in all. */
  public record Finished(String questionId, long spent) implements Command {}

  public record GetPool(ActorRef<Pool> replyTo) implements Command {}

  /**
   * An open pool (a long-running service) takes one more question, which brings its average
   * share: the pool and its question count grow together, so the books still balance.
   */
  public record Admit(long generations) implements Command {}

  /** The main grant for a question, in generations (on top of its probe). */
  public record Grant(String questionId, int generations) implements CborSerializable {}

  /**
   * Adaptive allocation: a question's votes after a round (none before its first) and what it has
   * spent; it asks whether to sample another round.
   */
  public record NextRound(String questionId, Votes votes, long spent, ActorRef<Round> replyTo)
      implements Command {}

  /**
   * The answer to a {@link NextRound}: sample {@code samples} more, or stop ({@code samples == 0},
   * {@code stopped} says why: settled, cap, hopeless, pool_empty, expired).
   */
  public record Round(String questionId, int samples, String stopped) implements CborSerializable {}

  /** A question waited for the pool longer than allowed. */
  private record WaitExpired(String questionId) implements Command {}

  /** How main grants are decided. */
  public sealed interface Plan {}

  /**
   * Adaptive allocation: questions sample in rounds and the pool moves what settled questions
   * saved to the least settled ones ({@link AdaptivePool}).
   *
   * @param maxWait how long a question waits for budget to come back before it stops
   */
  public record ByAdaptive(AdaptivePool.Settings settings, Duration maxWait) implements Plan {
    public ByAdaptive {
      if (settings == null) {
        throw new IllegalArgumentException("adaptive allocation needs its settings");
      }
      if (maxWait == null || maxWait.isNegative() || maxWait.isZero()) {
        throw new IllegalArgumentException("reckon.scheduler.adaptive.max-wait must be longer than 0");
      }
    }
  }

  /** The heuristic rule: a fair share of what is left, weighted by the probe. */
  public record ByRule(Allocation.Rule rule) implements Plan {}

  /**
   * Every question gets exactly its share of the pool ({@code total / questions}, probe
   * included); what it does not spend is not given to others.
   */
  public record Fixed() implements Plan {}

  /**
   * Greedy water-filling on a compute-optimal policy's concave accuracy curves, one per
   * predicted-difficulty bin (bin 1 first); decisive probes get nothing; a question whose
   * reported score (under a policy: the estimator's predicted pass@1) is below
   * {@code hopelessBelow} never gets more than its fair share.
   */
  public record ByGain(List<AccuracyCurve> curves, GainAllocation.Settings settings, double hopelessBelow)
      implements Plan {
    public ByGain {
      curves = List.copyOf(curves);
      if (curves.isEmpty()) {
        throw new IllegalArgumentException("a gain plan needs one curve per bin, got none");
      }
    }

    /** Without a hopeless cap. */
    public ByGain(List<AccuracyCurve> curves, GainAllocation.Settings settings) {
      this(curves, settings, 0.0);
    }
  }

  /**
   * @param questions questions in the run
   * @param total the pool, in generations (probes included)
   * @param probe generations set aside for each question's probe
   */
  public static Behavior<Command> create(
      int questions, long total, int probe, Allocation.Rule rule) {
    return create(questions, total, probe, new ByRule(rule));
  }

  public static Behavior<Command> create(int questions, long total, int probe, Plan plan) {
    return create(questions, total, probe, plan, Restored.NONE);
  }

  /**
   * A scheduler for a run that continues: {@code restored} holds the books of the questions that
   * finished before (rebuilt from the run's journal), so the pool, the probe reserve and the gain
   * plan's bin mix start where the finished questions left them.
   */
  public static Behavior<Command> create(
      int questions, long total, int probe, Plan plan, Restored restored) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(
        timers -> new Scheduler(ctx, timers, questions, total, probe, plan, restored)));
  }

  /**
   * The books of questions that already finished, in generations.
   *
   * @param finished how many finished (each was probed and granted, and holds nothing now)
   * @param granted what they were granted in all (at least what they spent)
   * @param spent what they spent
   * @param seen under a gain plan: finished questions that were granted by bin ([0] decisive)
   */
  public record Restored(int finished, long granted, long spent, long[] seen) {
    public static final Restored NONE = new Restored(0, 0, 0, new long[0]);

    public Restored {
      if (spent > granted) {
        throw new IllegalArgumentException("spent " + spent + " above granted " + granted);
      }
      seen = seen.clone();
    }
  }

  private int questions;
  private long total;
  private final int probe;
  private final Plan plan;
  /** Under a gain plan: questions granted so far, [0] decisive, [b] of bin b. */
  private final long[] seen;
  /** Generations held by each question that has reported but not finished. */
  private final Map<String, Long> held = new HashMap<>();
  private long granted;
  private long returned;
  private long remaining;
  private long spent;
  private int probed;
  private int mainGranted;
  private final TimerScheduler<Command> timers;
  /** Under an adaptive plan: the pool, and whom to answer for each question that asked. */
  private final AdaptivePool adaptive;
  private final Map<String, ActorRef<Round>> asking = new HashMap<>();

  private Scheduler(
      ActorContext<Command> context, TimerScheduler<Command> timers, int questions, long total,
      int probe, Plan plan, Restored restored) {
    super(context);
    this.timers = timers;
    if (plan instanceof ByAdaptive a) {
      adaptive = new AdaptivePool(total, questions, a.settings());
      adaptive.restore(restored.finished(), restored.granted(), restored.spent());
    } else {
      adaptive = null;
    }
    this.questions = questions;
    this.total = total;
    this.probe = probe;
    this.plan = plan;
    this.seen = plan instanceof ByGain g ? new long[g.curves().size() + 1] : new long[0];
    for (int b = 0; b < Math.min(seen.length, restored.seen().length); b++) {
      seen[b] = restored.seen()[b];
    }
    this.granted = restored.granted();
    this.returned = restored.granted() - restored.spent();
    this.spent = restored.spent();
    this.remaining = total - restored.spent();
    this.probed = restored.finished();
    this.mainGranted = restored.finished();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(ProbeReport.class, this::onProbeReport)
        .onMessage(Release.class, this::onRelease)
        .onMessage(Finished.class, this::onFinished)
        .onMessage(GetPool.class, this::onGetPool)
        .onMessage(Admit.class, this::onAdmit)
        .onMessage(NextRound.class, this::onNextRound)
        .onMessage(WaitExpired.class, this::onWaitExpired)
        .build();
  }

  /** The pool split evenly for main searches: what a hopeless question's fair share stops at. */
  private long evenShare() {
    return Math.max(0, total / Math.max(1, questions) - probe);
  }

  private long reserved() {
    return (long) probe * Math.max(0, questions - probed);
  }

  private Behavior<Command> onNextRound(NextRound ask) {
    if (adaptive == null) {
      getContext().getLog().warn("{} asked for a round, but the run's allocation is not adaptive",
          ask.questionId());
      ask.replyTo().tell(new Round(ask.questionId(), 0, "not adaptive"));
      return this;
    }
    asking.put(ask.questionId(), ask.replyTo());
    deliver(adaptive.next(ask.questionId(), ask.votes(), ask.spent()));
    if (asking.containsKey(ask.questionId())) {
      // Waiting for budget another question may give back: not for ever.
      timers.startSingleTimer(ask.questionId(), new WaitExpired(ask.questionId()),
          ((ByAdaptive) plan).maxWait());
    }
    return this;
  }

  private Behavior<Command> onWaitExpired(WaitExpired expired) {
    if (adaptive != null) {
      deliver(adaptive.expire(expired.questionId()));
    }
    return this;
  }

  private void deliver(List<AdaptivePool.Answer> answers) {
    for (AdaptivePool.Answer a : answers) {
      ActorRef<Round> to = asking.remove(a.questionId());
      timers.cancel(a.questionId());
      if (to == null) {
        continue;
      }
      if (a.decision() instanceof AdaptivePool.Sample s) {
        to.tell(new Round(a.questionId(), s.n(), null));
      } else {
        AdaptivePool.Stop stop = (AdaptivePool.Stop) a.decision();
        to.tell(new Round(a.questionId(), 0, stop.reason().name().toLowerCase(java.util.Locale.ROOT)));
      }
    }
  }

  private Behavior<Command> onProbeReport(ProbeReport report) {
    probed++;
    take(report.questionId(), report.probeSpent());
    long available = remaining - reserved();
    long waiting = Math.max(1, questions - mainGranted);
    int g = grant(report, available, waiting);
    mainGranted++;
    take(report.questionId(), g);
    report.replyTo().tell(new Grant(report.questionId(), g));
    return this;
  }

  private int grant(ProbeReport report, long available, long waiting) {
    if (plan instanceof ByRule r) {
      return Allocation.grant(
          new Allocation.Request(report.estimate(), available, waiting, evenShare()), r.rule());
    }
    if (plan instanceof Fixed) {
      long share = total / Math.max(1, questions) - report.probeSpent();
      return (int) Math.max(0, Math.min(share, available));
    }
    ByGain gain = (ByGain) plan;
    int bins = gain.curves().size();
    if (report.bin() < 1 || report.bin() > bins || !report.estimate().known()) {
      // Not binned (no scored probe): the fair share, as the rule gives an unknown question.
      return (int) Math.max(0, Math.min(available / waiting, Integer.MAX_VALUE));
    }
    boolean decisive = GainAllocation.decisive(report.confidence(), gain.settings());
    int g = GainAllocation.grant(gain.curves(),
        new GainAllocation.Request(report.bin(), report.confidence(), (int) report.probeSpent(),
            available, waiting, seen, report.meanScore() < gain.hopelessBelow(), evenShare()),
        gain.settings());
    seen[decisive ? 0 : report.bin()]++;
    return g;
  }

  private void take(String questionId, long generations) {
    granted += generations;
    remaining -= generations;
    held.merge(questionId, generations, Long::sum);
  }

  private Behavior<Command> onRelease(Release release) {
    Long h = held.get(release.questionId());
    if (h == null) {
      getContext().getLog().warn("release from {} which holds nothing", release.questionId());
      return this;
    }
    long n = Math.max(0, Math.min(release.generations(), h));
    held.put(release.questionId(), h - n);
    give(n);
    return this;
  }

  private void give(long generations) {
    returned += generations;
    remaining += generations;
  }

  private Behavior<Command> onFinished(Finished finished) {
    if (adaptive != null) {
      asking.remove(finished.questionId());
      timers.cancel(finished.questionId());
      deliver(adaptive.finished(finished.questionId(), finished.spent()));
      return this;
    }
    Long h = held.remove(finished.questionId());
    if (h == null) {
      // Failed before its probe was reported: its probe came out of the reserve.
      probed++;
      mainGranted++;
      granted += finished.spent();
      remaining -= finished.spent();
      spent += finished.spent();
      return this;
    }
    if (finished.spent() > h) {
      getContext().getLog().error(
          "{} spent {} generations of a grant of {}", finished.questionId(), finished.spent(), h);
      granted += finished.spent() - h;
      remaining -= finished.spent() - h;
      h = finished.spent();
    }
    give(h - finished.spent());
    spent += finished.spent();
    return this;
  }

  private Behavior<Command> onAdmit(Admit admit) {
    if (adaptive != null) {
      adaptive.admit(admit.generations());
    }
    questions++;
    total += admit.generations();
    remaining += admit.generations();
    return this;
  }

  private Behavior<Command> onGetPool(GetPool get) {
    if (adaptive != null) {
      // granted: what started questions were given (finished ones: spent + returned)
      long given = adaptive.held() + adaptive.spent() + adaptive.returned();
      get.replyTo().tell(new Pool(adaptive.total(), given, adaptive.returned(),
          adaptive.free() + adaptive.reserved(), adaptive.spent()));
      return this;
    }
    get.replyTo().tell(new Pool(total, granted, returned, remaining, spent));
    return this;
  }
}
