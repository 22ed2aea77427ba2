package io.reckon.app;

import io.reckon.protocol.QuestionResult;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/** Progress of a run: questions done, accuracy so far, generations spent, ETA. */
final class Progress {
  private final ProgressDisplay display;
  private final int total;
  private int done;
  private int graded;
  private int correct;
  private int failed;
  private long generations;

  Progress(PrintWriter err, int total, boolean terminal, Duration interval) {
    this.display = new ProgressDisplay(err, terminal, interval);
    this.total = total;
  }

  static Progress forStderr(PrintWriter err, int total, Duration interval) {
    return new Progress(err, total, ProgressDisplay.onTerminal(), interval);
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
    display.show("run", done, total, "questions", stats());
  }

  void done() {
    display.close();
  }

  private String stats() {
    String acc = graded == 0 ? "n/a" : String.format(Locale.ROOT, "%.1f%%", 100.0 * correct / graded);
    return String.format(Locale.ROOT, "accuracy %s  %,d generations%s", acc, generations,
        failed > 0 ? "  " + failed + " failed" : "");
  }
}
