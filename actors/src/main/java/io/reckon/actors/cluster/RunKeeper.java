package io.reckon.actors.cluster;

import io.reckon.actors.RunEntity;
import io.reckon.actors.store.RunJournal;
import io.reckon.protocol.RunStatus;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
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
 */
public final class RunKeeper extends AbstractBehavior<RunKeeper.Command> {

  public sealed interface Command {}

  private record MemberEvent(ClusterEvent.MemberEvent event) implements Command {}

  private record Listed(List<String> ids, Throwable error) implements Command {}

  private record Checked(String runId, RunStatus status, Throwable error) implements Command {}

  private record Resumed(String runId, RunStatus status, Throwable error) implements Command {}

  public static Behavior<Command> create(Duration askTimeout) {
    return Behaviors.setup(ctx -> new RunKeeper(ctx, askTimeout));
  }

  private final Duration askTimeout;
  private final RunJournal journal;
  private boolean up;

  private RunKeeper(ActorContext<Command> context, Duration askTimeout) {
    super(context);
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
      getContext().askWithStatus(RunStatus.class, ClusterRuns.run(getContext().getSystem(), id),
          askTimeout, RunEntity.GetStatus::new, (s, error) -> new Checked(id, s, error));
    }
    return this;
  }

  private Behavior<Command> onChecked(Checked checked) {
    if (checked.error() != null) {
      getContext().getLog().warn("run {}: no status ({})", checked.runId(), checked.error().toString());
      return this;
    }
    RunStatus s = checked.status();
    if (RunStatus.RUNNING.equals(s.state()) && !s.executing()) {
      String id = checked.runId();
      getContext().askWithStatus(RunStatus.class, ClusterRuns.run(getContext().getSystem(), id),
          askTimeout, RunEntity.Resume::new, (r, error) -> new Resumed(id, r, error));
    }
    return this;
  }

  private Behavior<Command> onResumed(Resumed resumed) {
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
}
