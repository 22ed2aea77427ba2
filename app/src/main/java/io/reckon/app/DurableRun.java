package io.reckon.app;

import io.reckon.actors.RunEntity;
import io.reckon.actors.RunEnvironment;
import io.reckon.actors.store.Digests;
import io.reckon.actors.store.StoreSettings;
import io.reckon.protocol.RunSpec;
import io.reckon.protocol.RunStatus;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/** {@code reckon run} with the store (the default): the run journaled as it goes. */
final class DurableRun {
  private DurableRun() {}

  static int start(RunCommand cmd, RunCommand.Inputs in, OutputTarget target, PrintWriter out,
      PrintWriter err) throws Exception {
    StoreSettings store = DurableRuns.open(in.config());
    try (Backends models = cmd.backendOptions.load(in.config())) {
      cmd.checkModels(in, models.names());
      models.notes().forEach(err::println);
      // Questions the model cannot take at all are failed lines of the results file; the node's
      // run environment leaves them out of the run by the same test (see DurableRuns.Node).
      Refusals refusals = Refusals.check(models.proposer(), in.questions(), in.strategyName());
      if (refusals.runnable().isEmpty()) {
        throw new Main.BadInput(cmd.data + ": no question fits the model: "
            + refusals.refused().get(0).error());
      }
      RunSpec spec = spec(cmd, in, RunModels.of(models, in.config(), cmd.backendOptions));
      try (DurableRuns.Node node = new DurableRuns.Node(
          in.config(), store, in.settings(), models, in.workers(), spec.models())) {
        CompletableFuture<RunEntity.Notification> end = new CompletableFuture<>();
        Progress progress =
            Progress.forStderr(err, in.questions().size(), in.settings().progressInterval());
        RunStatus started = node.start(spec, node.follower(progress, end, "follower"));
        // The id first, so that a run killed at any point can be found and resumed.
        cmd.journaledRunId = started.runId();
        out.println("run " + started.runId());
        out.flush();
        int status = DurableRuns.await(node, started.runId(), end, target, refusals, cmd.label(in),
            cmd.budget, in.workers(), spec.seed(), out, err, "reckon run");
        models.proposer().stats().ifPresent(stats -> err.println(stats.describe()));
        return status;
      }
    }
  }

  static RunSpec spec(RunCommand cmd, RunCommand.Inputs in, List<RunSpec.ModelRef> models) {
    Path data = cmd.data.toAbsolutePath().normalize();
    RunSpec.Questions questions = new RunSpec.Questions(
        data.toString(), Digests.file(data), in.questions().size(), null);
    RunSpec.FileRef policy = null;
    if (in.policy() != null) {
      Path p = cmd.policy.toAbsolutePath().normalize();
      policy = new RunSpec.FileRef(p.toString(), Digests.file(p));
    }
    return new RunSpec(questions, in.strategyName(), policy, cmd.budget,
        in.allocation().name().toLowerCase(Locale.ROOT), in.settings().run().seed(),
        in.settings().question().probeSamples(), models).withTask(RunEnvironment.ref(in.task()));
  }
}
