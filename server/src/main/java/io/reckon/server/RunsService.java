package io.reckon.server;

import io.reckon.actors.ReckonSettings;
import io.reckon.actors.RunEntity;
import io.reckon.actors.RunEnvironment;
import io.reckon.actors.Runs;
import io.reckon.actors.store.Digests;
import io.reckon.actors.store.RunJournal;
import io.reckon.protocol.Compute;
import io.reckon.protocol.Question;
import io.reckon.protocol.QuestionResult;
import io.reckon.protocol.RunSpec;
import io.reckon.protocol.RunStatus;
import io.reckon.protocol.RunSummary;
import io.reckon.protocol.api.RunEvent;
import io.reckon.protocol.api.RunRequest;
import io.reckon.protocol.api.RunView;
import io.reckon.runtime.Dataset;
import io.reckon.search.StrategyConfig;
import io.reckon.search.policy.Policy;
import io.reckon.search.task.Task;
import io.reckon.search.task.Tasks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runs API over the durable runs: submissions become {@link RunSpec}s for the node's
 * {@link Runs} registry; status, events and results are read from the journal. Runs that were
 * executing when the server stopped (or was killed) are resumed when it starts again.
 */
final class RunsService {
  private static final Logger LOG = LoggerFactory.getLogger(RunsService.class);
  private static final Duration ASK = Duration.ofSeconds(30);

  private final ActorSystem<?> system;
  private final ActorRef<Runs.Command> runs;
  private final RunJournal journal;
  private final ServerSettings settings;
  private final ReckonSettings reckon;
  private final List<RunSpec.ModelRef> models;
  private final SearchChoice.PolicySource policies;
  private final Function<String, String> questionCheck;
  /** Runs executing on this node, so that at most reckon.serve.max-runs are. */
  private final Set<String> executing = ConcurrentHashMap.newKeySet();
  /**
   * Places taken by runs executing or being started: taken before the start is asked for, so that
   * concurrent submissions cannot all pass the check and exceed max-runs.
   */
  private final java.util.concurrent.atomic.AtomicInteger runPlaces =
      new java.util.concurrent.atomic.AtomicInteger();
  private final Admission admission;
  private final io.reckon.actors.store.RunIndex index;
  /** Stream-fed runs (Kafka) listed and viewed beside the durable runs. */
  private volatile OpenRuns open = OpenRuns.NONE;

  RunsService(ActorSystem<?> system, ActorRef<Runs.Command> runs, RunJournal journal,
      ServerSettings settings, ReckonSettings reckon, List<RunSpec.ModelRef> models,
      SearchChoice.PolicySource policies, Function<String, String> questionCheck,
      Admission admission) {
    this.admission = admission;
    this.index = io.reckon.actors.store.RunIndex.get(system);
    this.system = system;
    this.runs = runs;
    this.journal = journal;
    this.settings = settings;
    this.reckon = reckon;
    this.models = List.copyOf(models);
    this.policies = policies;
    this.questionCheck = questionCheck;
  }

  void alsoShow(OpenRuns runs) {
    this.open = runs;
  }

  /**
   * A bad submission is a 400 naming the field (thrown); past max-runs, the admission limit, the
   * key's fair share or its quota, a failed stage with an {@link Admission.Refusal} (429 with
   * Retry-After). A run holds budget × the questions it may have in flight at once (its
   * concurrency) of the admission pool, under its key, until it ends.
   */
  CompletionStage<RunStatus> submit(RunRequest request, ApiKeys.Key key) {
    RunSpec spec = spec(request);
    if (!takeRunPlace()) {
      return CompletableFuture.failedFuture(new Admission.Refusal(new ApiException(429,
          "requests", null, "rate_limit_exceeded", settings.maxRuns() + " runs are executing "
              + "on this server (reckon.serve.max-runs): retry when one ends"),
          settings.retryAfter()));
    }
    Admission.Grant grant;
    try {
      grant = admission.acquire(key, (long) spec.budget()
          * Math.min(spec.questions().count(), reckon.run().concurrency()));
    } catch (Admission.Refusal refused) {
      runPlaces.decrementAndGet();
      return CompletableFuture.failedFuture(refused);
    }
    return AskPattern.<Runs.Command, RunStatus>askWithStatus(runs,
            replyTo -> new Runs.StartRun(spec, replyTo), ASK, system.scheduler())
        .whenComplete((status, error) -> {
          if (error != null) {
            grant.release();
            runPlaces.decrementAndGet();
          }
        })
        .thenApply(status -> {
          watch(status.runId(), grant, true);
          return status;
        });
  }

