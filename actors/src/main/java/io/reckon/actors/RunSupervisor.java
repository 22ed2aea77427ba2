package io.reckon.actors;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.reckon.protocol.CborSerializable;
import io.reckon.protocol.Compute;
import io.reckon.protocol.Question;
import io.reckon.protocol.QuestionResult;
import io.reckon.protocol.RunSummary;
import io.reckon.protocol.RunSummary.Pool;
import io.reckon.protocol.RunSummary.WorkerStats;
import io.reckon.search.Seeds;
import io.reckon.search.StrategyConfig;
import io.reckon.search.policy.AccuracyCurve;
import io.reckon.search.policy.Policy;
import io.reckon.search.task.Task;
import io.reckon.search.task.Tasks;
import java.util.ArrayList;
import java.util.BitSet;
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
 * One run: holds its budget pool (through its {@link Scheduler}), starts a
 * {@link QuestionSupervisor} per question with bounded concurrency once workers have registered,
 * streams each question's result to the listener, and ends with a {@link RunSummary}, then stops.
 * It keeps counts, not results, so its memory does not grow with the number of questions.
 */
public final class RunSupervisor extends AbstractBehavior<RunSupervisor.Command> {

  /** What a run under a policy is called where a strategy's name would stand. */
  public static final String COMPUTE_OPTIMAL = "compute-optimal";

  private static final long ORDER_SALT = 0x6f72646572L; // "order"

  public sealed interface Command {}

  /** What the listener hears: one {@link QuestionFinished} per question, then one end. */
  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
  @JsonSubTypes({
      @JsonSubTypes.Type(value = QuestionFinished.class, name = "QuestionFinished"),
      @JsonSubTypes.Type(value = RunFinished.class, name = "RunFinished"),
      @JsonSubTypes.Type(value = RunFailed.class, name = "RunFailed")})
  public sealed interface Event extends CborSerializable {}

  /**
   * Question {@code index} (its position in the run's question order) finished; {@code started}
   * questions (by index) had been started by then.
   */
  public record QuestionFinished(int index, QuestionResult result, int started) implements Event {}

  public record RunFinished(RunSummary summary) implements Event {}

  /** The run could not start (no workers registered in time). */
  public record RunFailed(String reason) implements Event {}

  /** How the scheduler shares the pool among a run's questions. */
  public enum Allocation {
    /** The heuristic rule of {@link io.reckon.search.Allocation} (reckon.scheduler.allocation). */
    RULE,
    /** Every question gets exactly the budget, probe included; nothing moves between questions. */
    FIXED,
    /** Greedy water-filling on the policy's per-bin accuracy curves (reckon.scheduler.gain). */
    GAIN,
    /**
     * No probe: questions sample best-of-N in rounds, a stopping rule ends each, and what it saved
     * goes to the least settled questions (reckon.scheduler.adaptive).
     */
    ADAPTIVE
  }

