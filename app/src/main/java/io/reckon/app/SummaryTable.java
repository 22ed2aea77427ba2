package io.reckon.app;

import io.reckon.protocol.Compute;
import io.reckon.protocol.RunSummary;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** The table {@code reckon run} ends with. */
final class SummaryTable {
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
    f(b, "  compute     %,d generations, %,d tokens, %.3g FLOPs in total%n",
        c.generations(), tokens, c.flops());
    f(b, "              %.1f generations, %,.0f tokens, %.3g FLOPs per question%n",
        (double) c.generations() / n, (double) tokens / n, c.flops() / n);
    RunSummary.Pool p = s.pool();
    f(b, "  pool        %,d generations: %,d granted, %,d returned, %,d left unspent%n",
        p.total(), p.granted(), p.returned(), p.remaining());
    if (s.failed() > 0 || s.retries() > 0) {
      f(b, "  faults      %d questions failed, %d requests retried%n", s.failed(), s.retries());
    }
    for (RunSummary.WorkerStats w : s.workers()) {
      f(b, "  %-11s %,d batches, %.1f requests/batch, up to %d questions in one batch%n",
          w.worker(), w.batches(), (double) w.requests() / Math.max(1, w.batches()),
          w.maxQuestionsInBatch());
    }
    f(b, "  wall time   %.2f s, %.1f questions/s%n", s.wallMillis() / 1000.0, s.questionsPerSecond());
    f(b, "  results     %s%n", results);
    return b.toString();
  }

  private static String pct(double x) {
    return Double.isNaN(x) ? "n/a" : String.format(Locale.ROOT, "%.1f%%", 100 * x);
  }

  private static void f(StringBuilder b, String format, Object... args) {
    b.append(String.format(Locale.ROOT, format, args));
  }
}
