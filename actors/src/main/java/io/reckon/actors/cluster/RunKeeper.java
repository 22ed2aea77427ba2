package io.reckon.actors.cluster;

import io.reckon.actors.Durations;
import io.reckon.actors.RunEntity;
import io.reckon.actors.store.RunJournal;
import io.reckon.protocol.RunStatus;
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
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.apache.pekko.pattern.StatusReply;

/**
 * Keeps every unfinished run executing somewhere. One per coordinator. When this node is up, and
 * whenever a coordinator is removed from the cluster (it left, or the split-brain resolver downed
 * it), it reads the run ids from the shared journal, asks each run's status through sharding
 * (which recovers a run whose coordinator is gone on a live one) and tells every run that is
 * {@code running} but not executing to {@link RunEntity.Resume}: the run continues from its
 * journal, its finished questions never computed again. Two keepers may both try; the entity
 * serializes them and refuses the second ("executing already").
 *
 * <p>A look-up that gets no answer is asked again, with a growing pause, until the run answers:
 * right after its coordinator is removed, a run's shard has no home until the shard coordinator
 * (a singleton, itself on the dead node when that was the oldest) has moved and recovered its
 * state, which on a loaded machine outlasts any one ask. A keeper that gave up after one ask
 * left such a run {@code running} and executing nowhere, for good. Only a definite answer (a
 * status, or the run's refusal) ends the attempts for a run; {@link #MAX_ATTEMPTS} timeouts in a
 * row end them with an error naming the run.
 */
public final class RunKeeper extends AbstractBehavior<RunKeeper.Command> {

  public sealed interface Command {}

  private record MemberEvent(ClusterEvent.MemberEvent event) implements Command {}

  private record Listed(List<String> ids, Throwable error) implements Command {}

  private record Checked(String runId, RunStatus status, Throwable error) implements Command {}

  private record Resumed(String runId, RunStatus status, Throwable error) implements Command {}

  /** Time to look at run {@code runId} again after a look-up that got no answer. */
  private record Retry(String runId) implements Command {}

  /** Look-ups of one run that may go unanswered in a row before the keeper gives up on it. */
  static final int MAX_ATTEMPTS = 12;

  private static final long MAX_PAUSE_SECONDS = 30;

  public static Behavior<Command> create(Duration askTimeout) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(
        timers -> new RunKeeper(ctx, timers, askTimeout)));
  }

  private final TimerScheduler<Command> timers;
  private final Duration askTimeout;
  private final RunJournal journal;
  /** Unanswered look-ups in a row, per run still being looked at. */
  private final Map<String, Integer> attempts = new HashMap<>();
  private boolean up;

  private RunKeeper(
      ActorContext<Command> context, TimerScheduler<Command> timers, Duration askTimeout) {
    super(context);
    this.timers = timers;
    this.askTimeout = askTimeout;
    this.journal = new RunJournal(context.getSystem());
    ActorRef<ClusterEvent.MemberEvent> events =
        context.messageAdapter(ClusterEvent.MemberEvent.class, MemberEvent::new);
    Cluster.get(context.getSystem()).subscriptions()
        .tell(Subscribe.create(events, ClusterEvent.MemberEvent.class));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(MemberEvent.class, this::onMemberEvent)
        .onMessage(Listed.class, this::onListed)
        .onMessage(Checked.class, this::onChecked)
        .onMessage(Resumed.class, this::onResumed)
        .onMessage(Retry.class, this::onRetry)
        .build();
  }

  private Behavior<Command> onMemberEvent(MemberEvent e) {
    Cluster cluster = Cluster.get(getContext().getSystem());
    if (e.event() instanceof ClusterEvent.MemberUp up && up.member().equals(cluster.selfMember())) {
      this.up = true;
      sweep("this coordinator is up");
    } else if (e.event() instanceof ClusterEvent.MemberRemoved removed
        && removed.member().hasRole(ClusterSettings.COORDINATOR) && up) {
      sweep("coordinator " + removed.member().address() + " was removed");
    }
    return this;
  }

  private void sweep(String why) {
    getContext().getLog().info("looking for unfinished runs to resume: {}", why);
    getContext().pipeToSelf(journal.runIds(), Listed::new);
  }

  private Behavior<Command> onListed(Listed listed) {
    if (listed.error() != null) {
      getContext().getLog().warn("could not list runs: {}", listed.error().toString());
      return this;
    }
    for (String id : listed.ids()) {
      if (attempts.putIfAbsent(id, 0) == null) { // not being looked at already
        check(id);
      }
    }
    return this;
  }

  private void check(String id) {
    getContext().askWithStatus(RunStatus.class, ClusterRuns.run(getContext().getSystem(), id),
        askTimeout, RunEntity.GetStatus::new, (s, error) -> new Checked(id, s, error));
  }

  private Behavior<Command> onChecked(Checked checked) {
    String id = checked.runId();
    if (checked.error() != null) {
      return unanswered(id, "no status", checked.error());
    }
    RunStatus s = checked.status();
    if (RunStatus.RUNNING.equals(s.state()) && !s.executing()) {
      getContext().askWithStatus(RunStatus.class, ClusterRuns.run(getContext().getSystem(), id),
          askTimeout, RunEntity.Resume::new, (r, error) -> new Resumed(id, r, error));
    } else {
      attempts.remove(id);
    }
    return this;
  }

  private Behavior<Command> onResumed(Resumed resumed) {
    if (resumed.error() != null && !(resumed.error() instanceof StatusReply.ErrorMessage)) {
      return unanswered(resumed.runId(), "no answer to resume", resumed.error());
    }
    attempts.remove(resumed.runId());
    if (resumed.error() != null) {
      // Another keeper resumed it first, or its inputs are not on this cluster's coordinators.
      getContext().getLog().info("run {} not resumed: {}", resumed.runId(),
          resumed.error().getMessage());
    } else {
      getContext().getLog().info("resumed run {} ({} of {} questions done)", resumed.runId(),
          resumed.status().done(), resumed.status().questions());
    }
    return this;
  }

  /** The run did not answer in time (its shard is moving, or its node is busy): ask again later. */
  private Behavior<Command> unanswered(String id, String what, Throwable error) {
    int n = attempts.merge(id, 1, Integer::sum);
    if (n >= MAX_ATTEMPTS) {
      attempts.remove(id);
      getContext().getLog().error("run {}: {} after {} attempts ({}); it may be executing nowhere: "
          + "resume it with its id", id, what, n, error.getMessage());
      return this;
    }
    // 1 s, 2 s, 4 s, ... 30 s: quick while the shard settles, then patient (some 4 minutes in all).
    Duration pause = Duration.ofSeconds(Math.min(1L << Math.min(n - 1, 5), MAX_PAUSE_SECONDS));
    getContext().getLog().info("run {}: {} ({}); asking again in {}", id, what,
        error.getClass().getSimpleName(), Durations.human(pause));
    timers.startSingleTimer(id, new Retry(id), pause);
    return this;
  }

  private Behavior<Command> onRetry(Retry retry) {
    if (attempts.containsKey(retry.runId())) {
      check(retry.runId());
    }
    return this;
  }
}
