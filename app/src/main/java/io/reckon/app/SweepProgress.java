package io.reckon.app;

import io.reckon.search.policy.Sweep;
import java.io.PrintWriter;
import java.time.Duration;

/** Progress of a sweep, phase by phase (the pool, then the searches): questions done, ETA. */
final class SweepProgress implements Sweep.Progress {
  private final ProgressDisplay display;

  SweepProgress(PrintWriter err, boolean terminal, Duration interval) {
    this.display = new ProgressDisplay(err, terminal, interval);
  }

  @Override
  public void update(int done, int total, String phase) {
    display.show(phase, done, total, "questions", "");
  }

  void done() {
    display.close();
  }
}
