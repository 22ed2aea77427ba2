package io.reckon.bench.orchestration;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.reckon.actors.CommonPool;
import io.reckon.actors.ProposerWorker;
import io.reckon.actors.RunEntity;
import io.reckon.actors.RunEnvironment;
import io.reckon.actors.Runs;
import io.reckon.actors.store.Digests;
import io.reckon.actors.store.RunStore;
import io.reckon.actors.store.StoreSettings;
import io.reckon.protocol.RunSpec;
import io.reckon.protocol.RunStatus;
import io.reckon.actors.ReckonSettings;
import io.reckon.actors.RunSupervisor;
import io.reckon.actors.VerifierWorker;
import io.reckon.protocol.Question;
import io.reckon.protocol.RunSummary;
import io.reckon.runtime.Dataset;
import io.reckon.runtime.synthetic.SyntheticReasoner;
import io.reckon.search.SearchStrategy;
import io.reckon.search.Seeds;
import io.reckon.search.StrategyConfig;
import io.reckon.search.StrategyContext;
import io.reckon.search.SyncDriver;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Orchestration throughput with a zero-latency backend (the synthetic reasoner, no sleeps): the
 * whole actor pipeline (question supervisors, scheduler, batching workers) over N questions, with
 * questions/s, scored steps/s and heap. Not a test; run through {@code bench/orchestration.sh}.
 *
 * <p>Arguments (all optional): {@code --questions 10000 --strategy beam:m=4 --budget 16
 * --probe 0 --workers 1 --concurrency 64 --warmup 2000 --baseline --store DIR}. With {@code
 * --store DIR} the run is a durable one ({@link RunEntity}, every result journaled to an H2 store
 * in DIR), and the journal's bytes per question are reported. A scored step is one
 * candidate step the PRM scored (a row of a score request; beam search scores N per round).
 */
public final class OrchestrationBench {
  private OrchestrationBench() {}

