package io.reckon.actors;

import io.reckon.protocol.CborSerializable;
import io.reckon.protocol.Compute;
import io.reckon.protocol.Question;
import io.reckon.protocol.QuestionResult;
import io.reckon.protocol.RunSummary.Pool;
import io.reckon.search.StrategyConfig;
import io.reckon.search.policy.Policy;
import io.reckon.search.task.Task;
import io.reckon.search.task.Tasks;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

/**
 * The long-running service run behind the OpenAI-compatible endpoint: single questions arrive
 * one {@link Ask} at a time, for as long as the service lives. Questions that name no budget share
 * one open pool (each brings {@code averageBudget} generations, see {@link Scheduler.Admit}), so
 * the scheduler moves compute between concurrent requests by their probes' estimated difficulty,
 * as it does between the questions of a research run. A question that names its budget gets
 * exactly that, from a pool of its own. At most {@code reckon.run.concurrency} questions search
 * at once; the rest wait in order (the HTTP layer bounds how many are admitted). Each question has
 * a deadline: past it a running search is cut short (the probe's answer, or a failure) and a
 * waiting one is answered as failed without starting.
 */
public final class ServiceRun extends AbstractBehavior<ServiceRun.Command> {

  /** How the error of a question refused for want of workers begins. */
  public static final String NO_WORKERS = "no workers";

  public sealed interface Command {}

  /**
   * One question to answer.
   *
   * @param strategy the main strategy; {@code null} when {@code policy} chooses it
   * @param budget generations for this question, probe included; {@code null}: from the pool
   * @param deadline how long the question may take, from when it is received
   * @param task how its answers are extracted, voted on and graded
   */
  public record Ask(
      Question question,
      StrategyConfig strategy,
      Policy policy,
      Integer budget,
      long seed,
      Duration deadline,
      ActorRef<Answer> replyTo,
      Task task)
      implements Command {
    public Ask {
      if (task == null) {
        task = Tasks.ARITH;
      }
      if ((strategy == null) == (policy == null)) {
        throw new IllegalArgumentException("a question needs a strategy or a policy, not both");
      }
      if (budget != null && budget < 1) {
        throw new IllegalArgumentException("budget must be >= 1 generation, was " + budget);
      }
    }

    public Ask(Question question, StrategyConfig strategy, Policy policy, Integer budget, long seed,
        Duration deadline, ActorRef<Answer> replyTo) {
      this(question, strategy, policy, budget, seed, deadline, replyTo, Tasks.ARITH);
    }
  }

  /** The one reply to an {@link Ask}; {@code pooled}: its budget came from the shared pool. */
  public record Answer(QuestionResult result, boolean pooled) implements CborSerializable {}

  public record GetStatus(ActorRef<Status> replyTo) implements Command {}

  /**
   * The client of question {@code questionId} went away: a waiting question is answered as
   * cancelled without starting, a searching one is cut short now (its workers freed, its
   * generations back in the pool) instead of at its deadline.
   */
  public record Cancel(String questionId) implements Command {}

  /** How the error of a question cancelled by its client begins. */
  public static final String CANCELLED = "cancelled";

  /**
   * @param proposers proposer workers registered
   * @param verifiers verifier workers registered
   * @param active questions searching now
   * @param waiting questions waiting for a slot
   * @param pool the shared pool's books
   */
  public record Status(int proposers, int verifiers, int active, int waiting, Pool pool)
      implements CborSerializable {
    public boolean ready() {
      return proposers > 0 && verifiers > 0;
    }
  }

  private record WorkersListed(Receptionist.Listing listing) implements Command {}

  private record Reported(QuestionSupervisor.Report report) implements Command {}

  private record Stopped(int index) implements Command {}

  private record DeadlinePassed(int index) implements Command {}

  private record StatusWithPool(Pool pool, ActorRef<Status> replyTo) implements Command {}

  private static final class Entry {
    final Ask ask;
    final int index;
    ActorRef<QuestionSupervisor.Command> supervisor;
    ActorRef<Scheduler.Command> ownPool;

    Entry(Ask ask, int index) {
      this.ask = ask;
      this.index = index;
    }
  }

  /** @param averageBudget generations each pooled question brings to the shared pool */
  public static Behavior<Command> create(ReckonSettings settings, int averageBudget) {
    return create(settings, averageBudget, WorkerKeys.ANY);
  }