  private boolean takeRunPlace() {
    while (true) {
      int now = runPlaces.get();
      if (now >= settings.maxRuns()) {
        return false;
      }
      if (runPlaces.compareAndSet(now, now + 1)) {
        return true;
      }
    }
  }

  /** Runs executing now (those started here and those resumed). */
  int executingRuns() {
    return runPlaces.get();
  }

  /** Counts the run as executing until its journal shows an end; then frees its place and grant. */
  private void watch(String runId, Admission.Grant grant, boolean placeTaken) {
    if (!executing.add(runId)) {
      if (grant != null) {
        grant.release();
      }
      if (placeTaken) {
        runPlaces.decrementAndGet();
      }
      return;
    }
    if (!placeTaken) {
      runPlaces.incrementAndGet();
    }
    journal.events(runId, 1)
        .filter(e -> e.event() instanceof RunEntity.RunFinished
            || e.event() instanceof RunEntity.RunCancelled)
        .take(1)
        .runWith(Sink.ignore(), system)
        .whenComplete((done, error) -> {
          executing.remove(runId);
          runPlaces.decrementAndGet();
          if (grant != null) {
            grant.release();
          }
        });
  }

  /** Resumes every run the journal shows unfinished and not executing (after a restart). */
  CompletionStage<List<String>> resumeUnfinished() {
    return journal.runIds().thenCompose(ids -> {
      List<CompletableFuture<String>> resumed = new ArrayList<>();
      for (String id : ids) {
        resumed.add(status(id).thenCompose(s -> {
          if (!RunStatus.RUNNING.equals(s.state()) || s.executing()) {
            return CompletableFuture.completedFuture((String) null);
          }
          return AskPattern.<Runs.Command, RunStatus>askWithStatus(runs,
                  replyTo -> new Runs.ToRun(id, new RunEntity.Resume(replyTo)), ASK,
                  system.scheduler())
              .thenApply(r -> {
                LOG.info("resumed run {} ({} of {} questions done)", id, r.done(), r.questions());
                watch(id, null, false);
                return id;
              });
        }).exceptionally(e -> {
          LOG.warn("run {} not resumed: {}", id, rootMessage(e));
          return null;
        }).toCompletableFuture());
      }
      return CompletableFuture.allOf(resumed.toArray(CompletableFuture[]::new))
          .thenApply(v -> resumed.stream().map(CompletableFuture::join)
              .filter(java.util.Objects::nonNull).toList());
    });
  }

  /** The run's status; fails with a 404 for an id the journal does not know. */
  CompletionStage<RunStatus> status(String runId) {
    if (!runId.matches("[A-Za-z0-9._-]{1,64}")) {
      CompletableFuture<RunStatus> f = new CompletableFuture<>();
      f.completeExceptionally(ApiException.notFound("run_not_found", "unknown run id " + runId));
      return f;
    }
    if (open.owns(runId)) {
      return open.status(runId);
    }
    return AskPattern.<Runs.Command, RunStatus>askWithStatus(runs,
            replyTo -> new Runs.ToRun(runId, new RunEntity.GetStatus(replyTo)), ASK,
            system.scheduler())
        .exceptionally(e -> {
          throw notFoundOr(e, runId);
        });
  }

  private static RuntimeException notFoundOr(Throwable e, String runId) {
    String message = rootMessage(e);
    if (message.startsWith("unknown run id")) {
      return ApiException.notFound("run_not_found", message);
    }
    return new ApiException(503, "server_error", null, "store_unavailable",
        "run " + runId + ": " + message);
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while ((t instanceof java.util.concurrent.CompletionException
        || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t instanceof ApiException ? t.getMessage() : String.valueOf(t.getMessage());
  }

  CompletionStage<RunStatus> cancel(String runId) {
    if (open.owns(runId)) {
      return status(runId).thenApply(s -> {
        throw new ApiException(409, "invalid_request_error", null, "run_open",
            "run " + runId + " is fed by a stream and ends with it: it cannot be cancelled");
      });
    }
    return status(runId).thenCompose(s -> AskPattern.<Runs.Command, RunStatus>askWithStatus(runs,
        replyTo -> new Runs.ToRun(runId, new RunEntity.Cancel("cancelled over HTTP", replyTo)),
        ASK, system.scheduler()).exceptionally(e -> {
          throw new ApiException(409, "invalid_request_error", null, "run_ended", rootMessage(e));
        }));
  }

  /**
   * The 100 most recent runs, from the runs index (one query; no run is recovered for it), with
   * the stream-fed runs.
   */
  CompletionStage<List<RunStatus>> list() {
    return index.recent(100).exceptionally(e -> {
      throw new ApiException(503, "server_error", null, "store_unavailable",
          "the run store does not answer: " + rootMessage(e));
    }).thenCombine(open.list().exceptionally(e -> List.of()), (durable, streams) -> {
      List<RunStatus> out = new ArrayList<>(durable);
      out.addAll(streams);
      out.sort((a, b) -> b.startedAt().compareTo(a.startedAt()));
      return out;
    });
  }

  /** Runs whose folded tally {@link #view} keeps, the most recently viewed. */
  static final int VIEWS_KEPT = 64;

  /**
   * Each recently viewed run's tally, as far as its journal has been folded: a view reads only the
   * events written since the last one. Folding the whole journal on every view made a status poll
   * of a long run read and decode every result it had, again and again (quadratic in its length:
   * most of a cluster coordinator's CPU while bench/cluster-scaling.sh polled it twice a second).
   * The views of one run are chained, so that one tally is never folded by two at once.
   */
  private final Map<String, CompletableFuture<Tally>> views = java.util.Collections.synchronizedMap(
      new java.util.LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, CompletableFuture<Tally>> eldest) {
          return size() > VIEWS_KEPT;
        }
      });

