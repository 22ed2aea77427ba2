package io.reckon.actors;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.reckon.actors.store.StoreSettings;
import io.reckon.protocol.CborSerializable;
import io.reckon.protocol.QuestionResult;
import io.reckon.protocol.RunSpec;
import io.reckon.protocol.RunStatus;
import io.reckon.protocol.RunSummary;
import io.reckon.runtime.UserMessages;
import io.reckon.search.policy.GainAllocation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryFailed;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.slf4j.LoggerFactory;

/**
 * A durable run: an event-sourced entity (persistence id {@code run|<runId>}) whose journal is
 * the truth about the run. {@link RunStarted} records the whole spec, one {@link QuestionFinished}
 * per question records its whole result, {@link RunFinished} or {@link RunCancelled} ends it. Any
 * node can recover it from its id and, told {@link Resume}, continue it: questions that finished
 * are never computed again, the scheduler's books are rebuilt from their results, and the
 * questions that were in flight start from scratch.
 *
 * <p>Executing, it runs a {@link RunSupervisor} as its child, whose results reach it through a
 * {@link RunExecution} (one journal write in flight, the results that arrived meanwhile in the
 * next). A failed journal write stops the entity and with it the run's questions: nothing is
 * computed that is not recorded, and a resume continues once the store is back.
 */