  /**
   * What to run. {@code questions} is read lazily, one question per started supervisor, so a
   * run of any length holds only its questions in flight.
   *
   * @param count how many questions {@code questions} yields
   * @param strategy the main strategy of every question; {@code null} under a policy
   * @param policy the compute-optimal policy that picks each question's strategy from its
   *     predicted-difficulty bin and grant (its probe size is the run's probe); {@code null} for a
   *     fixed strategy
   * @param budget generations per question on average: the pool is {@code budget * count}
   * @param allocation how the pool is shared; {@code GAIN} needs a policy
   * @param workers the keys of the workers to use: those of the run's models, or any
   * @param task the run's task ({@code null}: arith): how adaptive rounds group answers into votes
   */
  public record Run(
      Iterator<Question> questions, int count, StrategyConfig strategy, Policy policy, int budget,
      long seed, Allocation allocation, Resumed resumed, WorkerKeys workers, Task task) {
    public Run {
      if (task == null) {
        task = Tasks.ARITH;
      }
      if (allocation == Allocation.ADAPTIVE && !(strategy instanceof StrategyConfig.BestOfN)) {
        throw new IllegalArgumentException("allocation adaptive samples best-of-n in rounds; "
            + (strategy == null ? "a compute-optimal policy" : strategy.name()) + " cannot run under it");
      }
      if (resumed == null) {
        resumed = Resumed.NONE;
      }
      if (workers == null) {
        workers = WorkerKeys.ANY;
      }
      if (count < 1) {
        throw new IllegalArgumentException("a run needs at least one question");
      }
      if (budget < 1) {
        throw new IllegalArgumentException("budget must be >= 1 generation, was " + budget);
      }
      if ((strategy == null) == (policy == null)) {
        throw new IllegalArgumentException("a run needs a strategy or a policy, not both");
      }
      if (allocation == Allocation.GAIN && policy == null) {
        throw new IllegalArgumentException("allocation by gain needs a policy's accuracy curves");
      }
      if (policy != null && budget < policy.probeSize()) {
        throw new IllegalArgumentException("budget " + budget + " is below the policy's probe of "
            + policy.probeSize() + " generations");
      }
    }

    public Run(
        Iterator<Question> questions, int count, StrategyConfig strategy, Policy policy, int budget,
        long seed, Allocation allocation, Resumed resumed, WorkerKeys workers) {
      this(questions, count, strategy, policy, budget, seed, allocation, resumed, workers, null);
    }

    public Run(
        Iterator<Question> questions, int count, StrategyConfig strategy, Policy policy, int budget,
        long seed, Allocation allocation, Resumed resumed) {
      this(questions, count, strategy, policy, budget, seed, allocation, resumed, WorkerKeys.ANY,
          Tasks.ARITH);
    }

    public Run(
        Iterator<Question> questions, int count, StrategyConfig strategy, Policy policy, int budget,
        long seed, Allocation allocation) {
      this(questions, count, strategy, policy, budget, seed, allocation, Resumed.NONE);
    }

    public Run(Iterator<Question> questions, int count, StrategyConfig strategy, int budget, long seed) {
      this(questions, count, strategy, null, budget, seed, Allocation.RULE);
    }

    /** The same run, continuing after the questions {@code resumed} says finished before. */
    public Run resuming(Resumed from) {
      return new Run(questions, count, strategy, policy, budget, seed, allocation, from, workers,
          task);
    }

    /** The same run, on the workers {@code keys} find. */
    public Run on(WorkerKeys keys) {
      return new Run(questions, count, strategy, policy, budget, seed, allocation, resumed, keys,
          task);
    }

    /** The same run under a task (how answers are extracted, voted on and graded). */
    public Run withTask(Task t) {
      return new Run(questions, count, strategy, policy, budget, seed, allocation, resumed, workers,
          t);
    }

    public static Run of(List<Question> questions, StrategyConfig strategy, int budget, long seed) {
      return new Run(questions.iterator(), questions.size(), strategy, budget, seed);
    }

    /**
     * A compute-optimal run: the policy picks each question's strategy. The questions are visited
     * in a seeded random order: the gain plan expects the questions still waiting to look like
     * the ones seen so far, which a file sorted by difficulty would betray (the hard questions at
     * its end would find the pool spent). Every allocation of the same questions and seed visits
     * them in the same order, so each question gets the same seed, the same probe and the same
     * bin under every allocation, and their comparison is paired.
     */
    public static Run computeOptimal(
        List<Question> questions, Policy policy, int budget, long seed, Allocation allocation) {
      List<Question> order = computeOptimalOrder(questions, seed);
      return new Run(order.iterator(), order.size(), null, policy, budget, seed, allocation);
    }

    /** The seeded order in which a compute-optimal run visits its questions. */
    public static List<Question> computeOptimalOrder(List<Question> questions, long seed) {
      List<Question> order = new ArrayList<>(questions);
      java.util.Collections.shuffle(order, new java.util.Random(Seeds.mix(seed, ORDER_SALT)));
      return order;
    }

    /** The strategy's name, or {@value #COMPUTE_OPTIMAL} under a policy. */
    public String strategyName() {
      return strategy != null ? strategy.name() : COMPUTE_OPTIMAL;
    }
  }

