package io.reckon.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.reckon.actors.ReckonSettings;
import io.reckon.actors.RunEnvironment;
import io.reckon.actors.Runs;
import io.reckon.actors.store.Digests;
import io.reckon.actors.store.RunStore;
import io.reckon.actors.store.StoreSettings;
import io.reckon.protocol.RunSpec;
import io.reckon.protocol.RunStatus;
import io.reckon.search.task.Task;
import io.reckon.search.task.Tasks;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** run / runs / results / resume in-process: the run id first, clear lines for bad input. */
class DurableCommandsTest {
  @TempDir Path dir;

  private KillDrill store() {
    return new KillDrill(dir, Map.of("reckon.store.dir", dir.resolve("store").toString()));
  }

  @Test
  void aFinishedRunIsListedAndItsResultsExportedAndItCannotBeResumed() throws Exception {
    KillDrill store = store();
    Path data = Cli.smallData(dir, "test.jsonl", 3);
    Path out = dir.resolve("r.jsonl");
    Cli.Result run = store.withStore(() -> Cli.reckon("run", "--backend", "synthetic",
        "--data", data.toString(), "--out", out.toString()));
    assertThat(run.status()).as(run.err()).isZero();
    String first = run.out().lines().findFirst().orElseThrow();
    assertThat(first).matches("run [0-9]{6}-[0-9]{6}-[0-9a-z]{4}");
    String id = first.substring(4);

    Cli.Result runs = store.withStore(() -> Cli.reckon("runs"));
    assertThat(runs.status()).isZero();
    assertThat(runs.out()).contains(id).contains("finished").contains("18/18");

    Cli.Result results = store.withStore(() -> Cli.reckon("results", id));
    assertThat(results.status()).isZero();
    // The journal's export is the run's results file, line for line.
    assertThat(results.out().lines().toList()).isEqualTo(Files.readAllLines(out));

    Cli.assertBadInput(store.withStore(() -> Cli.reckon("resume", id)), "is finished", id);
  }

  @Test
  void unknownAndMalformedRunIdsAreOneLineWithExitStatusTwo() throws Exception {
    KillDrill store = store();
    Cli.assertBadInput(store.withStore(() -> Cli.reckon("results", "261201-000000-0000")),
        "unknown run id 261201-000000-0000");
    Cli.assertBadInput(store.withStore(() -> Cli.reckon("resume", "261201-000000-0000")),
        "unknown run id 261201-000000-0000");
    Cli.assertBadInput(store.withStore(() -> Cli.reckon("results", "latest")),
        "'latest' is not a run id");
  }

  @Test
  void aCorruptStoreFileIsOneLineWithExitStatusTwo() throws Exception {
    KillDrill store = store();
    Files.createDirectories(dir.resolve("store"));
    Files.write(dir.resolve("store/reckon.mv.db"),
        "garbage\n".repeat(1000).getBytes(StandardCharsets.UTF_8));
    Cli.assertBadInput(store.withStore(() -> Cli.reckon("runs")), "reckon.mv.db", "damaged");
    Path data = Cli.smallData(dir, "test.jsonl", 1);
    Cli.assertBadInput(store.withStore(() -> Cli.reckon("run", "--backend", "synthetic",
        "--data", data.toString(), "--out", dir.resolve("x.jsonl").toString())), "damaged");
  }

  @Test
  void anUnreachablePostgresIsOneLineWithExitStatusOne() throws Exception {
    KillDrill pg = new KillDrill(dir, Map.of("reckon.store.kind", "postgres",
        "reckon.store.url", "jdbc:postgresql://127.0.0.1:1/reckon",
        "reckon.store.connect-timeout", "2s"));
    Cli.Result r = pg.withStore(() -> Cli.reckon("runs"));
    assertThat(r.status()).as(r.err()).isEqualTo(1);
    assertThat(r.err().strip()).doesNotContain("\n")
        .contains("cannot reach PostgreSQL at jdbc:postgresql://127.0.0.1:1/reckon");
  }

