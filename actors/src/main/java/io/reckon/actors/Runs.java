package io.reckon.actors;

import io.reckon.actors.store.StoreSettings;
import io.reckon.protocol.RunSpec;
import io.reckon.protocol.RunStatus;
import io.reckon.runtime.UserMessages;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.ChildFailed;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.pattern.StatusReply;

/**
 * This node's runs, by id: starts new ones and hands any command to a run's {@link RunEntity},
 * recovering it from the journal when it is not live here. (The cluster shards the entities by
 * run id instead; their protocol stays the same.)
 */
public final class Runs extends AbstractBehavior<Runs.Command> {

  public sealed interface Command {}

  /**
   * Starts a run under a new id; the reply's status carries the id. {@code subscriber}, when not
   * null, hears every event of the run from its {@code RunStarted} on (see {@link
   * RunEntity.Subscribe}).
   */
  public record StartRun(
      RunSpec spec, ActorRef<RunEntity.Notification> subscriber,
      ActorRef<StatusReply<RunStatus>> replyTo)
      implements Command {
    public StartRun(RunSpec spec, ActorRef<StatusReply<RunStatus>> replyTo) {
      this(spec, null, replyTo);
    }
  }

  /** Any command to the run {@code runId}. */
  public record ToRun(String runId, RunEntity.Command command) implements Command {}

  /** From a run entity that has been idle: stop routing to it, then tell it to stop. */
  record Passivate(String runId, ActorRef<RunEntity.Command> entity) implements Command {}

  /** From a run entity that stops (before its parent hears of it from the actor system). */
  record EntityStopped(String runId, ActorRef<RunEntity.Command> entity) implements Command {}

  public static Behavior<Command> create(
      RunEnvironment environment, ReckonSettings settings, StoreSettings store) {
    return Behaviors.setup(ctx -> new Runs(ctx, environment, settings, store));
  }

  private final RunEnvironment environment;
  private final ReckonSettings settings;
  private final StoreSettings store;
  private final Map<String, ActorRef<RunEntity.Command>> live = new HashMap<>();
  /** Entities told to stop, and the commands for their runs that came meanwhile. */
  private final Map<String, ActorRef<RunEntity.Command>> stopping = new HashMap<>();
  private final Map<String, java.util.List<RunEntity.Command>> buffered = new HashMap<>();
  /** Names entities uniquely: a run's next entity may start before its last one's name is free. */
  private long spawned;

  private Runs(
      ActorContext<Command> context, RunEnvironment environment, ReckonSettings settings,
      StoreSettings store) {
    super(context);
    this.environment = environment;
    this.settings = settings;
    this.store = store;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(StartRun.class, this::onStartRun)
        .onMessage(ToRun.class, this::onToRun)
        .onMessage(EntityStopped.class, this::onEntityStopped)
        .onMessage(Passivate.class, this::onPassivate)
        .onMessage(CountLive.class, this::onCountLive)
        .onSignal(ChildFailed.class, this::onChildFailed)
        .onSignal(Terminated.class, this::onTerminated)
        .build();
  }

  private Behavior<Command> onStartRun(StartRun start) {
    String id = RunIds.next(Instant.now());
    while (live.containsKey(id) || stopping.containsKey(id)) {
      id = RunIds.next(Instant.now());
    }
    ActorRef<RunEntity.Command> entity = entity(id);
    if (start.subscriber() != null) {
      entity.tell(new RunEntity.Subscribe(start.subscriber()));
    }
    entity.tell(new RunEntity.Start(start.spec(), start.replyTo()));
    return this;
  }

  private Behavior<Command> onToRun(ToRun to) {
    if (stopping.containsKey(to.runId())) {
      buffered.computeIfAbsent(to.runId(), k -> new java.util.ArrayList<>()).add(to.command());
      return this;
    }
    entity(to.runId()).tell(to.command());
    return this;
  }

  private Behavior<Command> onPassivate(Passivate p) {
    if (p.entity().equals(live.get(p.runId()))) {
      live.remove(p.runId());
      stopping.put(p.runId(), p.entity());
      p.entity().tell(RunEntity.Stop.INSTANCE);
    }
    return this;
  }

  /** The entity of {@code runId} is gone: commands that waited for it go to a new one. */
  private void stopped(String runId, ActorRef<RunEntity.Command> entity) {
    if (runId != null && entity.equals(stopping.get(runId))) {
      stopping.remove(runId);
      java.util.List<RunEntity.Command> waiting = buffered.remove(runId);
      if (waiting != null) {
        ActorRef<RunEntity.Command> fresh = entity(runId);
        waiting.forEach(fresh::tell);
      }
    }
  }

  /** Entities live on this node now (tests: passivation keeps it bounded). */
  public record CountLive(ActorRef<Integer> replyTo) implements Command {}

  private Behavior<Command> onCountLive(CountLive count) {
    count.replyTo().tell(live.size() + stopping.size());
    return this;
  }

  private ActorRef<RunEntity.Command> entity(String runId) {
    return live.computeIfAbsent(runId, id -> {
      ActorRef<RunEntity.Command> ref = getContext().spawn(
          RunEntity.create(id, environment, settings, store, getContext().getSelf(), null),
          "run-" + id + "-" + (++spawned));
      getContext().watch(ref);
      return ref;
    });
  }

  private Behavior<Command> onEntityStopped(EntityStopped stopped) {
    live.remove(stopped.runId(), stopped.entity());
    stopped(stopped.runId(), stopped.entity());
    return this;
  }

  private Behavior<Command> onChildFailed(ChildFailed failed) {
    Throwable root = failed.getCause();
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    // Users read this line: the database's words, without Java class names.
    getContext().getLog().error("{} stopped: {} ({})", failed.getRef().path().name(),
        UserMessages.scrub(failed.getCause().getMessage()),
        UserMessages.scrub(root.toString().replace('\n', ' ').split("; SQL statement")[0]));
    return onTerminated(failed);
  }

  private Behavior<Command> onTerminated(Terminated terminated) {
    ActorRef<RunEntity.Command> ref = terminated.getRef().unsafeUpcast();
    live.values().remove(ref);
    String runId = null;
    for (Map.Entry<String, ActorRef<RunEntity.Command>> e : stopping.entrySet()) {
      if (e.getValue().equals(ref)) {
        runId = e.getKey();
      }
    }
    stopped(runId, ref);
    return this;
  }
}
