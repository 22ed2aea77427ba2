package io.reckon.server.kafka;

import io.reckon.actors.ReckonSettings;
import io.reckon.actors.RunSupervisor;
import io.reckon.actors.ServiceRun;
import io.reckon.protocol.CborSerializable;
import io.reckon.protocol.Compute;
import io.reckon.protocol.Question;
import io.reckon.protocol.QuestionResult;
import io.reckon.search.StrategyConfig;
import io.reckon.search.policy.Policy;
import io.reckon.search.task.Task;
import io.reckon.search.task.Tasks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * A named long-running run fed by a stream (persistence id {@code stream|<name>}): questions
 * arrive one at a time for as long as the stream has them, share this run's pool and scheduler
 * (its own {@link ServiceRun} child, so the scheduler moves compute between the stream's
 * questions by estimated difficulty), and each answer is journaled before it is handed back.
 * A question whose id the journal already holds is answered from the journal and never computed
 * again; a second ask for a question still searching waits for the same search.
 */
public final class StreamRun
    extends EventSourcedBehavior<StreamRun.Command, StreamRun.Answered, StreamRun.State> {

  public static final String PREFIX = "stream|";

  /** Local only (it carries the parsed strategy and policy), like {@link ServiceRun.Command}. */
  public sealed interface Command {}

  /**
   * One question of the stream.
   *
   * @param strategy the main strategy; {@code null} when {@code policy} chooses it
   * @param budget generations for this question; {@code null}: from the run's pool
   */
  public record Answer(Question question, StrategyConfig strategy, Policy policy, Integer budget,
      long seed, Duration deadline, ActorRef<Outcome> replyTo, Task task) implements Command {
    public Answer(Question question, StrategyConfig strategy, Policy policy, Integer budget,
        long seed, Duration deadline, ActorRef<Outcome> replyTo) {
      this(question, strategy, policy, budget, seed, deadline, replyTo, Tasks.ARITH);
    }
  }

  /**
   * The reply to {@link Answer}; {@code fromJournal}: journaled before, not computed now.
   * {@code result} is {@code null} when the journal could not be read (the caller fails and the
   * record comes again).
   */
  public record Outcome(QuestionResult result, boolean fromJournal) implements CborSerializable {}

  /** Stops the run when nothing is searching (the front door passivates idle runs). */
  public record Passivate() implements Command {}

  /** How many answers the journal holds for this run. */
  public record GetAnswered(ActorRef<Integer> replyTo) implements Command {}

  /** {@code durable}: false for a failure that says nothing about the question (no workers, a lost ask). */
  private record Computed(String id, QuestionResult result, boolean durable) implements Command {}

  /** The one event: a question's result, journaled once per question id. */
  public record Answered(String id, QuestionResult result) implements CborSerializable {}

  /**
   * Where each answered question's event sits in the journal, by question id (the snapshot's
   * shape too). Results themselves stay in the journal, so that a run fed all day holds a few
   * dozen bytes per question in memory, not its candidates.
   *
   * @param events events journaled so far (= the sequence number of the last one)
   */
  public record State(Map<String, Long> answered, long events) implements CborSerializable {
    State add(Answered a) {
      answered.put(a.id(), events + 1);
      return new State(answered, events + 1);
    }
  }

  /** A journaled result read back for a redelivered question; {@code null} when it failed. */
  private record Found(QuestionResult result, String error, ActorRef<Outcome> replyTo)
      implements Command {}

  public static Behavior<Command> create(String name, ReckonSettings settings, int averageBudget,
      int snapshotEvery) {
    return Behaviors.setup(ctx -> new StreamRun(ctx, name, settings, averageBudget, snapshotEvery));
  }

  public static PersistenceId persistenceId(String name) {
    return PersistenceId.ofUniqueId(PREFIX + name);
  }

  private final ActorContext<Command> context;
  private final String persistenceId;
  private final JdbcReadJournal journal;
  private final ActorRef<ServiceRun.Command> service;
  private final int snapshotEvery;
  /** Replies waiting for a question that is searching now, by question id. */
  private final Map<String, List<ActorRef<Outcome>>> searching = new HashMap<>();

  private StreamRun(ActorContext<Command> context, String name, ReckonSettings settings,
      int averageBudget, int snapshotEvery) {
    // A failed journal write restarts the run (and replays it) instead of stopping it: the
    // records waiting on it time out, the stream restarts from the last committed offset.
    super(persistenceId(name), SupervisorStrategy.restartWithBackoff(
        Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2));
    this.context = context;
    this.persistenceId = persistenceId(name).id();
    this.journal = PersistenceQuery.get(context.getSystem())
        .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    this.snapshotEvery = snapshotEvery;
    this.service = context.spawn(ServiceRun.create(settings, averageBudget), "service");
  }

  @Override
  public State emptyState() {
    return new State(new HashMap<>(), 0);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(snapshotEvery, 2);
  }

  @Override
  public CommandHandler<Command, Answered, State> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(Answer.class, this::onAnswer)
        .onCommand(Computed.class, this::onComputed)
        .onCommand(Found.class, this::onFound)
        .onCommand(Passivate.class, (state, p) ->
            searching.isEmpty() ? Effect().stop() : Effect().none())
        .onCommand(GetAnswered.class, (state, get) ->
            Effect().reply(get.replyTo(), state.answered().size()))
        .build();
  }

  private Effect<Answered, State> onAnswer(State state, Answer answer) {
    String id = answer.question().id();
    Long at = state.answered().get(id);
    if (at != null) {
      // Rare (a record redelivered after a crash or rebalance): read the one event back.
      context.pipeToSelf(journal.currentEventsByPersistenceId(persistenceId, at, at)
              .runWith(Sink.head(), context.getSystem()),
          (envelope, error) -> error != null
              ? new Found(null, error.toString(), answer.replyTo())
              : new Found(((Answered) envelope.event()).result(), null, answer.replyTo()));
      return Effect().none();
    }
    List<ActorRef<Outcome>> waiting = searching.get(id);
    if (waiting != null) {
      waiting.add(answer.replyTo());
      return Effect().none();
    }
    waiting = new ArrayList<>();
    waiting.add(answer.replyTo());
    searching.put(id, waiting);
    // The service answers every question by its deadline; the ask's own timeout is a backstop.
    context.ask(ServiceRun.Answer.class, service, answer.deadline().plusSeconds(30),
        replyTo -> new ServiceRun.Ask(answer.question(), answer.strategy(), answer.policy(),
            answer.budget(), answer.seed(), answer.deadline(), replyTo, answer.task()),
        (reply, error) -> reply != null
            ? new Computed(id, reply.result(), !transientFailure(reply.result()))
            : new Computed(id, failed(answer, "no answer from the service run: " + error), false));
    return Effect().none();
  }

  private Effect<Answered, State> onComputed(State state, Computed computed) {
    List<ActorRef<Outcome>> waiting = searching.remove(computed.id());
    Outcome outcome = new Outcome(computed.result(), false);
    if (!computed.durable()) {
      // Published but not journaled: a redelivered record gets another try.
      waiting.forEach(r -> r.tell(outcome));
      return Effect().none();
    }
    return Effect().persist(new Answered(computed.id(), computed.result()))
        .thenRun(s -> waiting.forEach(r -> r.tell(outcome)));
  }

  private Effect<Answered, State> onFound(State state, Found found) {
    if (found.result() == null) {
      context.getLog().warn("reading a journaled result of {} failed: {}", persistenceId,
          found.error());
    }
    return Effect().reply(found.replyTo(), new Outcome(found.result(), true));
  }

  private static boolean transientFailure(QuestionResult r) {
    return r.failed() && r.error() != null && r.error().startsWith(ServiceRun.NO_WORKERS);
  }

  private static QuestionResult failed(Answer answer, String reason) {
    Question q = answer.question();
    String strategy = answer.strategy() != null ? answer.strategy().name()
        : RunSupervisor.COMPUTE_OPTIMAL;
    return new QuestionResult(q.id(), q.level(), null, q.answer(), null, QuestionResult.FAILED,
        reason, strategy, null, 0, 0, 0, 0, 0, null, null, 0, Compute.ZERO, List.of());
  }

  @Override
  public EventHandler<State, Answered> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onEvent(Answered.class, State::add).build();
  }
}
