package io.reckon.actors;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * One session of a durable run on this node: runs the {@link RunSupervisor} as its child and
 * hands its events to the {@link RunEntity} to persist, in order, with one journal write in
 * flight: what arrives while a write is in flight goes together in the next one (at most
 * {@code batch} events), so that the journal keeps up with a fast run in few, larger writes.
 * Stopping it stops the run's questions.
 */
public final class RunExecution extends AbstractBehavior<RunExecution.Command> {

  public sealed interface Command {}

  /** The entity persisted the last batch. */
  public enum Written implements Command {
    INSTANCE
  }

  private record FromRun(RunSupervisor.Event event) implements Command {}

  public static Behavior<Command> create(
      RunSupervisor.Run run, ReckonSettings settings, ActorRef<RunEntity.Command> entity,
      int batch) {
    return Behaviors.setup(ctx -> new RunExecution(ctx, run, settings, entity, batch));
  }

  private final ActorRef<RunEntity.Command> entity;
  private final int batch;
  private final ArrayDeque<RunSupervisor.Event> queue = new ArrayDeque<>();
  private boolean writing;

  private RunExecution(
      ActorContext<Command> context, RunSupervisor.Run run, ReckonSettings settings,
      ActorRef<RunEntity.Command> entity, int batch) {
    super(context);
    this.entity = entity;
    this.batch = batch;
    ActorRef<RunSupervisor.Event> events =
        context.messageAdapter(RunSupervisor.Event.class, FromRun::new);
    context.spawn(RunSupervisor.create(run, settings, events), "run");
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(FromRun.class, this::onFromRun)
        .onMessageEquals(Written.INSTANCE, this::onWritten)
        .build();
  }

  private Behavior<Command> onFromRun(FromRun from) {
    queue.add(from.event());
    if (!writing) {
      flush();
    }
    return this;
  }

  private Behavior<Command> onWritten() {
    writing = false;
    if (!queue.isEmpty()) {
      flush();
    }
    return this;
  }

  private void flush() {
    List<RunSupervisor.Event> next = new ArrayList<>(Math.min(batch, queue.size()));
    while (!queue.isEmpty() && next.size() < batch) {
      next.add(queue.poll());
    }
    writing = true;
    entity.tell(new RunEntity.Record(next, getContext().getSelf()));
  }
}