  public static void main(String[] args) throws Exception {
    CommonPool.ensureParallel();
    Map<String, String> a = parse(args);
    int n = Integer.parseInt(a.getOrDefault("questions", "10000"));
    StrategyConfig strategy = StrategyConfig.parse(a.getOrDefault("strategy", "beam:m=4"));
    int budget = Integer.parseInt(a.getOrDefault("budget", "16"));
    int warmup = Integer.parseInt(a.getOrDefault("warmup", "2000"));
    Path root = Path.of(a.getOrDefault("root", "."));
    List<Question> source = Dataset.read(root.resolve("data/arith/test.jsonl"));

    StringBuilder overrides = new StringBuilder();
    overrides.append("reckon.question.probe-samples = ").append(a.getOrDefault("probe", "0")).append('\n');
    overrides.append("reckon.workers.count = ").append(a.getOrDefault("workers", "1")).append('\n');
    if (a.containsKey("concurrency")) {
      overrides.append("reckon.run.concurrency = ").append(a.get("concurrency")).append('\n');
    }
    if (a.containsKey("linger")) {
      overrides.append("reckon.workers.linger = ").append(a.get("linger")).append('\n');
    }
    if (a.containsKey("batch-size")) {
      overrides.append("reckon.workers.batch-size = ").append(a.get("batch-size")).append('\n');
    }
    Config config = ConfigFactory.parseString(overrides.toString()).withFallback(ConfigFactory.load()).resolve();
    ReckonSettings settings = ReckonSettings.from(config);

    if (a.containsKey("baseline")) {
      baseline(source, strategy, budget, n);
    }
    if (warmup > 0 && !a.containsKey("store")) {
      run(config, settings, source, strategy, budget, warmup, "warmup");
      System.gc();
    }
    Path storeDir = a.containsKey("store") ? Path.of(a.get("store")) : null;
    StoreSettings store = null;
    if (storeDir != null) {
      store = StoreSettings.from(config).withDir(storeDir);
      RunStore.prepare(store);
      config = RunStore.config(store).withFallback(config);
    }
    if (warmup > 0 && store != null) {
      durable(config, settings, store, source, strategy, budget, warmup, "warmup");
      System.gc();
    }
    HeapWatch heap = HeapWatch.start();
    Measured m = store != null
        ? durable(config, settings, store, source, strategy, budget, n, "run")
        : run(config, settings, source, strategy, budget, n, "run");
    heap.stop();

    RunSummary s = m.summary();
    long scoredRows = 0;
    long stepScores = 0;
    long generateRows = 0;
    for (RunSummary.WorkerStats w : s.workers()) {
      if (w.kind().equals(VerifierWorker.KIND)) {
        scoredRows += w.rows();
        stepScores += w.stepScores();
      } else {
        generateRows += w.rows();
      }
    }
    double secs = m.nanos() / 1e9;
    System.out.printf(Locale.ROOT,
        "orchestration: %s budget=%d probe=%s questions=%d workers=%d concurrency=%d batch-size=%d linger=%s%n",
        strategy.name(), budget, a.getOrDefault("probe", "0"), n, settings.workers().count(),
        settings.run().concurrency(), settings.workers().batchSize(), settings.workers().linger());
    System.out.printf(Locale.ROOT,
        "  wall %.2f s | %.0f questions/s | %.0f scored steps/s (%,d) | %.0f PRM step scores/s | %.0f sampled steps/s%n",
        secs, n / secs, scoredRows / secs, scoredRows, stepScores / secs, generateRows / secs);
    System.out.printf(Locale.ROOT,
        "  accuracy %.1f%% | failed %d | retries %d | generations %,d%n",
        100 * s.accuracy(), s.failed(), s.retries(), s.compute().generations());
    System.out.printf(Locale.ROOT,
        "  heap: peak used %.0f MB (sampled, garbage included) | max after GC %.0f MB | after full GC at end %.0f MB | -Xmx %.0f MB%n",
        heap.peakUsed() / 1e6, heap.maxAfterGc() / 1e6, heap.liveAtEnd() / 1e6,
        Runtime.getRuntime().maxMemory() / 1e6);
    if (m.journal() != null) {
      Journal j = m.journal();
      System.out.printf(Locale.ROOT,
          "  store: H2 in %s | %,d events | %,.0f journal bytes/question (QuestionFinished "
              + "payloads) | store file %.1f MB%n",
          storeDir, j.events(), (double) j.resultBytes() / n, j.fileBytes() / 1e6);
    }
    for (RunSummary.WorkerStats w : s.workers()) {
      System.out.printf(Locale.ROOT, "  %s: %,d batches, %.1f requests/batch, %.1f rows/batch%n",
          w.worker(), w.batches(), (double) w.requests() / Math.max(1, w.batches()),
          (double) w.rows() / Math.max(1, w.batches()));
    }
  }

  record Measured(RunSummary summary, long nanos, Journal journal) {
    Measured(RunSummary summary, long nanos) {
      this(summary, nanos, null);
    }
  }

  /** What a durable run left in the journal. */
  record Journal(long events, long resultBytes, long fileBytes) {}

