package io.reckon.search;

import io.reckon.protocol.Candidate;
import io.reckon.search.task.AnswerClasses;
import io.reckon.search.task.Task;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How one final answer is chosen from candidate solutions. Candidates without an answer never
 * win. Ties go to the answer seen first, so a selection is deterministic.
 */
public enum Selection {
  /** The single highest-scoring candidate. */
  NAIVE,
  /** The answer with the largest sum of scores over the candidates that give it (paper default). */
  WEIGHTED,
  /** The most frequent answer; ties broken by summed score. */
  MAJORITY;

  /** True when this selection reads verifier scores (so the strategy must ask for them). */
  public boolean needsScores() {
    return this != MAJORITY;
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Selection parse(String text) {
    for (Selection s : values()) {
      if (s.label().equals(text.strip().toLowerCase(Locale.ROOT))) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "unknown selection '"
            + text
            + "': allowed values are "
            + Arrays.stream(values()).map(Selection::label).collect(Collectors.joining(", ")));
  }

  /**
   * The selected answer, or {@code null} when no candidate has one. Answers are votes for their
   * equivalence class under the task ({@code \\frac12} and {@code 0.5} are one vote for math);
   * the winner is reported as its class's first answer.
   */
  public String select(List<Candidate> candidates, Task task) {
    Tally best = null;
    for (Tally t : tally(candidates, task)) {
      if (best == null || better(t, best)) {
        best = t;
      }
    }
    return best == null ? null : best.answer;
  }

  /**
   * Votes per equivalence class of the task, in order of first appearance; the equivalence
   * classes are built once for the whole set (see {@link Task#classes}).
   */
  public static List<Tally> tally(List<Candidate> candidates, Task task) {
    List<String> answers = new ArrayList<>(candidates.size());
    for (Candidate c : candidates) {
      answers.add(c.answer());
    }
    AnswerClasses classes = task.classes(answers);
    List<Tally> tallies = new ArrayList<>(classes.count());
    for (int k = 0; k < classes.count(); k++) {
      tallies.add(new Tally(classes.representative(k)));
    }
    for (int i = 0; i < candidates.size(); i++) {
      int k = classes.classOf(i);
      if (k < 0) {
        continue;
      }
      Tally t = tallies.get(k);
      t.count++;
      double s = Double.isNaN(candidates.get(i).score()) ? 0.0 : candidates.get(i).score();
      t.weight += s;
      t.best = Math.max(t.best, s);
    }
    return tallies;
  }

  /** True when {@code a} beats {@code b} under this selection (ties: the earlier one wins). */
  public boolean better(Tally a, Tally b) {
    return switch (this) {
      case NAIVE -> a.best > b.best;
      case WEIGHTED -> a.weight > b.weight || (a.weight == b.weight && a.count > b.count);
      case MAJORITY -> a.count > b.count || (a.count == b.count && a.weight > b.weight);
    };
  }

  /** One answer's votes. */
  public static final class Tally {
    public final String answer;
    public int count;
    public double weight;
    public double best = Double.NEGATIVE_INFINITY;

    public Tally(String answer) {
      this.answer = answer;
    }
  }
}