public final class RunEntity
    extends EventSourcedBehavior<RunEntity.Command, RunEntity.Event, RunEntity.State> {

  public static final String ENTITY_TYPE = "run";

  public static PersistenceId persistenceId(String runId) {
    return PersistenceId.of(ENTITY_TYPE, runId); // "run|<runId>"
  }

  // ---------------------------------------------------------------- commands

  /** The public commands are CborSerializable (a sharded entity gets them from other nodes). */
  public sealed interface Command {}

  /** Starts a new run with this id; the reply holds its status. */
  public record Start(RunSpec spec, ActorRef<StatusReply<RunStatus>> replyTo) implements Command, CborSerializable {}

  /**
   * Continues a recovered run that has not ended, on this node. Refused (error reply, one line)
   * when its models, policy or data changed, when it has ended, or when it is executing already.
   */
  public record Resume(ActorRef<StatusReply<RunStatus>> replyTo) implements Command, CborSerializable {}

  /** Cancels a run that has not ended: its questions in flight stop, nothing more is computed. */
  public record Cancel(String reason, ActorRef<StatusReply<RunStatus>> replyTo) implements Command, CborSerializable {}

  /** The run's status; an error reply for a run id the journal does not know. */
  public record GetStatus(ActorRef<StatusReply<RunStatus>> replyTo) implements Command, CborSerializable {}

  /** {@code subscriber} hears every event appended from now on, in order, then {@link Halted}. */
  public record Subscribe(ActorRef<Notification> subscriber) implements Command, CborSerializable {}

  /** From the run's {@link RunExecution}: persist these, then acknowledge. */
  record Record(List<RunSupervisor.Event> events, ActorRef<RunExecution.Command> ack)
      implements Command, CborSerializable {}

  private record Loaded(
      RunEnvironment.Inputs inputs, String error, RunSpec spec,
      ActorRef<StatusReply<RunStatus>> replyTo) implements Command {}

  private record SubscriberGone(ActorRef<Notification> subscriber) implements Command {}

  /** No message for reckon.store.passivate-after: stop if nothing needs this entity live. */
  private enum Idle implements Command { INSTANCE }

  /** From the registry (or the shard) after {@link Runs.Passivate}: stop now. */
  enum Stop implements Command { INSTANCE }

  /** What the shard sends a passivated entity. */
  public static Command stopMessage() {
    return Stop.INSTANCE;
  }

  private record ExecutionStopped(ActorRef<RunExecution.Command> execution) implements Command {}

  // ---------------------------------------------------------------- events

  /**
   * What the journal records; the run's truth. Named types, so that a notification that carries
   * an event reads back as the same event.
   */
  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
  @JsonSubTypes({
      @JsonSubTypes.Type(value = RunStarted.class, name = "RunStarted"),
      @JsonSubTypes.Type(value = QuestionFinished.class, name = "QuestionFinished"),
      @JsonSubTypes.Type(value = RunResumed.class, name = "RunResumed"),
      @JsonSubTypes.Type(value = RunFinished.class, name = "RunFinished"),
      @JsonSubTypes.Type(value = RunCancelled.class, name = "RunCancelled")})
  public sealed interface Event extends CborSerializable {}

  /** Always the run's first event (sequence number 1). */
  public record RunStarted(String runId, Instant at, RunSpec spec) implements Event {}

  /**
   * Question {@code index} (its position in the run's question order) finished.
   *
   * @param started questions started (below this index, every unfinished one was in flight) in
   *     the session that wrote it: what a resume counts as restarted
   */
  public record QuestionFinished(int index, QuestionResult result, int started) implements Event {}

  /** A process continued the run after {@code finished} questions; {@code restarted} were in flight. */
  public record RunResumed(Instant at, int finished, int restarted) implements Event {}

  /** The run's last event when it completed. The summary's pool and workers are its last session's. */
  public record RunFinished(Instant at, RunSummary summary) implements Event {}

  /** The run's last event when it was cancelled. */
  public record RunCancelled(Instant at, String reason) implements Event {}

  /** What a subscriber hears. */
  public sealed interface Notification extends CborSerializable {}

  /** An event was appended to the run's journal at {@code sequenceNr}. */
  public record Appended(long sequenceNr, Event event) implements Notification {}

  /**
   * The run stopped executing on this node without an end event (no workers in time, a failed
   * journal write, the node shutting down): it stays resumable.
   */
  public record Halted(String runId, String reason) implements Notification {}

  // ---------------------------------------------------------------- state

  /**
   * The run as its events tell it, small whatever its length (counts and a bit set, never the
   * results): snapshotted every {@code reckon.store.snapshot-every} events.
   *
   * @param state {@code null} before {@link RunStarted}; then a {@link RunStatus} state
   * @param finished the indices of finished questions, as {@link BitSet#toLongArray()}
   * @param granted generations granted to finished questions (never below what they spent)
   * @param spent generations finished questions spent
   * @param seen gain allocation's bin mix of the finished questions ([0] decisive, [b] bin b)
   * @param started the latest {@link QuestionFinished#started()} of the current session
   */
  public record State(
      String runId, Instant startedAt, RunSpec spec, String state, long[] finished,
      RunTally tally, long granted, long spent, long[] seen, int started, RunSummary summary,
      Instant endedAt)
      implements CborSerializable {

    static State empty(String runId) {
      return new State(runId, null, null, null, new long[0], RunTally.EMPTY, 0, 0, new long[0], 0,
          null, null);
    }

    public boolean exists() {
      return spec != null;
    }

    public boolean ended() {
      return state != null && !RunStatus.RUNNING.equals(state);
    }

    public BitSet finishedSet() {
      return BitSet.valueOf(finished);
    }

    RunStatus status(boolean executing) {
      return new RunStatus(runId, startedAt, state, executing, spec.strategy(), spec.budget(),
          spec.questions().count(), tally.done(), tally.failed(), tally.graded(), tally.correct(),
          tally.generations(), endedAt);
    }

    /** Questions in flight when the last session stopped: unfinished and below its start mark. */
    int inFlight() {
      BitSet f = finishedSet();
      int n = 0;
      for (int i = 0; i < started; i++) {
        if (!f.get(i)) {
          n++;
        }
      }
      return n;
    }

    State with(String newState, RunSummary newSummary, Instant end) {
      return new State(runId, startedAt, spec, newState, finished, tally, granted, spent, seen,
          started, newSummary, end);
    }
  }

  // ---------------------------------------------------------------- behavior

  public static Behavior<Command> create(
      String runId, RunEnvironment environment, ReckonSettings settings, StoreSettings store) {
    return create(runId, environment, settings, store, null, null);
  }

  /** A sharded entity: it asks {@code shard} to passivate it when idle. */
  public static Behavior<Command> create(
      String runId, RunEnvironment environment, ReckonSettings settings, StoreSettings store,
      ActorRef<org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding.ShardCommand> shard) {
    return create(runId, environment, settings, store, null, shard);
  }

  /** As above; {@code registry}, when not null, hears {@link Runs.EntityStopped} when it stops. */
  static Behavior<Command> create(
      String runId, RunEnvironment environment, ReckonSettings settings, StoreSettings store,
      ActorRef<Runs.Command> registry,
      ActorRef<org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding.ShardCommand> shard) {
    // A failed journal write (or recovery) stops the entity, and with it the run's questions; its
    // parent logs the cause in one line, its subscribers hear Halted. No stack trace on stderr.
    return Behaviors.supervise(
            Behaviors.<Command>setup(
                ctx -> new RunEntity(ctx, runId, environment, settings, store, registry, shard)))
        .onFailure(SupervisorStrategy.stop().withLoggingEnabled(false));
  }

  private final ActorContext<Command> context;
  private final String runId;
  private final RunEnvironment environment;
  private final ReckonSettings settings;
  private final StoreSettings store;
  private final ActorRef<Runs.Command> registry;
  private final ActorRef<org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding.ShardCommand>
      shard;
  private final Executor blocking;
  private final Set<ActorRef<Notification>> subscribers = new HashSet<>();
  private ActorRef<RunExecution.Command> execution;
  private int sessions;
  private final io.reckon.actors.store.RunIndex index;
  private long indexedAt = Long.MIN_VALUE;

  private RunEntity(
      ActorContext<Command> context, String runId, RunEnvironment environment,
      ReckonSettings settings, StoreSettings store, ActorRef<Runs.Command> registry,
      ActorRef<org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding.ShardCommand> shard) {
    super(persistenceId(runId));
    this.registry = registry;
    this.shard = shard;
    // Memory stays flat over weeks: an entity that sits idle (not executing, nobody subscribed)
    // stops; the journal and the runs index keep the run.
    context.setReceiveTimeout(store.passivateAfter(), Idle.INSTANCE);
    this.index = io.reckon.actors.store.RunIndex.get(context.getSystem());
    this.context = context;
    this.runId = runId;
    this.environment = environment;
    this.settings = settings;
    this.store = store;
    this.blocking = context.getSystem().dispatchers().lookup(
        DispatcherSelector.fromConfig(settings.workers().blockingDispatcher()));
  }

  @Override
  public State emptyState() {
    return State.empty(runId);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(store.snapshotEvery(), 2);
  }

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(Start.class, this::onStart)
        .onCommand(Resume.class, this::onResume)
        .onCommand(Loaded.class, this::onLoaded)
        .onCommand(Cancel.class, this::onCancel)
        .onCommand(GetStatus.class, this::onGetStatus)
        .onCommand(Subscribe.class, this::onSubscribe)
        .onCommand(SubscriberGone.class, this::onSubscriberGone)
        .onCommand(Record.class, this::onRecord)
        .onCommand(ExecutionStopped.class, this::onExecutionStopped)
        .onCommand(Idle.class, this::onIdle)
        .onCommand(Stop.class, (state, stop) -> Effect().stop())
        .build();
  }

  private Effect<Event, State> onIdle(State state, Idle idle) {
    if (executing() || !subscribers.isEmpty()) {
      return Effect().none();
    }
    if (registry != null) {
      // The registry stops routing to this entity first, then tells it to stop: no command is
      // lost to a stopping entity.
      registry.tell(new Runs.Passivate(runId, context.getSelf()));
    } else if (shard != null) {
      shard.tell(new org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding.Passivate<>(
          context.getSelf()));
    }
    return Effect().none();
  }

  private boolean executing() {
    return execution != null;
  }

  /**
   * A run id the journal does not know: says so and stops (no entity lingers for it). The
   * registry hears of the stop before the caller hears the answer: PostStop comes after the reply,
   * so a caller that asked again at once (the runs API's status, then events, then results) had
   * its command routed to this stopping entity, lost, and its ask timed out (a 503 after 30 s).
   */
  private Effect<Event, State> unknown(ActorRef<StatusReply<RunStatus>> replyTo) {
    return Effect().stop()
        .thenRun(s -> {
          if (registry != null) {
            registry.tell(new Runs.EntityStopped(runId, context.getSelf()));
          }
        })
        .thenReply(replyTo, s -> StatusReply.error("unknown run id " + runId));
  }

  private Effect<Event, State> onStart(State state, Start start) {
    if (state.exists()) {
      return Effect().reply(start.replyTo(), StatusReply.error("run " + runId + " exists already"));
    }
    load(start.spec(), start.replyTo());
    return Effect().none();
  }

  private Effect<Event, State> onResume(State state, Resume resume) {
    if (!state.exists()) {
      return unknown(resume.replyTo());
    }
    if (state.ended()) {
      return Effect().reply(resume.replyTo(),
          StatusReply.error("run " + runId + " is " + state.state() + ": nothing to resume"));
    }
    if (executing()) {
      return Effect().reply(resume.replyTo(),
          StatusReply.error("run " + runId + " is executing already"));
    }
    load(state.spec(), resume.replyTo());
    return Effect().none();
  }

  /** Reads and checks the run's inputs on the blocking dispatcher, then continues in onLoaded. */
  private void load(RunSpec spec, ActorRef<StatusReply<RunStatus>> replyTo) {
    context.pipeToSelf(
        CompletableFuture.supplyAsync(() -> environment.load(spec), blocking),
        (inputs, error) -> new Loaded(inputs, error == null ? null : message(error), spec, replyTo));
  }

  private static String message(Throwable error) {
    Throwable e = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
        ? error.getCause() : error;
    return e instanceof RunEnvironment.InputsChanged ? e.getMessage() : e.toString();
  }

  private Effect<Event, State> onLoaded(State state, Loaded loaded) {
    if (loaded.error() != null) {
      return Effect().reply(loaded.replyTo(),
          StatusReply.error("run " + runId + ": " + loaded.error()));
    }
    if (executing() || state.ended()) {
      return Effect().reply(loaded.replyTo(),
          StatusReply.error("run " + runId + " is executing already or has ended"));
    }
    if (!state.exists()) {
      RunStarted started = new RunStarted(runId, Instant.now(), loaded.spec());
      return Effect()
          .persist(started)
          .thenRun(s -> {
            notifyAppended(List.of(started));
            execute(s, loaded.inputs());
            indexed(s, true);
          })
          .thenReply(loaded.replyTo(), s -> StatusReply.success(s.status(true)));
    }
    RunResumed resumed = new RunResumed(Instant.now(), state.tally().done(), state.inFlight());
    return Effect()
        .persist(resumed)
        .thenRun(s -> {
          notifyAppended(List.of(resumed));
          execute(s, loaded.inputs());
          indexed(s, true);
        })
        .thenReply(loaded.replyTo(), s -> StatusReply.success(s.status(true)));
  }

  private void execute(State state, RunEnvironment.Inputs inputs) {
    RunSpec spec = state.spec();
    RunSupervisor.Allocation allocation =
        RunSupervisor.Allocation.valueOf(spec.allocation().toUpperCase(java.util.Locale.ROOT));
    RunSupervisor.Resumed resumed = new RunSupervisor.Resumed(
        state.finishedSet(),
        new Scheduler.Restored(state.tally().done(), state.granted(), state.spent(), state.seen()),
        state.tally());
    RunSupervisor.Run run = new RunSupervisor.Run(
        inputs.questions().iterator(), inputs.questions().size(), inputs.strategy(), inputs.policy(),
        spec.budget(), spec.seed(), allocation, resumed, WorkerKeys.of(spec.models()),
        inputs.task());
    ReckonSettings runSettings = settings.withSeed(spec.seed()).withProbeSamples(spec.probe());
    sessions++;
    execution = context.spawn(
        RunExecution.create(
            run, runSettings, context.getSelf(), store.writeBatch(), store.writeLinger()),
        "execution-" + sessions);
    context.watchWith(execution, new ExecutionStopped(execution));
  }

  private Effect<Event, State> onExecutionStopped(State state, ExecutionStopped stopped) {
    if (stopped.execution().equals(execution)) {
      execution = null;
      notifyHalted("its execution stopped unexpectedly (see the log)");
    }
    return Effect().none();
  }

  private Effect<Event, State> onRecord(State state, Record record) {
    if (!state.exists() || state.ended()) {
      // Results of a run that was cancelled meanwhile: nothing more is recorded.
      ack(record);
      return Effect().none();
    }
    List<Event> toPersist = new ArrayList<>();
    String halted = null;
    BitSet finished = state.finishedSet();
    for (RunSupervisor.Event e : record.events()) {
      if (e instanceof RunSupervisor.QuestionFinished f) {
        if (!finished.get(f.index())) { // never two results for one question
          finished.set(f.index());
          toPersist.add(new QuestionFinished(f.index(), f.result(), f.started()));
        }
      } else if (e instanceof RunSupervisor.RunFinished f) {
        toPersist.add(new RunFinished(Instant.now(), f.summary()));
      } else if (e instanceof RunSupervisor.RunFailed f) {
        halted = f.reason();
      }
    }
    String haltReason = halted;
    if (toPersist.isEmpty()) {
      ack(record);
      if (haltReason != null) {
        stopExecution();
        notifyHalted(haltReason);
      }
      return Effect().none();
    }
    return Effect().persist(toPersist).thenRun(s -> {
      notifyAppended(toPersist);
      ack(record);
      if (s.ended()) {
        stopExecution();
      }
      indexed(s, s.ended() || haltReason != null);
      if (haltReason != null) {
        stopExecution();
        notifyHalted(haltReason);
      }
    });
  }

  /**
   * Writes the run's status to the runs index: at once for a milestone, else at most once a
   * second (a run of thousands of questions writes one row a second, not one per question).
   */
  private void indexed(State s, boolean milestone) {
    long now = System.nanoTime();
    if (milestone || indexedAt == Long.MIN_VALUE || now - indexedAt > 1_000_000_000L) {
      indexedAt = now;
      index.put(s.status(executing()));
    }
  }

  private static void ack(Record record) {
    record.ack().tell(RunExecution.Written.INSTANCE);
  }

  private void notifyHalted(String reason) {
    for (ActorRef<Notification> s : subscribers) {
      s.tell(new Halted(runId, reason));
    }
  }

  private void stopExecution() {
    if (execution != null) {
      context.unwatch(execution);
      context.stop(execution);
      execution = null;
    }
  }

  private Effect<Event, State> onCancel(State state, Cancel cancel) {
    if (!state.exists()) {
      return unknown(cancel.replyTo());
    }
    if (state.ended()) {
      return Effect().reply(cancel.replyTo(),
          StatusReply.error("run " + runId + " is " + state.state() + " already"));
    }
    RunCancelled cancelled = new RunCancelled(Instant.now(), cancel.reason());
    return Effect()
        .persist(cancelled)
        .thenRun(s -> {
          stopExecution();
          notifyAppended(List.of(cancelled));
          indexed(s, true);
        })
        .thenReply(cancel.replyTo(), s -> StatusReply.success(s.status(false)));
  }

  private Effect<Event, State> onGetStatus(State state, GetStatus get) {
    return state.exists()
        ? Effect().reply(get.replyTo(), StatusReply.success(state.status(executing())))
        : unknown(get.replyTo());
  }

  private Effect<Event, State> onSubscribe(State state, Subscribe subscribe) {
    if (subscribers.add(subscribe.subscriber())) {
      context.watchWith(subscribe.subscriber(), new SubscriberGone(subscribe.subscriber()));
    }
    return Effect().none();
  }

  private Effect<Event, State> onSubscriberGone(State state, SubscriberGone gone) {
    subscribers.remove(gone.subscriber());
    return Effect().none();
  }

  /** Tells subscribers about {@code events}, the last ones persisted, with their sequence numbers. */
  private void notifyAppended(List<Event> events) {
    if (subscribers.isEmpty()) {
      return;
    }
    long first = lastSequenceNumber(context) - events.size() + 1;
    boolean ended = false;
    for (int i = 0; i < events.size(); i++) {
      Appended appended = new Appended(first + i, events.get(i));
      for (ActorRef<Notification> s : subscribers) {
        s.tell(appended);
      }
      ended |= events.get(i) instanceof RunFinished || events.get(i) instanceof RunCancelled;
    }
    if (ended) {
      // Nothing follows the end: the entity holds no subscriber, so it may passivate.
      subscribers.forEach(context::unwatch);
      subscribers.clear();
    }
  }

  // ---------------------------------------------------------------- events -> state

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(RunStarted.class, (s, e) -> new State(e.runId(), e.at(), e.spec(),
            RunStatus.RUNNING, new long[0], RunTally.EMPTY, 0, 0, new long[0], 0, null, null))
        .onEvent(QuestionFinished.class, this::applyFinished)
        .onEvent(RunResumed.class, (s, e) -> new State(s.runId(), s.startedAt(), s.spec(),
            s.state(), s.finished(), s.tally(), s.granted(), s.spent(), s.seen(), 0, s.summary(),
            s.endedAt()))
        .onEvent(RunFinished.class, (s, e) -> s.with(RunStatus.FINISHED, e.summary(), e.at()))
        .onEvent(RunCancelled.class, (s, e) -> s.with(RunStatus.CANCELLED, s.summary(), e.at()))
        .build();
  }

  private State applyFinished(State s, QuestionFinished e) {
    BitSet finished = s.finishedSet();
    finished.set(e.index());
    QuestionResult r = e.result();
    long[] seen = s.seen();
    if ("gain".equals(s.spec().allocation()) && r.bin() != null && r.bin() > 0
        && r.difficulty() != null) {
      // As the scheduler counted it when it granted the question (Scheduler.grant under ByGain).
      boolean decisive = r.confidence() != null
          && GainAllocation.decisive(r.confidence(), settings.gain());
      int slot = decisive ? 0 : r.bin();
      seen = Arrays.copyOf(seen, Math.max(seen.length, slot + 1));
      seen[slot]++;
    }
    return new State(s.runId(), s.startedAt(), s.spec(), s.state(), finished.toLongArray(),
        s.tally().plus(r), s.granted() + Math.max(r.granted(), r.spent()), s.spent() + r.spent(),
        seen, Math.max(s.started(), e.started()), s.summary(), s.endedAt());
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryFailed.class, (state, failed) -> {
          if (registry == null) {
            // A sharded entity has no registry to report its failure (see create), and the
            // supervisor's own report is off: without this line it would stop without a word,
            // and every later command to the run would go unanswered.
            Throwable root = failed.getFailure();
            while (root.getCause() != null && root.getCause() != root) {
              root = root.getCause();
            }
            LoggerFactory.getLogger(Runs.class).error(
                "run {} could not be recovered from the journal: {}", runId,
                UserMessages.scrub(root.toString().replace('\n', ' ')));
          }
        })
        .onSignal(org.apache.pekko.persistence.typed.RecoveryCompleted.class, (state, done) -> {
          // Fills the index for runs written before it existed (and repairs a missed write).
          if (state.exists()) {
            index.put(state.status(false));
          }
        })
        .onSignal(PostStop.instance(), state -> {
          if (state.exists()) {
            index.put(state.status(false));
          }
          // The registry first: a command sent by a subscriber that heard Halted must find the
          // registry ready to recover a new entity, not the stopped one.
          if (registry != null) {
            registry.tell(new Runs.EntityStopped(runId, context.getSelf()));
          }
          if (execution != null) {
            notifyHalted("the run stopped on this node (a failed journal write, or shutdown); "
                + "resume it with its id");
          }
        })
        .build();
  }

}
