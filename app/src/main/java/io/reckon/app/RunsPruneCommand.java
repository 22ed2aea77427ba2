package io.reckon.app;

import io.reckon.actors.store.RunPruner;
import io.reckon.actors.store.RunStore;
import io.reckon.actors.store.StoreSettings;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code reckon runs prune --older-than 30d}: retention for the run store. */
@Command(
    name = "prune",
    mixinStandardHelpOptions = true,
    description = "Deletes the runs that ended (finished or cancelled) longer ago than "
        + "--older-than, with their events, snapshots and index row, and says how much it freed. "
        + "A run that has not ended is never pruned. Safe while a server uses the store. "
        + "reckon.store.prune does the same on a schedule in reckon serve.")
final class RunsPruneCommand implements Callable<Integer> {

  @Option(names = "--older-than", required = true, paramLabel = "AGE",
      description = "Runs that ended longer ago than this: a whole number and d, h, m, s or w "
          + "(30d, 12h, 2w)")
  String olderThan;

  @Option(names = "--dry-run", description = "Only say what would be pruned")
  boolean dryRun;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Duration age;
    try {
      age = RunPruner.parseAge(olderThan);
    } catch (IllegalArgumentException e) {
      throw new Main.BadInput("--older-than: " + e.getMessage());
    }
    DurableRuns.Configured configured = DurableRuns.Configured.load();
    StoreSettings store = DurableRuns.open(configured.hocon());
    Instant cutoff = Instant.now().minus(age);
    RunPruner.Freed freed;
    try (Connection c = DriverManager.getConnection(
        store.jdbcUrl(), store.user(), store.password())) {
      freed = new RunPruner(store.kind()).prune(c, cutoff, dryRun);
    } catch (SQLException e) {
      throw RunStore.explainFailure(e, store);
    }
    out.println(freed.describe(dryRun) + " that ended before " + cutoff + " from "
        + store.describe());
    out.flush();
    return 0;
  }
}
