package io.reckon.actors;

import io.reckon.protocol.CborSerializable;
import io.reckon.protocol.RunSummary.Pool;
import io.reckon.search.Allocation;
import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Keeps a run's budget pool and moves it between questions. Each question's probe is set aside
 * for it up front ({@code probe} generations per question that has not reported yet); when the
 * probe is reported, {@link Allocation} decides the main grant from the probe and what is left;
 * what a question does not spend comes back to the pool and raises the fair share of the
 * questions after it.
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
   */
  public record ProbeReport(
      String questionId,
      double meanScore,
      double confidence,
      int samples,
      long probeSpent,
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

  /** The main grant for a question, in generations (on top of its probe). */
  public record Grant(String questionId, int generations) implements CborSerializable {}

  /**
   * @param questions questions in the run
   * @param total the pool, in generations (probes included)
   * @param probe generations set aside for each question's probe
   */
  public static Behavior<Command> create(
      int questions, long total, int probe, Allocation.Rule rule) {
    return Behaviors.setup(ctx -> new Scheduler(ctx, questions, total, probe, rule));
  }

  private final int questions;
  private final long total;
  private final int probe;
  private final Allocation.Rule rule;
  /** Generations held by each question that has reported but not finished. */
  private final Map<String, Long> held = new HashMap<>();
  private long granted;
  private long returned;
  private long remaining;
  private long spent;
  private int probed;
  private int mainGranted;

  private Scheduler(
      ActorContext<Command> context, int questions, long total, int probe, Allocation.Rule rule) {
    super(context);
    this.questions = questions;
    this.total = total;
    this.probe = probe;
    this.rule = rule;
    this.remaining = total;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(ProbeReport.class, this::onProbeReport)
        .onMessage(Release.class, this::onRelease)
        .onMessage(Finished.class, this::onFinished)
        .onMessage(GetPool.class, this::onGetPool)
        .build();
  }

  private long reserved() {
    return (long) probe * Math.max(0, questions - probed);
  }

  private Behavior<Command> onProbeReport(ProbeReport report) {
    probed++;
    take(report.questionId(), report.probeSpent());
    long available = remaining - reserved();
    int g = Allocation.grant(
        new Allocation.Request(report.estimate(), available, Math.max(1, questions - mainGranted)),
        rule);
    mainGranted++;
    take(report.questionId(), g);
    report.replyTo().tell(new Grant(report.questionId(), g));
    return this;
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

  private Behavior<Command> onGetPool(GetPool get) {
    get.replyTo().tell(new Pool(total, granted, returned, remaining, spent));
    return this;
  }
}