  /** As above, on the workers {@code workers} find (those of this node's models). */
  public static Behavior<Command> create(
      ReckonSettings settings, int averageBudget, WorkerKeys workers) {
    if (averageBudget < 1) {
      throw new IllegalArgumentException("the pool's budget per request must be >= 1, was "
          + averageBudget);
    }
    return Behaviors.setup(ctx -> Behaviors.withTimers(
        timers -> new ServiceRun(ctx, timers, settings, averageBudget, workers)));
  }

  private final TimerScheduler<Command> timers;
  private final ReckonSettings settings;
  private final int averageBudget;
  private final WorkerKeys workers;
  private final ActorRef<Scheduler.Command> pool;
  private final ActorRef<QuestionSupervisor.Report> reports;
  private final Map<Integer, Entry> active = new HashMap<>();
  private final Deque<Entry> waiting = new ArrayDeque<>();
  private List<ActorRef<ModelWorker.Command>> proposers = List.of();
  private List<ActorRef<ModelWorker.Command>> verifiers = List.of();
  private int nextIndex;

  private ServiceRun(
      ActorContext<Command> context, TimerScheduler<Command> timers, ReckonSettings settings,
      int averageBudget, WorkerKeys workers) {
    super(context);
    this.timers = timers;
    this.settings = settings;
    this.averageBudget = averageBudget;
    this.workers = workers;
    int probe = Math.min(settings.question().probeSamples(), averageBudget);
    // reckon.scheduler.adaptive.in-serve: pooled best-of-N requests sample in rounds, and what a
    // settled request saves goes to the least settled concurrent ones.
    this.pool = context.spawn(settings.adaptive().inServe()
        ? Scheduler.create(0, 0, 0, new Scheduler.ByAdaptive(settings.adaptive().pool(), settings.adaptive().maxWait()))
        : Scheduler.create(0, 0, probe, new Scheduler.ByRule(settings.allocationFor(null))), "pool");
    this.reports = context.messageAdapter(QuestionSupervisor.Report.class, Reported::new);
    ActorRef<Receptionist.Listing> listings =
        context.messageAdapter(Receptionist.Listing.class, WorkersListed::new);
    context.getSystem().receptionist().tell(Receptionist.subscribe(workers.proposers(), listings));
    context.getSystem().receptionist().tell(Receptionist.subscribe(workers.verifiers(), listings));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Ask.class, this::onAsk)
        .onMessage(WorkersListed.class, this::onWorkersListed)
        .onMessage(Reported.class, this::onReported)
        .onMessage(Stopped.class, this::onStopped)
        .onMessage(DeadlinePassed.class, this::onDeadlinePassed)
        .onMessage(GetStatus.class, this::onGetStatus)
        .onMessage(Cancel.class, this::onCancel)
        .onMessage(StatusWithPool.class, this::onStatusWithPool)
        .build();
  }

  private Behavior<Command> onAsk(Ask ask) {
    Entry e = new Entry(ask, nextIndex++);
    if (proposers.isEmpty() || verifiers.isEmpty()) {
      ask.replyTo().tell(new Answer(failed(e, NO_WORKERS + ": no proposer and verifier worker "
          + (workers.byModel() ? "of " + workers.proposerModel() + " and "
              + workers.verifierModel() + " " : "")
          + "has registered"), ask.budget() == null));
      return this;
    }
    timers.startSingleTimer(e.index, new DeadlinePassed(e.index), ask.deadline());
    waiting.addLast(e);
    fill();
    return this;
  }

  private void fill() {
    while (active.size() < settings.run().concurrency() && !waiting.isEmpty()) {
      start(waiting.removeFirst());
    }
  }

  private void start(Entry e) {
    Ask ask = e.ask;
    int probe = ask.policy() != null ? ask.policy().probeSize()
        : Math.min(settings.question().probeSamples(),
            ask.budget() != null ? ask.budget() : averageBudget);
    ActorRef<Scheduler.Command> scheduler;
    // Under an adaptive pool only best-of-N samples in rounds; any other pooled request gets its
    // average share on its own, as a request that names its budget does.
    boolean adaptive = ask.budget() == null && settings.adaptive().inServe()
        && ask.strategy() instanceof StrategyConfig.BestOfN;
    Integer own = ask.budget() != null ? ask.budget()
        : settings.adaptive().inServe() && !adaptive ? Integer.valueOf(averageBudget) : null;
    if (adaptive) {
      probe = 0;
    }
    if (own == null) {
      pool.tell(new Scheduler.Admit(averageBudget));
      scheduler = pool;
    } else {
      e.ownPool = getContext().spawn(
          Scheduler.create(1, own, probe, new Scheduler.Fixed()), "pool-" + e.index);
      scheduler = e.ownPool;
    }
    QuestionSupervisor.Spec spec = new QuestionSupervisor.Spec(
        e.index, ask.question(), ask.strategy(), ask.policy(), probe, ask.seed(),
        settings.estimator(), ask.task(), adaptive);
    e.supervisor = getContext().spawn(
        QuestionSupervisor.create(spec, settings.question(),
            new QuestionSupervisor.WorkersChanged(proposers, verifiers), scheduler, reports),
        "q-" + e.index);
    getContext().watchWith(e.supervisor, new Stopped(e.index));
    active.put(e.index, e);
  }

  private Behavior<Command> onWorkersListed(WorkersListed listed) {
    Receptionist.Listing listing = listed.listing();
    if (listing.isForKey(workers.proposers())) {
      proposers = WorkerOrder.sorted(listing.getServiceInstances(workers.proposers()));
    } else if (listing.isForKey(workers.verifiers())) {
      verifiers = WorkerOrder.sorted(listing.getServiceInstances(workers.verifiers()));
    }
    QuestionSupervisor.WorkersChanged changed =
        new QuestionSupervisor.WorkersChanged(proposers, verifiers);
    for (Entry e : active.values()) {
      e.supervisor.tell(changed);
    }
    fill();
    return this;
  }

  private Behavior<Command> onReported(Reported reported) {
    Entry e = active.remove(reported.report().index());
    if (e != null) {
      answer(e, reported.report().result());
    }
    fill();
    return this;
  }

  private void answer(Entry e, QuestionResult result) {
    timers.cancel(e.index);
    if (e.ownPool != null) {
      getContext().stop(e.ownPool);
    }
    e.ask.replyTo().tell(new Answer(result, e.ask.budget() == null));
  }

  private Behavior<Command> onStopped(Stopped stopped) {
    Entry e = active.remove(stopped.index());
    if (e != null) {
      // Stopped without a report (a report always comes before the stop otherwise).
      answer(e, failed(e, "question supervisor stopped without a report"));
      fill();
    }
    return this;
  }

  private Behavior<Command> onDeadlinePassed(DeadlinePassed passed) {
    Entry e = active.get(passed.index());
    if (e != null) {
      e.supervisor.tell(QuestionSupervisor.Cut.INSTANCE);
      return this;
    }
    for (Iterator<Entry> it = waiting.iterator(); it.hasNext(); ) {
      Entry w = it.next();
      if (w.index == passed.index()) {
        it.remove();
        answer(w, failed(w, QuestionResult.DEADLINE + ": still waiting for a slot"));
        break;
      }
    }
    return this;
  }

  private Behavior<Command> onCancel(Cancel cancel) {
    for (Entry e : active.values()) {
      if (e.ask.question().id().equals(cancel.questionId())) {
        e.supervisor.tell(QuestionSupervisor.Cut.INSTANCE);
        return this;
      }
    }
    for (Iterator<Entry> it = waiting.iterator(); it.hasNext(); ) {
      Entry w = it.next();
      if (w.ask.question().id().equals(cancel.questionId())) {
        it.remove();
        answer(w, failed(w, CANCELLED + ": the client went away before it started"));
        break;
      }
    }
    return this;
  }

  private static QuestionResult failed(Entry e, String reason) {
    Question q = e.ask.question();
    String strategy = e.ask.strategy() != null
        ? e.ask.strategy().name() : RunSupervisor.COMPUTE_OPTIMAL;
    return new QuestionResult(q.id(), q.level(), null, q.answer(), null, QuestionResult.FAILED,
        reason, strategy, null, 0, 0, 0, 0, 0, null, null, 0, Compute.ZERO, List.of());
  }

  private Behavior<Command> onGetStatus(GetStatus get) {
    getContext().ask(Pool.class, pool, Duration.ofSeconds(5), Scheduler.GetPool::new,
        (p, error) -> new StatusWithPool(p, get.replyTo()));
    return this;
  }

  private Behavior<Command> onStatusWithPool(StatusWithPool s) {
    s.replyTo().tell(new Status(proposers.size(), verifiers.size(), active.size(), waiting.size(),
        s.pool()));
    return this;
  }
}
