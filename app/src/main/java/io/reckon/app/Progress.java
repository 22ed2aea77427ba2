package io.reckon.app;

import io.reckon.protocol.QuestionResult;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * Progress of a run on stderr: a live bar redrawn in place on a terminal, plain lines every
 * {@code interval} otherwise (logs, CI). Questions done, accuracy so far, generations spent, ETA.
 */
final class Progress {
  private static final long REDRAW_NANOS = 100_000_000L;
  private static final int BAR = 28;

  private final PrintWriter err;
  private final int total;
  private final boolean terminal;
  private final long intervalNanos;
  private final long startNanos = System.nanoTime();
  private long lastNanos;
  private int done;
  private int graded;
  private int correct;
  private int failed;
  private long generations;

  Progress(PrintWriter err, int total, boolean terminal, Duration interval) {
    this.err = err;
    this.total = total;
    this.terminal = terminal;
    this.intervalNanos = interval.toNanos();
    this.lastNanos = startNanos;
  }

  static Progress forStderr(PrintWriter err, int total, Duration interval) {
    return new Progress(err, total, System.console() != null, interval);
  }

  void record(QuestionResult r) {
    done++;
    generations += r.spent();
    if (r.failed()) {
      failed++;
    }
    if (r.correct() != null) {
      graded++;
      if (r.correct()) {
        correct++;
      }
    }
    long now = System.nanoTime();
    if (now - lastNanos >= (terminal ? REDRAW_NANOS : intervalNanos)) {
      lastNanos = now;
      draw(now, false);
    }
  }

  void done() {
    draw(System.nanoTime(), true);
  }

  private void draw(long now, boolean last) {
    double elapsed = (now - startNanos) / 1e9;
    String acc = graded == 0 ? "n/a" : String.format(Locale.ROOT, "%.1f%%", 100.0 * correct / graded);
    // The first questions finish while the JVM warms up: their pace says little about the rest.
    String eta = done < Math.max(1, total / 50) ? "?" : clock(elapsed / done * (total - done));
    String stats = String.format(Locale.ROOT, "%d/%d questions  accuracy %s  %,d generations%s  %s %s",
        done, total, acc, generations, failed > 0 ? "  " + failed + " failed" : "",
        last ? "elapsed" : "ETA", last ? clock(elapsed) : eta);
    if (terminal) {
      int filled = total == 0 ? BAR : (int) ((long) BAR * done / total);
      String bar = "#".repeat(filled) + "-".repeat(BAR - filled);
      err.print("\r[" + bar + "] " + stats + "\u001b[K");
      if (last) {
        err.println();
      }
    } else {
      err.println("progress: " + stats);
    }
    err.flush();
  }

  static String clock(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600
        ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }
}
