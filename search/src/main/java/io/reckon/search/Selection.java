package io.reckon.search;

import io.reckon.protocol.Candidate;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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

  /** The selected answer, or {@code null} when no candidate has one. */
  public String select(List<Candidate> candidates) {
    Tally best = null;
    for (Tally t : tally(candidates).values()) {
      if (best == null || better(t, best)) {
        best = t;
      }
    }
    return best == null ? null : best.answer;
  }

  /** Votes per canonical answer, in order of first appearance. */
  public static Map<String, Tally> tally(List<Candidate> candidates) {
    Map<String, Tally> tallies = new LinkedHashMap<>();
    for (Candidate c : candidates) {
      if (c.answer() == null) {
        continue;
      }
      Tally t = tallies.computeIfAbsent(Answers.canonical(c.answer()), k -> new Tally(c.answer()));
      t.count++;
      double s = Double.isNaN(c.score()) ? 0.0 : c.score();
      t.weight += s;
      t.best = Math.max(t.best, s);
    }
    return tallies;
  }

  private boolean better(Tally a, Tally b) {
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

    Tally(String answer) {
      this.answer = answer;
    }
  }
}