  /**
   * What a continued run already has: the questions that finished before (by index; they are
   * skipped, never computed again), the scheduler's books for them, and their totals.
   */
  public record Resumed(BitSet finished, Scheduler.Restored books, RunTally tally) {
    public static final Resumed NONE =
        new Resumed(new BitSet(), Scheduler.Restored.NONE, RunTally.EMPTY);

    public Resumed {
      finished = (BitSet) finished.clone();
    }
  }

  private record WorkersListed(Receptionist.Listing listing) implements Command {}

  private record Reported(QuestionSupervisor.Report report) implements Command {}

  private record QuestionStopped(int index) implements Command {}

  private record QuestionLost(int index) implements Command {}

  private record PoolReceived(Pool pool) implements Command {}

  private record StatsReceived(WorkerStats stats) implements Command {}

  private enum Timeout implements Command {
    WORKERS,
    STATS
  }

  public static Behavior<Command> create(
      Run run, ReckonSettings settings, ActorRef<Event> listener) {
    return Behaviors.setup(
        ctx -> Behaviors.withTimers(timers -> new RunSupervisor(ctx, timers, run, settings, listener)));
  }

  private final TimerScheduler<Command> timers;
  private final Run run;
  private final ReckonSettings settings;
  private final ActorRef<Event> listener;
  private final int probe;
  private final ActorRef<QuestionSupervisor.Report> reports;
  private final Map<Integer, ActorRef<QuestionSupervisor.Command>> active = new HashMap<>();
  private List<ActorRef<ModelWorker.Command>> proposers = List.of();
  private List<ActorRef<ModelWorker.Command>> verifiers = List.of();
  /** Workers of the run's kinds whatever their model (counted only when the run names models). */
  private int anyProposers;
  private int anyVerifiers;
  private boolean warnedOtherModels;
  private ActorRef<Scheduler.Command> scheduler;
  private boolean started;
  private int nextIndex;
  private long startNanos;
  private long endNanos;
  // Running totals: counts only, never the results themselves.
  private RunTally tally;
  // End of run.
  private Pool pool;
  private final List<WorkerStats> stats = new ArrayList<>();
  private int statsExpected = -1;

  private RunSupervisor(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      Run run,
      ReckonSettings settings,
      ActorRef<Event> listener) {
    super(context);
    this.timers = timers;
    this.run = run;
    this.settings = settings;
    this.listener = listener;
    this.tally = run.resumed().tally();
    // A policy's bins were learned on probes of its size: its runs probe exactly that many.
    this.probe = run.allocation() == Allocation.ADAPTIVE ? 0 : run.policy() != null
        ? run.policy().probeSize() : Math.min(settings.question().probeSamples(), run.budget());
    this.reports = context.messageAdapter(QuestionSupervisor.Report.class, Reported::new);
    ActorRef<Receptionist.Listing> listings =
        context.messageAdapter(Receptionist.Listing.class, WorkersListed::new);
    WorkerKeys keys = run.workers();
    context.getSystem().receptionist().tell(Receptionist.subscribe(keys.proposers(), listings));
    context.getSystem().receptionist().tell(Receptionist.subscribe(keys.verifiers(), listings));
    if (keys.byModel()) {
      // Workers of any model: only to say why none of the run's model is there.
      context.getSystem().receptionist().tell(Receptionist.subscribe(ProposerWorker.KEY, listings));
      context.getSystem().receptionist().tell(Receptionist.subscribe(VerifierWorker.KEY, listings));
    }
    timers.startSingleTimer(Timeout.WORKERS, Timeout.WORKERS, settings.run().workersTimeout());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(WorkersListed.class, this::onWorkersListed)
        .onMessage(Reported.class, this::onReported)
        .onMessage(QuestionStopped.class, this::onQuestionStopped)
        .onMessage(QuestionLost.class, this::onQuestionLost)
        .onMessage(PoolReceived.class, this::onPoolReceived)
        .onMessage(StatsReceived.class, this::onStatsReceived)
        .onMessageEquals(Timeout.WORKERS, this::onWorkersTimeout)
        .onMessageEquals(Timeout.STATS, this::summarize)
        .build();
  }

