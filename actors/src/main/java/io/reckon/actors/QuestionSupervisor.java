package io.reckon.actors;

import io.reckon.protocol.Candidate;
import io.reckon.protocol.CborSerializable;
import io.reckon.protocol.Compute;
import io.reckon.protocol.GenerateRequest;
import io.reckon.protocol.ModelRequest;
import io.reckon.protocol.Outcome;
import io.reckon.protocol.Question;
import io.reckon.protocol.QuestionResult;
import io.reckon.search.Allocation;
import io.reckon.search.ProbeFeatures;
import io.reckon.search.SearchStrategy;
import io.reckon.search.Seeds;
import io.reckon.search.StrategyConfig;
import io.reckon.search.StrategyContext;
import io.reckon.search.adaptive.Votes;
import io.reckon.search.policy.DifficultyEstimator;
import io.reckon.search.policy.Policy;
import io.reckon.search.task.AnswerClasses;
import io.reckon.search.task.Task;
import io.reckon.search.task.Tasks;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Drives one question: a probe (best-of-N scored by the PRM), a grant from the {@link Scheduler},
 * then the main search strategy with the probe's candidates carried into its final selection.
 * Under a compute-optimal {@link Policy} the main strategy is not fixed: the policy's difficulty
 * estimator reads the probe and places the question in a predicted-difficulty bin, and the policy
 * names the configuration for that bin and the granted budget.
 * It turns each strategy request into a {@link ModelWorker.Work} for a worker of the right kind,
 * feeds replies back, and never blocks. A request that fails or times out is sent again, to the
 * next worker, up to {@code max-retries} times; past that, or past the question's timeout, the
 * question fails with the reason. Either way it reports one {@link Report}, tells the scheduler
 * what it spent (so the rest returns to the pool) and stops.
 *
 * <p>Under adaptive allocation ({@link Spec#adaptive}) there is no probe: the question samples its
 * best-of-N strategy in rounds, each round's candidates carried into the next, and after every
 * round asks the scheduler ({@link Scheduler.NextRound}) with its vote, grouped by the run's task;
 * it stops when the scheduler says so (its stopping rule is satisfied, or the pool has nothing for
 * it) and answers from all its rounds.
 */
public final class QuestionSupervisor extends AbstractBehavior<QuestionSupervisor.Command> {

  /** Main-strategy request ids start here; the probe's start at 0, so they never collide. */
  static final long MAIN_FIRST_REQUEST_ID = 1L << 32;

  public sealed interface Command {}

  /** The workers to send requests to (the run supervisor forwards the Receptionist's listing). */
  public record WorkersChanged(
      List<ActorRef<ModelWorker.Command>> proposers,
      List<ActorRef<ModelWorker.Command>> verifiers)
      implements Command, CborSerializable {
    public WorkersChanged {
      proposers = List.copyOf(proposers);
      verifiers = List.copyOf(verifiers);
    }
  }

  /**
   * Finish now: a deadline passed. The question answers from its probe if the probe has an
   * answer (status {@code truncated}), and fails otherwise.
   */
  public enum Cut implements Command {
    INSTANCE
  }

  /** The question's one outcome, to the run supervisor. */
  public record Report(int index, QuestionResult result) implements CborSerializable {}

  private record Worked(WorkResult result) implements Command {}

  private record Granted(int generations, String error) implements Command {}

  private record RoundGranted(int samples, String stopped, String error) implements Command {}

  private record RequestTimedOut(long requestId, int attempt) implements Command {}

  private enum QuestionTimedOut implements Command {
    INSTANCE
  }

  /**
   * What to do for one question.
   *
   * @param index its position in the run (picks its first worker, names its actor)
   * @param strategy the main strategy; {@code null} when {@code policy} chooses it
   * @param policy the compute-optimal policy that chooses the main strategy per bin and grant;
   *     {@code null} for a fixed strategy
   * @param probe probe samples; 0 = no probe
   * @param seed the question's own seed (derived from the run's seed and {@code index})
   * @param estimator the difficulty estimator that reads the probe when there is no policy (a
   *     policy brings its own); {@code null}: the probe's mean PRM score
   * @param task the run's task: extracts the answers, votes by its equivalence, grades
   * @param adaptive sample in rounds and ask the scheduler after each (adaptive allocation); the
   *     strategy must be best-of-N and there is no probe
   */
  public record Spec(
      int index, Question question, StrategyConfig strategy, Policy policy, int probe, long seed,
      DifficultyEstimator estimator, Task task, boolean adaptive) {
    public Spec {
      Objects.requireNonNull(task, "task");
      if ((strategy == null) == (policy == null)) {
        throw new IllegalArgumentException("a question needs a strategy or a policy, not both");
      }
      if (policy != null) {
        estimator = policy.estimator();
      }
      if (adaptive && !(strategy instanceof StrategyConfig.BestOfN)) {
        throw new IllegalArgumentException("adaptive allocation samples best-of-n in rounds; "
            + (strategy == null ? "a compute-optimal policy" : strategy.name()) + " cannot");
      }
    }

    public Spec(
        int index, Question question, StrategyConfig strategy, Policy policy, int probe, long seed,
        DifficultyEstimator estimator, Task task) {
      this(index, question, strategy, policy, probe, seed, estimator, task, false);
    }

    public Spec(
        int index, Question question, StrategyConfig strategy, Policy policy, int probe, long seed) {
      this(index, question, strategy, policy, probe, seed, null, Tasks.ARITH);
    }

    public Spec(int index, Question question, StrategyConfig strategy, int probe, long seed) {
      this(index, question, strategy, null, probe, seed);
    }
  }

  private enum Phase { PROBE, GRANT, MAIN, ROUNDS }

  private static final class Pending {
    final ModelRequest request;
    int attempt;
    /** Sends that went to a worker which then left the cluster: they do not count as retries. */
    int lost;
    /** Where the current send went; {@code null} while no worker of its kind is registered. */
    ActorRef<ModelWorker.Command> worker;

    Pending(ModelRequest request) {
      this.request = request;
    }
  }

  public static Behavior<Command> create(
      Spec spec,
      ReckonSettings.QuestionSettings settings,
      WorkersChanged workers,
      ActorRef<Scheduler.Command> scheduler,
      ActorRef<Report> replyTo) {
    return Behaviors.setup(
        ctx -> Behaviors.withTimers(
            timers -> new QuestionSupervisor(ctx, timers, spec, settings, workers, scheduler, replyTo)
                .begin()));
  }

  private final TimerScheduler<Command> timers;
  private final Spec spec;
  private final Question question;
  private final ReckonSettings.QuestionSettings settings;
  private final ActorRef<Scheduler.Command> scheduler;
  private final ActorRef<Report> replyTo;
  private final ActorRef<WorkResult> worked;
  private final Map<Long, Pending> outstanding = new HashMap<>();
  private final WorkerLoads loads;
  private final WorkerLinks links;
  private WorkersChanged workers;
  private Phase phase = Phase.PROBE;
  private SearchStrategy probe;
  private Outcome probeOutcome;
  private Allocation.Estimate estimate = Allocation.Estimate.NONE;
  private SearchStrategy main;
  /** The main strategy: the spec's, or the policy's choice once the grant is known. */
  private StrategyConfig chosen;
  /** The predicted-difficulty bin under a policy; 0 without one. */
  private int bin;
  private int mainGrant;
  private int retries;
  /** Adaptive: every candidate of the rounds so far, what they spent, and the last selection. */
  private List<Candidate> rounds = List.of();
  private Compute roundsSpent = Compute.ZERO;
  private int round;
  private String roundsAnswer;

  private QuestionSupervisor(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      Spec spec,
      ReckonSettings.QuestionSettings settings,
      WorkersChanged workers,
      ActorRef<Scheduler.Command> scheduler,
      ActorRef<Report> replyTo) {
    super(context);
    this.timers = timers;
    this.spec = spec;
    this.question = spec.question();
    this.settings = settings;
    this.workers = workers;
    this.scheduler = scheduler;
    this.replyTo = replyTo;
    this.worked = context.messageAdapter(WorkResult.class, Worked::new);
    this.chosen = spec.strategy();
    this.loads = WorkerLoads.get(context.getSystem());
    this.links = WorkerLinks.get(context.getSystem());
  }

  private Behavior<Command> begin() {
    timers.startSingleTimer(QuestionTimedOut.INSTANCE, QuestionTimedOut.INSTANCE, settings.timeout());
    return guard(() -> {
      if (spec.adaptive()) {
        phase = Phase.ROUNDS;
        return askRound();
      }
      if (spec.probe() > 0) {
        probe = settings.probeStrategy().create(
            new StrategyContext(question, spec.probe(), Seeds.mix(spec.seed(), 1), List.of(), 0,
                spec.task()));
        send(probe.start());
        return progressed();
      }
      return probeDone();
    });
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Worked.class, w -> guard(() -> onWorked(w.result())))
        .onMessage(Granted.class, g -> guard(() -> onGranted(g)))
        .onMessage(RoundGranted.class, g -> guard(() -> onRoundGranted(g)))
        .onMessage(RequestTimedOut.class, t -> guard(() -> onRequestTimedOut(t)))
        .onMessage(WorkersChanged.class, this::onWorkersChanged)
        .onMessage(QuestionTimedOut.class, t -> fail("question timed out after " + Durations.human(settings.timeout())))
        .onMessageEquals(Cut.INSTANCE, this::onCut)
        .build();
  }

  /** A strategy that throws (a bug, or a reply of the wrong shape) fails this question only. */
  private Behavior<Command> guard(Supplier<Behavior<Command>> handler) {
    try {
      return handler.get();
    } catch (RuntimeException e) {
      getContext().getLog().warn("question {} failed", question.id(), e);
      return fail("internal error in the search: " + e.getMessage());
    }
  }

  /**
   * A request whose worker is gone (left, or unreachable: the Receptionist lists reachable
   * workers only) is sent again now, without waiting for its timeout; a request that found no
   * worker goes out as soon as one registers.
   */
  private Behavior<Command> onWorkersChanged(WorkersChanged changed) {
    workers = changed;
    for (Pending p : List.copyOf(outstanding.values())) {
      List<ActorRef<ModelWorker.Command>> pool = poolFor(p.request);
      if (p.worker == null) {
        if (!pool.isEmpty()) {
          timers.cancel(p.request.requestId());
          dispatch(p);
        }
      } else if (!pool.contains(p.worker)) {
        getContext().getLog().info("{}: worker {} left; request {} sent again", question.id(),
            p.worker.path(), p.request.requestId());
        p.lost++;
        Behavior<Command> next = retry(p, "worker " + p.worker.path() + " left");
        if (next != this) {
          return next;
        }
      }
    }
    return this;
  }

  private List<ActorRef<ModelWorker.Command>> poolFor(ModelRequest request) {
    return request instanceof GenerateRequest ? workers.proposers() : workers.verifiers();
  }

  private SearchStrategy active() {
    return phase == Phase.PROBE ? probe : main;
  }

  private void send(List<ModelRequest> requests) {
    for (ModelRequest r : requests) {
      Pending p = new Pending(r);
      outstanding.put(r.requestId(), p);
      dispatch(p);
    }
  }

  private void dispatch(Pending p) {
    List<ActorRef<ModelWorker.Command>> pool = poolFor(p.request);
    ActorRef<ModelWorker.Command> previous = p.worker;
    if (previous != null) {
      loads.settled(previous);
    }
    p.worker = null;
    if (!pool.isEmpty()) {
      // The least-loaded worker of the kind; a resend avoids the worker that just failed it.
      ActorRef<ModelWorker.Command> worker =
          loads.leastLoaded(pool, spec.index() + p.attempt, previous);
      p.worker = worker;
      loads.sent(worker);
      if (links.linked(worker)) {
        // Through the node's link to it: batched with other questions' requests, and answered
        // at one address (see WorkerLink).
        links.linkTo(worker, settings.timeout()).tell(new WorkerLink.Send(p.request, p.attempt, worked));
      } else {
        worker.tell(new ModelWorker.Work(p.request, p.attempt, worked));
      }
    }
    // Without a worker the timeout retries it, by when one may have registered.
    timers.startSingleTimer(
        p.request.requestId(),
        new RequestTimedOut(p.request.requestId(), p.attempt),
        settings.requestTimeout());
  }

  private Behavior<Command> onWorked(WorkResult result) {
    if (result instanceof WorkResult.Done done) {
      Pending p = outstanding.remove(done.requestId());
      if (p == null) {
        return this; // a late answer to a request already answered by a retry
      }
      timers.cancel(done.requestId());
      settle(p);
      send(active().onReply(done.reply()));
      return progressed();
    }
    WorkResult.Failed failed = (WorkResult.Failed) result;
    Pending p = outstanding.get(failed.requestId());
    if (p == null || p.attempt != failed.attempt()) {
      return this; // the failure of a send that was already retried
    }
    return retry(p, failed.worker() + ": " + failed.reason());
  }

  private Behavior<Command> onRequestTimedOut(RequestTimedOut t) {
    Pending p = outstanding.get(t.requestId());
    if (p == null || p.attempt != t.attempt()) {
      return this;
    }
    return retry(p, "no answer within " + Durations.human(settings.requestTimeout()));
  }

  private Behavior<Command> retry(Pending p, String reason) {
    timers.cancel(p.request.requestId());
    if (p.attempt - p.lost >= settings.maxRetries()) {
      settle(p);
      return fail("request " + p.request.requestId() + " failed after " + (p.attempt + 1)
          + " sends: " + reason);
    }
    p.attempt++;
    retries++;
    dispatch(p);
    return this;
  }

  private void settle(Pending p) {
    if (p.worker != null) {
      loads.settled(p.worker);
      p.worker = null;
    }
  }

  private Behavior<Command> progressed() {
    if (phase == Phase.PROBE && probe.isDone()) {
      return probeDone();
    }
    if (phase == Phase.MAIN && main.isDone()) {
      Outcome o = main.outcome();
      return finish(o.answer(), o.candidates(), QuestionResult.OK, null);
    }
    if (phase == Phase.ROUNDS && main != null && main.isDone()) {
      Outcome o = main.outcome();
      rounds = o.candidates();
      roundsAnswer = o.answer();
      roundsSpent = roundsSpent.plus(main.spent());
      main = null;
      return askRound();
    }
    return this;
  }

  /** Adaptive: the vote so far, grouped by the task; weighted by score under a weighted selection. */
  private Votes votes() {
    List<String> answers = new ArrayList<>(rounds.size());
    rounds.forEach(c -> answers.add(c.answer()));
    AnswerClasses classes = spec.task().classes(answers);
    boolean weighted = chosen instanceof StrategyConfig.BestOfN b
        && b.selection() == io.reckon.search.Selection.WEIGHTED;
    int[] cls = new int[answers.size()];
    double[] w = new double[answers.size()];
    for (int i = 0; i < cls.length; i++) {
      cls[i] = classes.classOf(i);
      double score = rounds.get(i).score();
      w[i] = weighted ? (Double.isNaN(score) ? 0.0 : Math.max(0.0, score)) : 1.0;
    }
    return new Votes(cls, w);
  }

  private Behavior<Command> askRound() {
    Votes v = votes();
    long spent = roundsSpent.generations();
    // The scheduler may keep the question waiting (reckon.scheduler.adaptive.max-wait) for budget
    // another question gives back; the ask outlives that wait.
    java.time.Duration wait = settings.grantTimeout();
    getContext().ask(
        Scheduler.Round.class,
        scheduler,
        wait,
        ref -> new Scheduler.NextRound(question.id(), v, spent, ref),
        (r, error) -> r != null
            ? new RoundGranted(r.samples(), r.stopped(), null)
            : new RoundGranted(0, null, String.valueOf(error)));
    return this;
  }

  private Behavior<Command> onRoundGranted(RoundGranted g) {
    if (phase != Phase.ROUNDS || main != null) {
      return this;
    }
    if (g.error() != null) {
      getContext().getLog().warn("{}: no answer to its round ({}), answering from its samples",
          question.id(), g.error());
    }
    if (g.samples() <= 0) {
      if (rounds.isEmpty()) {
        return fail("adaptive allocation gave no samples" + (g.stopped() != null ? " (" + g.stopped() + ")" : ""));
      }
      return finish(roundsAnswer, rounds, QuestionResult.OK, null);
    }
    mainGrant += g.samples();
    round++;
    main = chosen.create(new StrategyContext(question, g.samples(), Seeds.mix(spec.seed(), 100L + round),
        rounds, MAIN_FIRST_REQUEST_ID + ((long) round << 20), spec.task()));
    send(main.start());
    return progressed();
  }

  private Behavior<Command> probeDone() {
    phase = Phase.GRANT;
    if (probe != null) {
      probeOutcome = probe.outcome();
      estimate = Allocation.Estimate.of(probeOutcome.candidates(), spec.task());
    }
    if (spec.estimator() != null) {
      // The estimator (the policy's, or the node's for a fixed strategy) reads the probe's
      // features; its predicted pass@1 is what the bins cut and what the allocation (rule or
      // gain) sees in place of the mean PRM score, so that a question the PRM scores mid-range
      // but the estimator deems hopeless is not given the most budget. Without a scored probe
      // there is nothing to bin by: the policy gives the middle bin.
      ProbeFeatures features = probeOutcome == null
          ? ProbeFeatures.NONE : ProbeFeatures.of(probeOutcome.candidates(), spec.task());
      if (spec.policy() != null) {
        bin = spec.policy().bin(features);
      }
      if (estimate.known()) {
        estimate = new Allocation.Estimate(spec.estimator().predict(features),
            estimate.confidence(), estimate.samples());
      }
    }
    long probeSpent = probe == null ? 0 : probe.spent().generations();
    Allocation.Estimate e = estimate;
    getContext().ask(
        Scheduler.Grant.class,
        scheduler,
        settings.grantTimeout(),
        ref -> new Scheduler.ProbeReport(
            question.id(), e.meanScore(), e.confidence(), e.samples(), probeSpent, bin, ref),
        (grant, error) -> grant != null
            ? new Granted(grant.generations(), null)
            : new Granted(0, String.valueOf(error)));
    return this;
  }

  private Behavior<Command> onGranted(Granted granted) {
    if (phase != Phase.GRANT) {
      return this;
    }
    if (granted.error() != null) {
      getContext().getLog().warn("{}: no grant ({}), selecting from the probe", question.id(),
          granted.error());
    }
    if (spec.policy() != null) {
      chosen = spec.policy().choose(bin, granted.generations());
    }
    int usable = chosen.usableBudget(granted.generations());
    if (usable < granted.generations()) {
      scheduler.tell(new Scheduler.Release(question.id(), granted.generations() - usable));
    }
    mainGrant = usable;
    List<Candidate> carried = carried();
    if (usable == 0) {
      if (carried.isEmpty()) {
        return fail("a grant of " + granted.generations() + " generations is too small for "
            + chosen.name());
      }
      return finish(probeOutcome.answer(), carried, QuestionResult.OK, null);
    }
    main = chosen.create(new StrategyContext(
        question, usable, Seeds.mix(spec.seed(), 2), carried, MAIN_FIRST_REQUEST_ID, spec.task()));
    phase = Phase.MAIN;
    send(main.start());
    return progressed();
  }

  private List<Candidate> carried() {
    if (probeOutcome == null) {
      return List.of();
    }
    List<Candidate> out = new ArrayList<>(probeOutcome.candidates().size());
    for (Candidate c : probeOutcome.candidates()) {
      out.add(new Candidate(c.steps(), c.answer(), c.stepScores(), c.score(), c.group(), "probe"));
    }
    return out;
  }

  private Behavior<Command> onCut() {
    if (phase == Phase.ROUNDS && roundsAnswer != null) {
      return finish(roundsAnswer, rounds, QuestionResult.TRUNCATED,
          "deadline: the answer of the rounds so far, the last round was cut short");
    }
    if (probeOutcome != null && probeOutcome.answer() != null) {
      return finish(probeOutcome.answer(), carried(), QuestionResult.TRUNCATED,
          "deadline: the probe's answer, the main search was cut short");
    }
    return fail(QuestionResult.DEADLINE + ": no answer yet");
  }

  private Behavior<Command> fail(String reason) {
    List<Candidate> seen = phase == Phase.ROUNDS ? rounds : probeOutcome == null ? List.of() : carried();
    return finish(null, seen, QuestionResult.FAILED, reason);
  }

  private Behavior<Command> finish(
      String answer, List<Candidate> candidates, String status, String error) {
    Compute probeSpent = probe == null ? Compute.ZERO : probe.spent();
    Compute spent = probeSpent.plus(main == null ? Compute.ZERO : main.spent()).plus(roundsSpent);
    String expected = question.answer();
    Boolean correct = expected == null ? null : spec.task().equivalent(answer, expected);
    long tokens = spent.promptTokens() + spent.generatedTokens() + spent.verifierTokens();
    QuestionResult result = new QuestionResult(
        question.id(),
        question.level(),
        answer,
        expected,
        correct,
        status,
        error,
        chosen != null ? chosen.name() : RunSupervisor.COMPUTE_OPTIMAL,
        bin > 0 ? bin : null,
        probeSpent.generations(),
        spec.probe() + (long) mainGrant,
        spent.generations(),
        tokens,
        spent.flops(),
        estimate.known() ? estimate.difficulty() : null,
        estimate.known() ? estimate.confidence() : null,
        retries,
        spent,
        candidates);
    outstanding.values().forEach(this::settle);
    scheduler.tell(new Scheduler.Finished(question.id(), spent.generations()));
    replyTo.tell(new Report(spec.index(), result));
    timers.cancelAll();
    return Behaviors.stopped();
  }
}