  /** The run's standing, folded from its journal (from where the last view left off). */
  CompletionStage<RunView> view(String runId) {
    return status(runId).thenCompose(s -> {
      synchronized (views) {
        CompletableFuture<Tally> before =
            views.getOrDefault(runId, CompletableFuture.completedFuture(new Tally()));
        CompletableFuture<RunView> view = before.thenCompose(t ->
            (open.owns(runId) ? open.events(runId, t.next, false)
                : journal.currentEvents(runId, t.next))
                .runWith(Sink.foreach(t::add), system)
                .thenApply(done -> t.view(s)));
        // The next view folds on from this tally once this one is done, whatever its outcome
        // (a fold that failed midway leaves the tally consistent up to the event it reached).
        views.put(runId, view.handle((v, e) -> before.join()));
        return view;
      }
    });
  }

  /** Per-level and per-bin counts of finished questions, and the pool as far as it is known. */
  private static final class Tally {
    final Map<String, long[]> levels = new TreeMap<>();
    final Map<String, long[]> bins = new TreeMap<>();
    Compute compute = Compute.ZERO;
    long granted;
    long spent;
    long total;
    RunSummary.Pool ended;
    /** The sequence number of the next event to fold. */
    long next = 1;

    Tally add(EventEnvelope e) {
      if (e.sequenceNr() < next) {
        return this; // folded already
      }
      next = e.sequenceNr() + 1;
      Object event = e.event();
      if (event instanceof RunEntity.RunStarted started) {
        total = (long) started.spec().budget() * started.spec().questions().count();
      } else if (event instanceof RunEntity.QuestionFinished q) {
        QuestionResult r = q.result();
        count(levels, String.valueOf(r.level() == null ? 0 : r.level()), r);
        count(bins, String.valueOf(r.bin() == null ? 0 : r.bin()), r);
        if (r.compute() != null) {
          compute = compute.plus(r.compute());
        }
        granted += r.granted();
        spent += r.spent();
      } else if (event instanceof RunEntity.RunFinished f) {
        ended = f.summary().pool();
      }
      return this;
    }

    private static void count(Map<String, long[]> into, String key, QuestionResult r) {
      long[] c = into.computeIfAbsent(key, k -> new long[5]);
      c[0]++;
      if (r.correct() != null) {
        c[1]++;
        if (r.correct()) {
          c[2]++;
        }
      }
      c[3] += r.granted();
      c[4] += r.spent();
    }

    RunView view(RunStatus s) {
      RunSummary.Pool pool = ended != null ? ended
          : new RunSummary.Pool(total, granted, granted - spent, total - spent, spent);
      return new RunView(s, s.graded() == 0 ? null : (double) s.correct() / s.graded(),
          slices(levels), slices(bins), compute, pool);
    }

    private static Map<String, RunView.Slice> slices(Map<String, long[]> counts) {
      Map<String, RunView.Slice> out = new TreeMap<>();
      counts.forEach((k, c) -> out.put(k, new RunView.Slice((int) c[0], (int) c[1], (int) c[2],
          c[1] == 0 ? null : (double) c[2] / c[1], c[3], c[4])));
      return out;
    }
  }