  /**
   * The same run as a durable one: a {@link RunEntity} through {@link Runs}, its questions in a
   * file (as {@code reckon run} records them), every result journaled before it counts.
   */
  static Measured durable(
      Config config, ReckonSettings settings, StoreSettings store, List<Question> source,
      StrategyConfig strategy, int budget, int n, String name) throws Exception {
    Path file = store.dir().resolve("bench-" + n + ".jsonl").toAbsolutePath();
    ObjectMapper json = new ObjectMapper();
    try (java.io.BufferedWriter w = Files.newBufferedWriter(file)) {
      Iterator<Question> it = questions(source, n);
      while (it.hasNext()) {
        Question q = it.next();
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("id", q.id());
        line.put("question", q.text());
        line.put("answer", q.answer());
        line.put("level", q.level());
        w.write(json.writeValueAsString(line));
        w.write('\n');
      }
    }
    List<RunSpec.ModelRef> models = List.of(
        new RunSpec.ModelRef("proposer", "synthetic", null, Digests.text("synthetic")),
        new RunSpec.ModelRef("verifier", "synthetic", null, Digests.text("synthetic")));
    RunSpec spec = new RunSpec(new RunSpec.Questions(file.toString(), Digests.file(file), n, null),
        strategy.name(), null, budget, "rule", settings.run().seed(),
        settings.question().probeSamples(), models);
    SyntheticReasoner model = new SyntheticReasoner();
    CompletableFuture<RunSummary> end = new CompletableFuture<>();
    AtomicLong done = new AtomicLong();
    AtomicLong writes = new AtomicLong();
    CompletableFuture<ActorRef<Runs.Command>> runs = new CompletableFuture<>();
    CompletableFuture<ActorRef<RunEntity.Notification>> counter = new CompletableFuture<>();
    Behavior<Void> guardian = Behaviors.setup(ctx -> {
      for (int k = 0; k < settings.workers().count(); k++) {
        ctx.spawn(ProposerWorker.create(model, settings.workers()), "proposer-" + k);
        ctx.spawn(VerifierWorker.create(model, settings.workers()), "verifier-" + k);
      }
      runs.complete(ctx.spawn(Runs.create(RunEnvironment.local(models), settings, store), "runs"));
      counter.complete(ctx.spawn(Behaviors.receive(RunEntity.Notification.class)
          .onMessage(RunEntity.Appended.class, a -> {
            if (a.event() instanceof RunEntity.QuestionFinished) {
              done.incrementAndGet();
            } else if (a.event() instanceof RunEntity.RunFinished f) {
              end.complete(f.summary());
              return Behaviors.stopped();
            }
            return Behaviors.same();
          })
          .onMessage(RunEntity.Halted.class, h -> {
            end.completeExceptionally(new IllegalStateException("run halted: " + h.reason()));
            return Behaviors.stopped();
          })
          .build(), "counter"));
      return Behaviors.empty();
    });
    ActorSystem<Void> system = ActorSystem.create(guardian, "bench-" + name, config);
    try {
      long start = System.nanoTime();
      RunStatus status = AskPattern.<Runs.Command, RunStatus>askWithStatus(runs.get(),
              r -> new Runs.StartRun(spec, counter.get(), r), Duration.ofSeconds(60),
              system.scheduler())
          .toCompletableFuture().get();
      RunSummary summary = end.get();
      long nanos = System.nanoTime() - start;
      if (done.get() != n) {
        throw new IllegalStateException("expected " + n + " results, got " + done.get());
      }
      return new Measured(summary, nanos, journal(store, status.runId()));
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().join();
    }
  }