  private Behavior<Command> onWorkersListed(WorkersListed listed) {
    Receptionist.Listing listing = listed.listing();
    WorkerKeys keys = run.workers();
    if (listing.isForKey(keys.proposers())) {
      proposers = WorkerOrder.sorted(listing.getServiceInstances(keys.proposers()));
    } else if (listing.isForKey(keys.verifiers())) {
      verifiers = WorkerOrder.sorted(listing.getServiceInstances(keys.verifiers()));
    } else if (listing.isForKey(ProposerWorker.KEY)) {
      anyProposers = listing.getServiceInstances(ProposerWorker.KEY).size();
      warnOtherModels();
      return this;
    } else if (listing.isForKey(VerifierWorker.KEY)) {
      anyVerifiers = listing.getServiceInstances(VerifierWorker.KEY).size();
      warnOtherModels();
      return this;
    }
    QuestionSupervisor.WorkersChanged changed =
        new QuestionSupervisor.WorkersChanged(proposers, verifiers);
    for (ActorRef<QuestionSupervisor.Command> q : active.values()) {
      q.tell(changed);
    }
    if (!started && !proposers.isEmpty() && !verifiers.isEmpty()) {
      start();
    }
    return this;
  }

  /**
   * Says once, when workers of the run's kinds are up but none runs the run's model, that they
   * are left alone and why the run waits.
   */
  private void warnOtherModels() {
    String missing = missingModels();
    if (!started && !warnedOtherModels && missing != null) {
      warnedOtherModels = true;
      getContext().getLog().warn("{}: waiting for one (up to {})", missing,
          Durations.human(settings.run().workersTimeout()));
    }
  }

  /**
   * What is missing when workers of other models are up and none of the run's, in one line; null
   * when that is not the case.
   */
  private String missingModels() {
    WorkerKeys keys = run.workers();
    List<String> parts = new ArrayList<>();
    if (proposers.isEmpty() && anyProposers > 0 && keys.proposerModel() != null) {
      parts.add("no proposer worker runs the run's model " + keys.proposerModel() + " ("
          + anyProposers + " run other models)");
    }
    if (verifiers.isEmpty() && anyVerifiers > 0 && keys.verifierModel() != null) {
      parts.add("no verifier worker runs the run's model " + keys.verifierModel() + " ("
          + anyVerifiers + " run other models)");
    }
    return parts.isEmpty() ? null : String.join("; ", parts);
  }

  private void start() {
    started = true;
    timers.cancel(Timeout.WORKERS);
    long total = (long) run.budget() * run.count();
    scheduler = getContext().spawn(
        Scheduler.create(run.count(), total, probe, plan(), run.resumed().books()), "scheduler");
    startNanos = System.nanoTime();
    while (active.size() < settings.run().concurrency() && spawnNext()) {
      // fill up to the concurrency limit
    }
    if (active.isEmpty()) {
      next(); // a resumed run whose questions had all finished: straight to the summary
    }
  }

  private Scheduler.Plan plan() {
    return switch (run.allocation()) {
      // Under a policy the reported score is its estimator's predicted pass@1: so is the cap's.
      case RULE -> new Scheduler.ByRule(settings.allocationFor(
          run.policy() == null ? null : run.policy().estimator()));
      case FIXED -> new Scheduler.Fixed();
      case GAIN -> {
        List<AccuracyCurve> curves = new ArrayList<>();
        for (int b = 1; b <= run.policy().bins().size(); b++) {
          curves.add(run.policy().curve(b));
        }
        yield new Scheduler.ByGain(curves, settings.gain(),
            run.policy().estimator().hopelessBelow());
      }
      case ADAPTIVE -> new Scheduler.ByAdaptive(settings.adaptive().pool(), settings.adaptive().maxWait());
    };
  }

