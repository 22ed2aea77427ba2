package io.reckon.app;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of long work on stderr: on a terminal a live bar (the progressbar library: rate, ETA,
 * redrawn in place); otherwise, for logs and CI, a plain line every {@code interval} and at the
 * end of each task, with its own ETA.
 */
final class ProgressDisplay {
  private final PrintWriter err;
  private final boolean terminal;
  private final long intervalNanos;
  private String task;
  private long taskStart;
  private long lastLine;
  private ProgressBar bar;

  ProgressDisplay(PrintWriter err, boolean terminal, Duration interval) {
    this.err = err;
    this.terminal = terminal;
    this.intervalNanos = interval.toNanos();
  }

  static boolean onTerminal() {
    return System.console() != null;
  }

  /**
   * Shows {@code done} of {@code total} {@code unit} for a task, with a message (may be empty); a
   * new task name starts a new bar.
   */
  void show(String name, long done, long total, String unit, String message) {
    long now = System.nanoTime();
    if (!name.equals(task)) {
      finishBar();
      task = name;
      taskStart = now;
      lastLine = now;
      if (terminal) {
        bar = new ProgressBarBuilder()
            .setTaskName(name)
            .setInitialMax(total)
            .setStyle(ProgressBarStyle.ASCII)
            .setUpdateIntervalMillis(100)
            // stderr: stdout carries results and the summary table
            .setConsumer(new ConsoleProgressBarConsumer(System.err))
            .build();
      }
    }
    if (bar != null) {
      bar.stepTo(done);
      bar.setExtraMessage(message);
      if (done >= total) {
        finishBar();
      }
      return;
    }
    boolean last = done >= total;
    if (last || now - lastLine >= intervalNanos) {
      lastLine = now;
      double elapsed = (now - taskStart) / 1e9;
      // The first items finish while the JVM warms up: their pace says little about the rest.
      String eta = done < Math.max(1, total / 50) ? "?" : clock(elapsed / done * (total - done));
      err.println(String.format(Locale.ROOT, "progress: %s %d/%d %s  %s%s %s", name, done, total,
          unit, message.isEmpty() ? "" : message + "  ", last ? "elapsed" : "ETA",
          last ? clock(elapsed) : eta));
      err.flush();
    }
  }

  /** Ends the current bar (a no-op for plain lines). */
  void close() {
    finishBar();
  }

  private void finishBar() {
    if (bar != null) {
      bar.close();
      bar = null;
    }
  }

  static String clock(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600
        ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }
}
