package io.reckon.app;

import io.reckon.protocol.Compute;
import io.reckon.protocol.RunSummary;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** The table {@code reckon run} ends with. */
final class SummaryTable {
  // Beyond this many workers the table gives one line per kind of worker.
  static final int MAX_WORKER_LINES = 8;

  private SummaryTable() {}

  static String render(
      RunSummary s, String strategy, int budget, int workers, long seed, Path results) {
    StringBuilder b = new StringBuilder();
    f(b, "%nReckon run: %s, budget %d generations/question, %d questions, %d worker%s of each kind, seed %d%n%n",
        strategy, budget, s.questions(), workers, workers == 1 ? "" : "s", seed);
    f(b, "  %-6s %10s %10s %14s%n", "level", "questions", "accuracy", "generations/q");
    for (Map.Entry<Integer, RunSummary.Level> e : s.levels().entrySet()) {
      RunSummary.Level l = e.getValue();
      f(b, "  %-6s %10d %10s %14.1f%n", e.getKey() == 0 ? "-" : e.getKey().toString(),
          l.questions(), pct(l.accuracy()), (double) l.generations() / Math.max(1, l.questions()));
    }
    Compute c = s.compute();
    int n = Math.max(1, s.questions());
    f(b, "  %-6s %10d %10s %14.1f%n%n", "all", s.questions(), pct(s.accuracy()),
        (double) c.generations() / n);
    long tokens = c.promptTokens() + c.generatedTokens() + c.verifierTokens();
    // A replay or a server that does not say its model's size counts tokens but no FLOPs: "0.00
    // FLOPs" would read as free compute.
    boolean flopsKnown = c.flops() > 0 || tokens == 0;
    f(b, "  compute     %,d generations, %,d tokens, %s%n", c.generations(), tokens,
        flopsKnown ? String.format(Locale.ROOT, "%.3g FLOPs in total", c.flops())
            : "FLOPs not known (the models' sizes are not)");
    f(b, "              %.1f generations, %,.0f tokens%s per question%n",
        (double) c.generations() / n, (double) tokens / n,
        flopsKnown ? String.format(Locale.ROOT, ", %.3g FLOPs", c.flops() / n) : "");
    RunSummary.Pool p = s.pool();
    f(b, "  pool        %,d generations: %,d granted, %,d returned, %,d left unspent%n",
        p.total(), p.granted(), p.returned(), p.remaining());
    if (s.failed() > 0 || s.retries() > 0) {
      f(b, "  faults      %d questions failed, %d requests retried%n", s.failed(), s.retries());
    }
    if (s.workers().size() <= MAX_WORKER_LINES) {
      for (RunSummary.WorkerStats w : s.workers()) {
        f(b, "  %-11s %,d batches, %.1f requests/batch, up to %d questions in one batch%n",
            w.worker(), w.batches(), (double) w.requests() / Math.max(1, w.batches()),
            w.maxQuestionsInBatch());
      }
    } else {
      workerSummary(b, s.workers());
    }
    f(b, "  wall time   %.2f s, %.1f questions/s%n", s.wallMillis() / 1000.0, s.questionsPerSecond());
    f(b, "  results     %s%n", results);
    return b.toString();
  }

  /** Many workers: one line per kind (proposer, verifier) instead of one per worker. */
  private static void workerSummary(StringBuilder b, java.util.List<RunSummary.WorkerStats> all) {
    Map<String, java.util.List<RunSummary.WorkerStats>> byKind = new java.util.TreeMap<>();
    for (RunSummary.WorkerStats w : all) {
      String kind = w.kind();
      byKind.computeIfAbsent(kind, k -> new java.util.ArrayList<>()).add(w);
    }
    for (Map.Entry<String, java.util.List<RunSummary.WorkerStats>> e : byKind.entrySet()) {
      long batches = 0;
      long requests = 0;
      long busy = 0;
      int maxQuestions = 0;
      for (RunSummary.WorkerStats w : e.getValue()) {
        batches += w.batches();
        requests += w.requests();
        busy += w.batches() > 0 ? 1 : 0;
        maxQuestions = Math.max(maxQuestions, w.maxQuestionsInBatch());
      }
      f(b, "  %-11s %,d workers (%,d used): %,d batches, %.1f requests/batch, up to %d questions "
          + "in one batch%n", e.getKey(), e.getValue().size(), busy, batches,
          (double) requests / Math.max(1, batches), maxQuestions);
    }
  }

  private static String pct(double x) {
    return Double.isNaN(x) ? "n/a" : String.format(Locale.ROOT, "%.1f%%", 100 * x);
  }

  private static void f(StringBuilder b, String format, Object... args) {
    b.append(String.format(Locale.ROOT, format, args));
  }
}
