package io.reckon.actors;

import io.reckon.protocol.CborSerializable;
import io.reckon.protocol.Compute;
import io.reckon.protocol.QuestionResult;
import io.reckon.protocol.RunSummary;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A run's running totals over its finished questions: counts, never the results themselves, so
 * that it stays small whatever the run's length. The run supervisor keeps one for its summary and
 * the run entity one in its (snapshotted) state.
 *
 * @param levels per difficulty level of the data set (level 0 = none given)
 */
public record RunTally(
    int done, int failed, int graded, int correct, long retries, Compute compute,
    Map<Integer, RunSummary.Level> levels)
    implements CborSerializable {

  public static final RunTally EMPTY = new RunTally(0, 0, 0, 0, 0, Compute.ZERO, Map.of());

  public RunTally {
    levels = Collections.unmodifiableSortedMap(new TreeMap<>(levels));
  }

  public RunTally plus(QuestionResult r) {
    boolean graded = r.correct() != null;
    boolean right = graded && r.correct();
    int level = r.level() == null ? 0 : r.level();
    Map<Integer, RunSummary.Level> next = new TreeMap<>(levels);
    RunSummary.Level was = next.getOrDefault(level, new RunSummary.Level(0, 0, 0, 0));
    next.put(level, new RunSummary.Level(
        was.questions() + 1, was.graded() + (graded ? 1 : 0), was.correct() + (right ? 1 : 0),
        was.generations() + r.spent()));
    return new RunTally(
        done + 1, failed + (r.failed() ? 1 : 0), this.graded + (graded ? 1 : 0),
        correct + (right ? 1 : 0), retries + r.retries(),
        r.compute() == null ? compute : compute.plus(r.compute()), next);
  }

  /** Generations the finished questions spent. */
  public long generations() {
    long g = 0;
    for (RunSummary.Level l : levels.values()) {
      g += l.generations();
    }
    return g;
  }
}