  private static Journal journal(StoreSettings store, String runId) throws Exception {
    String pid = RunEntity.persistenceId(runId).id();
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(
            store.jdbcUrl(), store.user(), store.password());
        java.sql.PreparedStatement s = c.prepareStatement(
            "SELECT count(*), "
                + "sum(CASE WHEN \"event_ser_manifest\" LIKE '%QuestionFinished%' "
                + "THEN octet_length(\"event_payload\") ELSE 0 END) "
                + "FROM \"event_journal\" WHERE \"persistence_id\" = ?")) {
      s.setString(1, pid);
      try (java.sql.ResultSet r = s.executeQuery()) {
        r.next();
        return new Journal(r.getLong(1), r.getLong(2),
            Files.size(store.dir().resolve(StoreSettings.H2_NAME + ".mv.db")));
      }
    }
  }

  /** The shipped test questions, cycled and renamed, produced one at a time. */
  static Iterator<Question> questions(List<Question> source, int n) {
    return new Iterator<>() {
      int i;

      @Override
      public boolean hasNext() {
        return i < n;
      }

      @Override
      public Question next() {
        Question q = source.get(i % source.size());
        return new Question("bench-" + i++, q.text(), q.answer(), q.level());
      }
    };
  }

  static Measured run(
      Config config, ReckonSettings settings, List<Question> source, StrategyConfig strategy,
      int budget, int n, String name) throws Exception {
    CompletableFuture<RunSummary.Pool> unused = new CompletableFuture<>();
    CompletableFuture<RunSupervisor.Event> end = new CompletableFuture<>();
    AtomicLong done = new AtomicLong();
    SyntheticReasoner model = new SyntheticReasoner();
    RunSupervisor.Run run = new RunSupervisor.Run(
        questions(source, n), n, strategy, budget, settings.run().seed());
    long[] start = new long[1];
    Behavior<Void> guardian = Behaviors.setup(ctx -> {
      for (int k = 0; k < settings.workers().count(); k++) {
        ctx.spawn(ProposerWorker.create(model, settings.workers()), "proposer-" + k);
        ctx.spawn(VerifierWorker.create(model, settings.workers()), "verifier-" + k);
      }
      ActorRef<RunSupervisor.Event> counter = ctx.spawn(
          Behaviors.receive(RunSupervisor.Event.class)
              .onMessage(RunSupervisor.QuestionFinished.class, f -> {
                done.incrementAndGet();
                return Behaviors.same();
              })
              .onAnyMessage(e -> {
                end.complete(e);
                return Behaviors.stopped();
              })
              .build(),
          "counter");
      start[0] = System.nanoTime();
      ctx.spawn(RunSupervisor.create(run, settings, counter), "run");
      return Behaviors.empty();
    });
    ActorSystem<Void> system = ActorSystem.create(guardian, "bench-" + name, config);
    try {
      RunSupervisor.Event e = end.get();
      long nanos = System.nanoTime() - start[0];
      if (!(e instanceof RunSupervisor.RunFinished f)) {
        throw new IllegalStateException("run failed: " + e);
      }
      if (done.get() != n) {
        throw new IllegalStateException("expected " + n + " results, got " + done.get());
      }
      return new Measured(f.summary(), nanos);
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().join();
    }
  }

  /** The same questions through {@link SyncDriver} on one thread: the model's cost alone. */
  static void baseline(List<Question> source, StrategyConfig strategy, int budget, int n) {
    SyntheticReasoner model = new SyntheticReasoner();
    AtomicLong rows = new AtomicLong();
    SyncDriver driver = new SyncDriver(model::generate, batch -> {
      batch.forEach(r -> rows.addAndGet(r.solutions().size()));
      return model.score(batch);
    });
    Iterator<Question> it = questions(source, n);
    long t0 = System.nanoTime();
    int i = 0;
    while (it.hasNext()) {
      List<SearchStrategy> chunk = new ArrayList<>();
      while (it.hasNext() && chunk.size() < 64) {
        chunk.add(strategy.create(StrategyContext.of(it.next(), budget, Seeds.mix(0, i++))));
      }
      driver.runAll(chunk);
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    System.out.printf(Locale.ROOT,
        "baseline (SyncDriver, one thread, no actors): %.2f s | %.0f questions/s | %.0f scored steps/s%n",
        secs, n / secs, rows.get() / secs);
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument " + args[i]);
      }
      String key = args[i].substring(2);
      if (key.equals("baseline")) {
        m.put(key, "true");
      } else {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("--" + key + " needs a value");
        }
        m.put(key, args[++i]);
      }
    }
    return m;
  }

  /** Heap: sampled peak of used (garbage included), and the most retained after any GC. */
  static final class HeapWatch {
    private final AtomicLong peakUsed = new AtomicLong();
    private final AtomicLong maxAfterGc = new AtomicLong();
    private volatile boolean running = true;
    private long liveAtEnd;
    private final Thread sampler;

    private HeapWatch() {
      for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
        ((NotificationEmitter) gc).addNotificationListener((notification, handback) -> {
          if (!notification.getType().equals(
              GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
            return;
          }
          var info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
          long after = 0;
          for (Map.Entry<String, MemoryUsage> e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
            if (!e.getKey().contains("Metaspace") && !e.getKey().contains("Code")
                && !e.getKey().contains("Compressed")) {
              after += e.getValue().getUsed();
            }
          }
          maxAfterGc.accumulateAndGet(after, Math::max);
        }, null, null);
      }
      sampler = new Thread(() -> {
        while (running) {
          peakUsed.accumulateAndGet(
              ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
          try {
            Thread.sleep(20);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "heap-sampler");
      sampler.setDaemon(true);
    }

    static HeapWatch start() {
      HeapWatch h = new HeapWatch();
      h.sampler.start();
      return h;
    }

    void stop() throws InterruptedException {
      running = false;
      sampler.join();
      System.gc();
      liveAtEnd = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    long peakUsed() {
      return peakUsed.get();
    }

    long maxAfterGc() {
      return maxAfterGc.get();
    }

    long liveAtEnd() {
      return liveAtEnd;
    }
  }
}