  private boolean spawnNext() {
    BitSet finished = run.resumed().finished();
    // Questions that finished before a resume are skipped: never computed twice.
    while (nextIndex < run.count() && finished.get(nextIndex) && run.questions().hasNext()) {
      run.questions().next();
      nextIndex++;
    }
    if (nextIndex >= run.count() || !run.questions().hasNext()) {
      return false;
    }
    int index = nextIndex++;
    Question q = run.questions().next();
    QuestionSupervisor.Spec spec = new QuestionSupervisor.Spec(
        index, q, run.strategy(), run.policy(), probe, Seeds.mix(run.seed(), index),
        settings.estimator(), run.task(), run.allocation() == Allocation.ADAPTIVE);
    ActorRef<QuestionSupervisor.Command> ref = getContext().spawn(
        QuestionSupervisor.create(
            spec, settings.question(),
            new QuestionSupervisor.WorkersChanged(proposers, verifiers), scheduler, reports),
        "q-" + index);
    getContext().watchWith(ref, new QuestionStopped(index));
    active.put(index, ref);
    return true;
  }

  private Behavior<Command> onReported(Reported reported) {
    if (active.remove(reported.report().index()) == null) {
      return this; // already counted as lost
    }
    record(reported.report().index(), reported.report().result());
    return next();
  }

  private Behavior<Command> onQuestionStopped(QuestionStopped stopped) {
    if (active.containsKey(stopped.index())) {
      // Its report may still be on the way: give it a moment before calling it lost.
      timers.startSingleTimer(
          new QuestionLost(stopped.index()), new QuestionLost(stopped.index()),
          settings.run().lostQuestionGrace());
    }
    return this;
  }

  private Behavior<Command> onQuestionLost(QuestionLost lost) {
    if (active.remove(lost.index()) == null) {
      return this;
    }
    getContext().getLog().error("question supervisor q-{} stopped without a report", lost.index());
    record(lost.index(), new QuestionResult(
        "#" + lost.index(), null, null, null, null, QuestionResult.FAILED,
        "question supervisor stopped without a report", run.strategyName(), null, 0, 0, 0, 0, 0,
        null, null, 0, Compute.ZERO, List.of()));
    return next();
  }

  private void record(int index, QuestionResult r) {
    tally = tally.plus(r);
    listener.tell(new QuestionFinished(index, r, nextIndex));
  }

  private Behavior<Command> next() {
    spawnNext();
    if (active.isEmpty() && (nextIndex >= run.count() || !run.questions().hasNext())) {
      endNanos = System.nanoTime();
      getContext().ask(
          Pool.class, scheduler, settings.run().statsTimeout(), Scheduler.GetPool::new,
          (p, error) -> new PoolReceived(p));
    }
    return this;
  }

  private Behavior<Command> onPoolReceived(PoolReceived received) {
    pool = received.pool();
    List<ActorRef<ModelWorker.Command>> all = new ArrayList<>(proposers);
    all.addAll(verifiers);
    statsExpected = all.size();
    ActorRef<WorkerStats> statsRef =
        getContext().messageAdapter(WorkerStats.class, StatsReceived::new);
    for (ActorRef<ModelWorker.Command> w : all) {
      w.tell(new ModelWorker.GetStats(statsRef));
    }
    timers.startSingleTimer(Timeout.STATS, Timeout.STATS, settings.run().statsTimeout());
    return stats.size() >= statsExpected ? summarize() : this;
  }

  private Behavior<Command> onStatsReceived(StatsReceived received) {
    stats.add(received.stats());
    return statsExpected >= 0 && stats.size() >= statsExpected ? summarize() : this;
  }

  private Behavior<Command> summarize() {
    List<WorkerStats> workers = new ArrayList<>(stats);
    workers.sort((a, b) -> (a.kind() + a.worker()).compareTo(b.kind() + b.worker()));
    Pool p = pool != null ? pool : new Pool((long) run.budget() * run.count(), -1, -1, -1, -1);
    listener.tell(new RunFinished(new RunSummary(
        tally.done(), tally.failed(), tally.graded(), tally.correct(), tally.levels(),
        tally.compute(), tally.retries(), p, workers, (endNanos - startNanos) / 1_000_000)));
    return Behaviors.stopped();
  }

  private Behavior<Command> onWorkersTimeout() {
    String missing = missingModels();
    String within = " within " + Durations.human(settings.run().workersTimeout());
    listener.tell(new RunFailed(missing != null ? missing + within
        : "no proposer and verifier workers registered" + within));
    return Behaviors.stopped();
  }
}
