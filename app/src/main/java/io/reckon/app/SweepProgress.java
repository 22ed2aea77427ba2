package io.reckon.app;

import io.reckon.search.policy.Sweep;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * A sweep's progress on stderr, like a run's: a bar redrawn in place on a terminal, otherwise a
 * line every {@code interval} and at the end of each phase (pool, then search).
 */
final class SweepProgress implements Sweep.Progress {
  private static final int BAR = 28;

  private final PrintWriter err;
  private final boolean terminal;
  private final long intervalNanos;
  private final long startNanos = System.nanoTime();
  private long lastNanos = startNanos;
  private boolean drawn;

  SweepProgress(PrintWriter err, boolean terminal, Duration interval) {
    this.err = err;
    this.terminal = terminal;
    this.intervalNanos = interval.toNanos();
  }

  @Override
  public void update(int done, int total, String phase) {
    long now = System.nanoTime();
    boolean phaseEnd = done == total;
    if (!terminal && !phaseEnd && now - lastNanos < intervalNanos) {
      return;
    }
    lastNanos = now;
    String stats = String.format(Locale.ROOT, "%-6s %d/%d questions  %s elapsed", phase, done, total,
        Progress.clock((now - startNanos) / 1e9));
    if (terminal) {
      int filled = total == 0 ? BAR : (int) ((long) BAR * done / total);
      err.print("\r[" + "#".repeat(filled) + "-".repeat(BAR - filled) + "] " + stats + "\u001b[K");
      drawn = true;
      if (phaseEnd) {
        err.println();
        drawn = false;
      }
    } else {
      err.println("progress: " + stats);
    }
    err.flush();
  }

  void done() {
    if (drawn) {
      err.println();
      err.flush();
    }
  }
}