  /** The run's journal from {@code from} on, live, ending after its end event. */
  Source<EventEnvelope, NotUsed> events(String runId, long from) {
    return (open.owns(runId) ? open.events(runId, from, true) : journal.events(runId, from))
        .takeWhile(e -> !(e.event() instanceof RunEntity.RunFinished
            || e.event() instanceof RunEntity.RunCancelled), true);
  }

  /** The run's journal from {@code from} up to now (for a run that has ended). */
  Source<EventEnvelope, NotUsed> currentEvents(String runId, long from) {
    return open.owns(runId) ? open.events(runId, from, false) : journal.currentEvents(runId, from);
  }

  Source<QuestionResult, NotUsed> results(String runId) {
    if (open.owns(runId)) {
      return open.events(runId, 1, false).map(EventEnvelope::event)
          .filter(e -> e instanceof RunEntity.QuestionFinished)
          .map(e -> ((RunEntity.QuestionFinished) e).result());
    }
    return journal.currentResults(runId);
  }

  /**
   * Whether the store answered its last probe (for /ready): read from memory, so that an
   * unauthenticated probe costs the store nothing. The probe itself (a connection check, not a
   * journal scan) runs every {@link #STORE_PROBE}.
   */
  CompletionStage<Boolean> storeUp() {
    return CompletableFuture.completedFuture(storeUp);
  }

  static final Duration STORE_PROBE = Duration.ofSeconds(5);

  private volatile boolean storeUp = true;

  /** Starts probing the store every {@link #STORE_PROBE} until the system stops. */
  void probeStore() {
    index.ping().toCompletableFuture()
        .completeOnTimeout(false, 5, java.util.concurrent.TimeUnit.SECONDS)
        .whenComplete((up, error) -> {
          storeUp = error == null && Boolean.TRUE.equals(up);
          try {
            system.scheduler().scheduleOnce(STORE_PROBE, this::probeStore,
                system.executionContext());
          } catch (IllegalStateException stopping) {
            // the scheduler is shut down with the system
          }
        });
  }

  /** The SSE event name and data for a journal event. */
  static RunEvent event(Object event) {
    if (event instanceof RunEntity.RunStarted s) {
      return new RunEvent.Started(s.runId(), s.at(), s.spec().strategy(), s.spec().budget(),
          s.spec().questions().count());
    }
    if (event instanceof RunEntity.QuestionFinished q) {
      QuestionResult r = q.result();
      return new RunEvent.Question(q.index(), r.id(), r.level(), r.answer(), r.expected(),
          r.correct(), r.status(), r.granted(), r.spent(), r.bin());
    }
    if (event instanceof RunEntity.RunResumed r) {
      return new RunEvent.Resumed(r.at(), r.finished(), r.restarted());
    }
    if (event instanceof RunEntity.RunFinished f) {
      return new RunEvent.Finished(f.at(), f.summary());
    }
    RunEntity.RunCancelled c = (RunEntity.RunCancelled) event;
    return new RunEvent.Cancelled(c.at(), c.reason());
  }

  static String kind(RunEvent e) {
    return e.getClass().getSimpleName().toLowerCase(Locale.ROOT);
  }

  // ------------------------------------------------------------------ submissions