  /** A journaled run that never ran a question: no workers, so it halts after its start. */
  private String unfinishedRun(Path data) throws Exception {
    return unfinishedRun(data, Tasks.ARITH, Tasks.builtin());
  }

  /** The same, started on a node whose registry is {@code tasks}, under {@code task}. */
  private String unfinishedRun(Path data, Task task, Tasks tasks) throws Exception {
    return store().withStore(() -> {
      StoreSettings store = StoreSettings.from(ConfigFactory.load());
      RunStore.prepare(store);
      Config config = ConfigFactory.parseString("reckon.run.workers-timeout = 200ms")
          .withFallback(RunStore.config(store)).withFallback(ConfigFactory.load()).resolve();
      List<RunSpec.ModelRef> synthetic = List.of(
          new RunSpec.ModelRef("proposer", "synthetic", null, Digests.text("synthetic")),
          new RunSpec.ModelRef("verifier", "synthetic", null, Digests.text("synthetic")));
      RunSpec spec = new RunSpec(new RunSpec.Questions(data.toString(), Digests.file(data),
          Files.readAllLines(data).size(), null), "beam:m=4,agg=last", null, 16, "rule", 0, 4,
          synthetic).withTask(RunEnvironment.ref(task));
      ActorSystem<Runs.Command> system = ActorSystem.create(Runs.create(
          RunEnvironment.local(synthetic, tasks), ReckonSettings.from(config), store), "unfinished",
          config);
      try {
        return AskPattern.<Runs.Command, RunStatus>askWithStatus(system,
                r -> new Runs.StartRun(spec, r), Duration.ofSeconds(60), system.scheduler())
            .toCompletableFuture().get().runId();
      } finally {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().join();
      }
    });
  }

  @Test
  void aResumeAfterTheQuestionFileChangedIsRefusedWithOneLine() throws Exception {
    KillDrill store = store();
    Path data = Cli.smallData(dir, "test.jsonl", 2).toAbsolutePath();
    String id = unfinishedRun(data);
    Cli.Result runs = store.withStore(() -> Cli.reckon("runs"));
    assertThat(runs.out()).contains(id).contains("running").contains("0/12");
    List<String> lines = Files.readAllLines(data);
    Files.write(data, lines.subList(0, lines.size() - 1), StandardCharsets.UTF_8);
    Cli.Result resume = store.withStore(() -> Cli.reckon("resume", id));
    Cli.assertBadInput(resume, "run " + id, "question file " + data, "changed since the run started");
  }

  @Test
  void aResumeUnderAChangedTaskIsRefusedWithOneLine() throws Exception {
    Path data = Cli.smallData(dir, "test.jsonl", 2).toAbsolutePath();
    // the run started on a node whose "arith" counts a blank line as a step's end
    Task otherArith = new Task("arith", "", "\n\n", Tasks.ARITH.extractor(),
        Tasks.ARITH.equivalence(), Tasks.ARITH.prompt(), Tasks.ARITH.maxComparisons());
    String id = unfinishedRun(data, otherArith, new Tasks(List.of(otherArith), "arith"));
    Cli.Result resume = store().withStore(() -> Cli.reckon("resume", id));
    Cli.assertBadInput(resume, "run " + id, "the task 'arith' changed since the run started",
        "reckon.tasks.arith");
    Task aime = new Task("aime", "", "\n\n", Tasks.MATH.extractor(), Tasks.MATH.equivalence(),
        Tasks.MATH.prompt(), 10);
    String unknown = unfinishedRun(data, aime, new Tasks(List.of(Tasks.ARITH, aime), "arith"));
    Cli.assertBadInput(store().withStore(() -> Cli.reckon("resume", unknown)),
        "the run's task 'aime' is not defined on this node", "known tasks: arith, gsm8k, math");
  }
}
