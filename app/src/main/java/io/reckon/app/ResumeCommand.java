package io.reckon.app;

import com.typesafe.config.Config;
import io.reckon.actors.ReckonSettings;
import io.reckon.actors.RunEntity;
import io.reckon.actors.Runs;
import io.reckon.actors.store.StoreSettings;
import io.reckon.protocol.RunSpec;
import io.reckon.protocol.RunStatus;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code reckon resume RUN_ID}: continues a run that stopped before its end. */
@Command(
    name = "resume",
    mixinStandardHelpOptions = true,
    description = "Continues a journaled run that stopped before its end (killed, crashed, no "
        + "workers): questions that finished are kept, never computed again; questions that were "
        + "in flight start again. Refused when the run's models, policy or question file changed.")
final class ResumeCommand implements Callable<Integer> {
  @Mixin DurableRuns.RunIdParameter id = new DurableRuns.RunIdParameter();

  @Option(names = "--out", paramLabel = "FILE",
      description = "Results of the whole run, one JSON line per question, from the journal; written "
          + "whole at the end (default: ${DEFAULT-VALUE})",
      defaultValue = "results.jsonl")
  Path out;

  @Option(names = "--workers", paramLabel = "K",
      description = "Proposer and verifier workers of each kind on this node (default: reckon.workers.count)")
  Integer workers;

  @Option(names = "--preset", paramLabel = "NAME",
      description = "The policy preset the run was started with: it is part of the run's "
          + "proposer model, and another (or none) is refused")
  String preset;

  @Option(names = "--prm-preset", paramLabel = "NAME",
      description = "The PRM preset the run was started with (part of its verifier model)")
  String prmPreset;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String runId = id.value();
    Limits.load().requireWorkers(workers);
    OutputTarget target = OutputTarget.check("--out", this.out, OutputTarget.inputs());
    DurableRuns.Configured configured = DurableRuns.Configured.load();
    Config hocon = configured.hocon();
    ReckonSettings settings = configured.settings();
    StoreSettings store = DurableRuns.open(hocon);
    int k = workers != null ? workers : settings.workers().count();
    // The spec first, from a node without workers: it names the models to load.
    RunSpec runSpec;
    try (DurableRuns.Node reader = new DurableRuns.Node(hocon, store, settings, null, 0, java.util.List.of())) {
      runSpec = DurableRuns.started(reader, runId).spec();
    }
    BackendOptions options = RunModels.options(runSpec.models());
    options.preset = preset;
    options.prmPreset = prmPreset;
    if (runSpec.task() != null) {
      // The OpenAI policy renders the run's task again; a task unknown here is the run's to refuse.
      try {
        options.task = TaskChoice.resolve(runSpec.task().name(), hocon);
      } catch (Main.BadInput unknown) {
        options.task = null;
      }
    }
    try (Backends models = options.load(hocon)) {
      try (DurableRuns.Node node = new DurableRuns.Node(
          hocon, store, settings.withSeed(runSpec.seed()), models, k,
          RunModels.of(models, hocon, options))) {
        CompletableFuture<RunEntity.Notification> end = new CompletableFuture<>();
        RunStatus before = node.ask(runId, RunEntity.GetStatus::new);
        Progress progress = Progress.forStderr(
            err, before.questions() - before.done(), settings.progressInterval());
        node.runs.tell(new Runs.ToRun(
            runId, new RunEntity.Subscribe(node.follower(progress, end, "follower"))));
        RunStatus resumed = node.ask(runId, RunEntity.Resume::new);
        // The follower hears RunResumed before the reply is sent; give it a moment to record it.
        for (int i = 0; i < 200 && node.resumed.get() == null; i++) {
          Thread.sleep(10);
        }
        RunEntity.RunResumed event = node.resumed.get();
        out.println("run " + runId + " resumed: " + before.done() + " of " + before.questions()
            + " questions finished before (kept), "
            + (event != null ? event.restarted() + " in flight at the stop start again, " : "")
            + (resumed.questions() - before.done()) + " to go");
        out.flush();
        String label = runSpec.strategy() + " (allocation " + runSpec.allocation().toLowerCase(Locale.ROOT)
            + ", resumed)";
        return DurableRuns.await(node, runId, end, target, refusals(models, runSpec), label,
            runSpec.budget(), k, runSpec.seed(), out, err, "reckon resume");
      }
    }
  }

  /**
   * The questions the model refuses are not journaled (the run leaves them out by the same test),
   * so a resumed run finds them again for its results file; inline questions have none here.
   */
  private static Refusals refusals(Backends models, RunSpec runSpec) {
    if (runSpec.questions().file() == null) {
      return Refusals.NONE;
    }
    try {
      return Refusals.check(models.proposer(),
          io.reckon.runtime.Dataset.read(java.nio.file.Path.of(runSpec.questions().file())),
          runSpec.strategy());
    } catch (RuntimeException unreadable) {
      return Refusals.NONE; // the run itself names the problem with its question file
    }
  }
}
