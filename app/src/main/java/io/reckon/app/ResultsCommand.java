package io.reckon.app;

import com.typesafe.config.Config;
import io.reckon.actors.ReckonSettings;
import io.reckon.actors.store.StoreSettings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code reckon results RUN_ID}: a run's results from the journal, at any time. */
@Command(
    name = "results",
    mixinStandardHelpOptions = true,
    description = "Writes a run's results from the journal, one JSON line per finished question in "
        + "the order they finished: the whole run once it has finished, what is there so far while "
        + "it runs.")
final class ResultsCommand implements Callable<Integer> {
  @Mixin DurableRuns.RunIdParameter id = new DurableRuns.RunIdParameter();

  @Option(names = "--out", paramLabel = "FILE",
      description = "Write them to FILE (atomically) instead of standard output")
  Path out;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter stdout = spec.commandLine().getOut();
    String runId = id.value();
    if (out != null) {
      PolicyFiles.requireWritable("--out", out);
    }
    DurableRuns.Configured configured = DurableRuns.Configured.load();
    Config hocon = configured.hocon();
    ReckonSettings settings = configured.settings();
    StoreSettings store = DurableRuns.open(hocon);
    try (DurableRuns.Node node = new DurableRuns.Node(hocon, store, settings, null, 0, List.of())) {
      DurableRuns.started(node, runId); // unknown ids are bad input, not an empty file
      if (out != null) {
        DurableRuns.export(node, runId, out);
      } else {
        DurableRuns.write(node, runId, stdout);
        stdout.flush();
      }
      return 0;
    }
  }
}
