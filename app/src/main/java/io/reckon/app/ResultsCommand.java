package io.reckon.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.reckon.actors.ReckonSettings;
import io.reckon.actors.store.StoreSettings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code reckon results RUN_ID}: a run's results from the journal, at any time. */
@Command(
    name = "results",
    mixinStandardHelpOptions = true,
    description = "Writes a run's results from the journal, one JSON line per finished question in "
        + "the order they finished: the whole run once it has finished, what is there so far while "
        + "it runs.")
final class ResultsCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "RUN_ID", description = "The run, as 'reckon runs' lists it")
  String runId;

  @Option(names = "--out", paramLabel = "FILE",
      description = "Write them to FILE (atomically) instead of standard output")
  Path out;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter stdout = spec.commandLine().getOut();
    DurableRuns.requireRunId(runId);
    if (out != null) {
      PolicyFiles.requireWritable("--out", out);
    }
    Config hocon;
    ReckonSettings settings;
    try {
      hocon = ConfigFactory.load();
      settings = ReckonSettings.from(hocon);
    } catch (ConfigException | IllegalArgumentException e) {
      throw new Main.BadInput("configuration: " + e.getMessage());
    }
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
