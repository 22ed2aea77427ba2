package io.reckon.actors;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * One session of a durable run on this node: runs the {@link RunSupervisor} as its child and
 * hands its events to the {@link RunEntity} to persist, in order, with one journal write in
 * flight: what arrives while a write is in flight, or within {@code linger} of the first event
 * waiting, goes together in the next one (at most {@code batch} events), so that the journal keeps
 * up with a fast run in few, larger writes (each write is a database commit). The run's end goes
 * at once. Stopping it stops the run's questions.
 */
public final class RunExecution extends AbstractBehavior<RunExecution.Command> {

  public sealed interface Command {}

  /** The entity persisted the last batch. */
  public enum Written implements Command {
    INSTANCE
  }

  private record FromRun(RunSupervisor.Event event) implements Command {}

  private enum Linger implements Command {
    DONE
  }

  public static Behavior<Command> create(
      RunSupervisor.Run run, ReckonSettings settings, ActorRef<RunEntity.Command> entity,
      int batch, Duration linger) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(
        timers -> new RunExecution(ctx, timers, run, settings, entity, batch, linger)));
  }

  private final TimerScheduler<Command> timers;
  private final ActorRef<RunEntity.Command> entity;
  private final int batch;
  private final Duration linger;
  private final ArrayDeque<RunSupervisor.Event> queue = new ArrayDeque<>();
  private boolean writing;
  private boolean ended;

  private RunExecution(
      ActorContext<Command> context, TimerScheduler<Command> timers, RunSupervisor.Run run,
      ReckonSettings settings, ActorRef<RunEntity.Command> entity, int batch, Duration linger) {
    super(context);
    this.timers = timers;
    this.entity = entity;
    this.batch = batch;
    this.linger = linger;
    ActorRef<RunSupervisor.Event> events =
        context.messageAdapter(RunSupervisor.Event.class, FromRun::new);
    context.spawn(RunSupervisor.create(run, settings, events), "run");
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(FromRun.class, this::onFromRun)
        .onMessageEquals(Written.INSTANCE, this::onWritten)
        .onMessageEquals(Linger.DONE, this::onLingered)
        .build();
  }

  private Behavior<Command> onFromRun(FromRun from) {
    queue.add(from.event());
    ended |= !(from.event() instanceof RunSupervisor.QuestionFinished);
    next();
    return this;
  }

  private Behavior<Command> onWritten() {
    writing = false;
    next();
    return this;
  }

  private Behavior<Command> onLingered() {
    if (!writing && !queue.isEmpty()) {
      flush();
    }
    return this;
  }

  /** Writes now when a batch is full or the run has ended; otherwise lets more results gather. */
  private void next() {
    if (writing || queue.isEmpty()) {
      return;
    }
    if (queue.size() >= batch || ended || linger.isZero()) {
      flush();
    } else if (!timers.isTimerActive(Linger.DONE)) {
      timers.startSingleTimer(Linger.DONE, Linger.DONE, linger);
    }
  }

  private void flush() {
    timers.cancel(Linger.DONE);
    List<RunSupervisor.Event> next = new ArrayList<>(Math.min(batch, queue.size()));
    while (!queue.isEmpty() && next.size() < batch) {
      next.add(queue.poll());
    }
    writing = true;
    entity.tell(new RunEntity.Record(next, getContext().getSelf()));
  }
}
