package io.reckon.app;

import com.typesafe.config.Config;
import io.reckon.actors.ReckonSettings;
import io.reckon.actors.RunEntity;
import io.reckon.actors.store.StoreSettings;
import io.reckon.protocol.RunStatus;
import io.reckon.server.Json;
import java.io.PrintWriter;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code reckon runs}: every run in the store. */
@Command(
    name = "runs",
    mixinStandardHelpOptions = true,
    subcommands = {RunsPruneCommand.class},
    description = "Lists the runs in the store (reckon.store), oldest first: id, start (UTC), "
        + "status, questions done/total, accuracy so far, generations spent. A run that is "
        + "'running' is executing somewhere, or stopped before its end: 'reckon resume ID'.")
final class RunsCommand implements Callable<Integer> {
  private static final DateTimeFormatter WHEN =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC);

  @Option(names = "--json",
      description = "One JSON array of the runs' status, as GET /v1/runs answers (for scripts)")
  boolean json;

  @Option(names = "--limit", paramLabel = "N",
      description = "Only the latest N runs (still oldest first)")
  Integer limit;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (limit != null && limit < 1) {
      throw new Main.BadInput("--limit must be >= 1 (got " + limit + ")");
    }
    DurableRuns.Configured configured = DurableRuns.Configured.load();
    Config hocon = configured.hocon();
    ReckonSettings settings = configured.settings();
    StoreSettings store = DurableRuns.open(hocon);
    try (DurableRuns.Node node = new DurableRuns.Node(hocon, store, settings, null, 0, List.of())) {
      List<String> ids = node.journal().runIds().toCompletableFuture().join();
      if (limit != null && ids.size() > limit) {
        ids = ids.subList(ids.size() - limit, ids.size());
      }
      if (json) {
        List<RunStatus> all = new ArrayList<>();
        for (String id : ids) {
          all.add(node.ask(id, RunEntity.GetStatus::new));
        }
        out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(all));
        out.flush();
        return 0;
      }
      out.printf(Locale.ROOT, "%-18s  %-19s  %-9s  %15s  %8s  %12s%n",
          "run", "started (UTC)", "status", "questions", "accuracy", "generations");
      for (String id : ids) {
        RunStatus s = node.ask(id, RunEntity.GetStatus::new);
        out.printf(Locale.ROOT, "%-18s  %-19s  %-9s  %15s  %8s  %,12d%n", id,
            WHEN.format(s.startedAt()), s.state(), s.done() + "/" + s.questions(),
            s.graded() == 0 ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * s.accuracy()),
            s.generations());
      }
      if (ids.isEmpty()) {
        out.println("(no runs in " + store.describe() + ")");
      }
      out.flush();
      return 0;
    }
  }
}