  private RunSpec spec(RunRequest r) {
    if ((r.questions() == null) == (r.data() == null)) {
      throw ApiException.badRequest(r.questions() == null ? "questions" : "data",
          "send either questions (a list) or data (a question file on the server), not both");
    }
    RunSpec.Questions questions = r.questions() != null ? inline(r.questions()) : file(r.data());
    String spec = r.strategy() == null ? settings.strategy().name() : r.strategy().strip();
    boolean computeOptimal = spec.toLowerCase(Locale.ROOT).equals(RunSpec.COMPUTE_OPTIMAL);
    int budget = r.budget() == null ? settings.budget() : r.budget();
    if (budget < 1 || budget > settings.maxBudget()) {
      throw ApiException.badRequest("budget", "budget must be between 1 and "
          + settings.maxBudget() + " generations per question; got " + budget);
    }
    String allocation = r.allocation() == null ? (computeOptimal ? "gain" : "rule")
        : r.allocation().strip().toLowerCase(Locale.ROOT);
    if (!Set.of("rule", "fixed", "gain").contains(allocation)) {
      throw ApiException.badRequest("allocation", "allocation '" + r.allocation()
          + "': allowed are rule, fixed, gain");
    }
    if (allocation.equals("gain") && !computeOptimal) {
      throw ApiException.badRequest("allocation", "allocation gain needs a policy's accuracy "
          + "curves: use it with strategy compute-optimal");
    }
    long seed = r.seed() == null ? reckon.run().seed() : r.seed();
    Task task;
    try {
      task = r.task() == null ? settings.task() : settings.tasks().get(r.task());
    } catch (Tasks.UnknownTaskException e) {
      throw ApiException.badRequest("task", e.getMessage());
    }
    RunSpec.TaskRef taskRef = RunEnvironment.ref(task);
    if (computeOptimal) {
      Policy p = policies.policy();
      if (p == null) {
        throw ApiException.badRequest("strategy", "compute-optimal is not available on this "
            + "server: " + policies.unavailable());
      }
      Path file = settings.policy().toAbsolutePath().normalize();
      if (r.policy() != null && !Path.of(r.policy()).toAbsolutePath().normalize().equals(file)) {
        throw ApiException.badRequest("policy", "this server runs its own policy " + file
            + " only; leave policy out");
      }
      if (budget < p.probeSize()) {
        throw ApiException.badRequest("budget", "budget " + budget + " is below the policy's "
            + "probe of " + p.probeSize() + " generations");
      }
      if (!p.taskName().equals(task.name())) {
        throw ApiException.badRequest("task", "the server's policy was learned on task "
            + p.taskName() + ", not " + task.name());
      }
      return new RunSpec(questions, RunSpec.COMPUTE_OPTIMAL,
          new RunSpec.FileRef(file.toString(), Digests.file(file)), budget, allocation, seed,
          p.probeSize(), models, taskRef);
    }
    if (r.policy() != null) {
      throw ApiException.badRequest("policy", "a policy goes with strategy compute-optimal only");
    }
    StrategyConfig config;
    try {
      config = StrategyConfig.parse(spec);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("strategy", "unknown strategy '" + spec + "': "
          + e.getMessage() + ", compute-optimal");
    }
    if (config.usableBudget(budget) == 0) {
      throw ApiException.badRequest("budget", "budget " + budget + " is too small for "
          + config.name());
    }
    int probe = Math.min(reckon.question().probeSamples(), budget);
    return new RunSpec(questions, config.name(), null, budget, allocation, seed, probe, models,
        taskRef);
  }

  private RunSpec.Questions inline(List<RunRequest.SubmittedQuestion> submitted) {
    if (submitted.isEmpty()) {
      throw ApiException.badRequest("questions", "questions is empty: send at least one");
    }
    List<Question> list = new ArrayList<>(submitted.size());
    Set<String> ids = new java.util.HashSet<>();
    for (int i = 0; i < submitted.size(); i++) {
      RunRequest.SubmittedQuestion q = submitted.get(i);
      String field = "questions[" + i + "]";
      if (q == null || q.question() == null || q.question().isBlank()) {
        throw ApiException.badRequest(field + ".question", field + ".question is required");
      }
      String refusal = questionCheck.apply(q.question());
      if (refusal != null) {
        throw ApiException.badRequest(field + ".question", refusal);
      }
      String id = q.id() == null || q.id().isBlank() ? "q" + i : q.id();
      if (!ids.add(id)) {
        throw ApiException.badRequest(field + ".id", "id '" + id + "' is used twice");
      }
      list.add(new Question(id, q.question().strip(), q.answer(), q.level()));
    }
    return new RunSpec.Questions(null, Digests.questions(list), list.size(), list);
  }

  /** A question file under the allowed directory; anything outside it is refused. */
  private RunSpec.Questions file(String data) {
    Path base;
    try {
      base = settings.dataDir().toRealPath();
    } catch (IOException e) {
      throw ApiException.badRequest("data", "this server has no data directory ("
          + settings.dataDir() + "); send questions inline");
    }
    Path file = base.resolve(data).normalize();
    Path real;
    try {
      real = file.toRealPath();
    } catch (IOException e) {
      real = null;
    }
    if (!file.startsWith(base) || real == null || !real.startsWith(base)
        || !Files.isRegularFile(real)) {
      throw ApiException.badRequest("data", "data must name a question file under the server's "
          + "data directory (reckon.serve.data-dir), e.g. arith/test.jsonl; got '" + data + "'");
    }
    List<Question> list;
    try {
      list = Dataset.read(real);
    } catch (Dataset.InvalidDataException e) {
      throw ApiException.badRequest("data", e.getMessage());
    }
    for (Question q : list) {
      String refusal = questionCheck.apply(q.text());
      if (refusal != null) {
        throw ApiException.badRequest("data", data + ": question " + q.id() + ": " + refusal);
      }
    }
    return new RunSpec.Questions(real.toString(), Digests.file(real), list.size(), null);
  }
}
