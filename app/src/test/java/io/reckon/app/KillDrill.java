package io.reckon.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.reckon.actors.RunEntity;
import io.reckon.actors.store.RunJournal;
import io.reckon.actors.store.RunStore;
import io.reckon.actors.store.StoreSettings;
import io.reckon.protocol.QuestionResult;
import io.reckon.protocol.RunSummary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * The kill drill: {@code reckon run} in a child JVM (synthetic backend, fixed allocation), killed
 * with SIGKILL once at least 30 % of its questions are in the journal, then {@code reckon resume}.
 * Store settings reach the child as system properties and this JVM's commands the same way.
 */
final class KillDrill {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Generous: the machine is loaded; nothing here asserts on time. */
  private static final Duration PATIENCE = Duration.ofMinutes(4);

  private final Path dir;
  private final Map<String, String> storeProperties;

  /**
   * @param storeProperties reckon.store.* for the child and for this JVM's commands (set while
   *     the drill runs, then removed)
   */
  KillDrill(Path dir, Map<String, String> storeProperties) {
    this.dir = dir;
    this.storeProperties = new LinkedHashMap<>(storeProperties);
  }

  /** {@code count} questions: the shipped test questions, cycled, with unique ids. */
  Path questions(int count) throws IOException {
    List<String> shipped = Files.readAllLines(Cli.root().resolve("data/arith/test.jsonl"));
    List<String> lines = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      JsonNode q = JSON.readTree(shipped.get(i % shipped.size()));
      ((com.fasterxml.jackson.databind.node.ObjectNode) q).put("id", "drill-" + i);
      lines.add(JSON.writeValueAsString(q));
    }
    Path file = dir.resolve("drill.jsonl");
    Files.write(file, lines, StandardCharsets.UTF_8);
    return file;
  }

  private Process child(Path stdout, Path stderr, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    command.add("-Dslf4j.internal.verbosity=ERROR");
    // Few questions in flight make the child slower than the resume (smaller batches), so that
    // there is time to read its store while it runs; under a fixed allocation a question's
    // result does not depend on how many run beside it.
    command.add("-Dreckon.run.concurrency=16");
    storeProperties.forEach((k, v) -> command.add("-D" + k + "=" + v));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Main.class.getName());
    command.addAll(List.of(args));
    return new ProcessBuilder(command).directory(dir.toFile())
        .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
  }

  /** Runs {@code body} with the store's properties set for this JVM's commands. */
  <T> T withStore(java.util.concurrent.Callable<T> body) throws Exception {
    Map<String, String> before = new HashMap<>();
    storeProperties.forEach((k, v) -> before.put(k, System.setProperty(k, v)));
    ConfigFactory.invalidateCaches();
    try {
      return body.call();
    } finally {
      before.forEach((k, v) -> {
        if (v == null) {
          System.clearProperty(k);
        } else {
          System.setProperty(k, v);
        }
      });
      ConfigFactory.invalidateCaches();
    }
  }

  record Outcome(String runId, int questions, int finishedBeforeKill, List<QuestionFinishedAt> events,
      RunEntity.RunResumed resumed, RunSummary summary, Map<String, JsonNode> resumedResults,
      Map<String, JsonNode> uninterrupted, String runsWhileRunning, long resultsWhileRunning) {}

  /** A question's result, and whether it was journaled before the resume. */
  record QuestionFinishedAt(int index, QuestionResult result, boolean beforeResume) {}

  Outcome run(int count, String... extraRunArgs) throws Exception {
    Path data = questions(count);
    List<String> runArgs = new ArrayList<>(List.of("run", "--backend", "synthetic",
        "--allocation", "fixed", "--strategy", "beam:m=4", "--budget", "16", "--seed", "3",
        "--data", data.toString(), "--out", dir.resolve("killed.jsonl").toString()));
    runArgs.addAll(List.of(extraRunArgs));
    Path out = dir.resolve("child.out");
    Path err = dir.resolve("child.err");
    Process p = child(out, err, runArgs.toArray(String[]::new));
    try {
      log("child started");
      String runId = awaitRunId(p, out, err);
      log("run " + runId);
      StoreSettings store = withStore(() -> StoreSettings.from(ConfigFactory.load()));
      // While the child holds the store open, 'runs' and 'results' read it (through H2's
      // AUTO_SERVER or PostgreSQL); then the kill, once at least 30 % of the questions are in.
      String runs = null;
      long partial = -1;
      long journaled = 0;
      long deadline = System.nanoTime() + PATIENCE.toNanos();
      while (runs == null || journaled < 0.3 * count) {
        assertThat(p.isAlive()).as("the run ended before the kill: %s", Files.readString(err))
            .isTrue();
        assertThat(System.nanoTime()).as("30 %% journaled in time").isLessThan(deadline);
        journaled = Journals.count(store, runId);
        if (runs == null && journaled > 0) {
          log("'runs' and 'results' at " + journaled + " journaled");
          runs = withStore(() -> Cli.reckon("runs")).out();
          Path so = dir.resolve("so-far.jsonl");
          Cli.Result r = withStore(() -> Cli.reckon("results", runId, "--out", so.toString()));
          assertThat(r.status()).as(r.err()).isZero();
          partial = Files.readAllLines(so).size();
          assertThat(p.isAlive()).as("the run ended while 'runs' and 'results' read it: make it "
              + "longer").isTrue();
        }
        Thread.sleep(20);
      }
      p.destroyForcibly();
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      log("killed at " + journaled + " of " + count + " journaled");
      int finishedBeforeKill = (int) Journals.count(store, runId);
      assertThat(finishedBeforeKill).as("what was journaled before the kill stays")
          .isGreaterThanOrEqualTo((int) journaled);

      Path resumedOut = dir.resolve("resumed.jsonl");
      log("resuming");
      Cli.Result resumed = withStore(() -> Cli.reckon("resume", runId, "--out", resumedOut.toString()));
      assertThat(resumed.status()).as(resumed.err()).isZero();

      Path plainOut = dir.resolve("uninterrupted.jsonl");
      List<String> plain = new ArrayList<>(runArgs);
      plain.set(plain.indexOf("--out") + 1, plainOut.toString());
      plain.add("--no-store");
      log("uninterrupted run");
      Cli.Result uninterrupted = Cli.reckon(plain.toArray(String[]::new));
      log("reading the journal");
      assertThat(uninterrupted.status()).as(uninterrupted.err()).isZero();

      List<QuestionFinishedAt> events = new ArrayList<>();
      RunEntity.RunResumed[] resumedEvent = new RunEntity.RunResumed[1];
      RunSummary[] summary = new RunSummary[1];
      withStore(() -> {
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "drill",
            RunStore.config(store).withFallback(ConfigFactory.load()));
        try {
          List<EventEnvelope> all = new RunJournal(system).currentEvents(runId, 1)
              .runWith(Sink.seq(), system).toCompletableFuture().get(2, TimeUnit.MINUTES);
          for (EventEnvelope e : all) {
            if (e.event() instanceof RunEntity.QuestionFinished f) {
              events.add(new QuestionFinishedAt(f.index(), f.result(), resumedEvent[0] == null));
            } else if (e.event() instanceof RunEntity.RunResumed r) {
              resumedEvent[0] = r;
            } else if (e.event() instanceof RunEntity.RunFinished f) {
              summary[0] = f.summary();
            }
          }
        } finally {
          system.terminate();
          system.getWhenTerminated().toCompletableFuture().join();
        }
        return null;
      });
      return new Outcome(runId, count, finishedBeforeKill, events, resumedEvent[0], summary[0],
          byId(resumedOut), byId(plainOut), runs, partial);
    } finally {
      p.destroyForcibly();
    }
  }

  private static final long T0 = System.nanoTime();

  /** The drill's timeline on stderr (the test report keeps it). */
  private static void log(String what) {
    System.err.printf(java.util.Locale.ROOT, "kill drill %6.1f s  %s%n",
        (System.nanoTime() - T0) / 1e9, what);
  }

  private static String awaitRunId(Process p, Path out, Path err) throws Exception {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (System.nanoTime() < deadline) {
      List<String> lines = Files.readAllLines(out);
      if (!lines.isEmpty() && lines.get(0).startsWith("run ")) {
        return lines.get(0).substring(4).strip();
      }
      assertThat(p.isAlive()).as("child died: %s", Files.readString(err)).isTrue();
      Thread.sleep(20);
    }
    throw new AssertionError("no run id from the child: " + Files.readString(err));
  }

  static Map<String, JsonNode> byId(Path jsonl) throws IOException {
    Map<String, JsonNode> m = new HashMap<>();
    for (String line : Files.readAllLines(jsonl)) {
      JsonNode n = JSON.readTree(line);
      assertThat(m.put(n.get("id").asText(), n)).as("one line per question").isNull();
    }
    return m;
  }

  /** What every drill asserts. */
  static void assertDrill(Outcome o) {
    int n = o.questions();
    // Killed mid-run, after at least 30 % had finished.
    assertThat(o.finishedBeforeKill()).isGreaterThanOrEqualTo((int) Math.ceil(0.3 * n)).isLessThan(n);
    // 'runs' and 'results' worked on the running run.
    assertThat(o.runsWhileRunning()).contains(o.runId()).contains("running");
    assertThat(o.resultsWhileRunning()).isPositive();

    // Every question has exactly one result in the journal (a counter per question).
    Map<Integer, Integer> perQuestion = new HashMap<>();
    o.events().forEach(e -> perQuestion.merge(e.index(), 1, Integer::sum));
    assertThat(perQuestion).hasSize(n);
    assertThat(perQuestion.values()).containsOnly(1);

    // The resume kept what was journaled before the kill and computed only the rest.
    Set<Integer> before = new HashSet<>();
    long resumedGenerations = 0;
    for (QuestionFinishedAt e : o.events()) {
      if (e.beforeResume()) {
        before.add(e.index());
      } else {
        resumedGenerations += e.result().compute().generations();
      }
    }
    assertThat(before).hasSize(o.finishedBeforeKill());
    assertThat(o.resumed()).isNotNull();
    assertThat(o.resumed().finished()).isEqualTo(o.finishedBeforeKill());
    // The workers' ledgers of the resumed session: exactly the generations of the questions it
    // finished. A finished question computed again would show up here as extra generations.
    long ledger = o.summary().workers().stream()
        .mapToLong(w -> w.compute().generations()).sum();
    assertThat(ledger).isEqualTo(resumedGenerations);
    assertThat(o.summary().questions()).isEqualTo(n);
    assertThat(o.summary().pool().conserved()).isTrue();

    // Under a fixed allocation the final results equal an uninterrupted run's, field for field.
    assertThat(o.resumedResults()).hasSize(n);
    assertThat(o.resumedResults()).isEqualTo(o.uninterrupted());
  }
}
