package io.reckon.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A complete (or abandoned) solution a strategy produced.
 *
 * @param steps its lines, answer line last when it has one
 * @param answer the extracted final answer, or {@code null} when it has none
 * @param stepScores the verifier's score per step; empty when never scored
 * @param score the aggregated score the strategy selected with ({@code NaN} when unscored)
 * @param group the chain (revisions) or subtree (DVTS) it belongs to; 0 when the strategy has none
 * @param source what produced it, e.g. {@code probe} or the strategy's name
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Candidate(
    List<String> steps,
    String answer,
    List<Double> stepScores,
    double score,
    int group,
    String source)
    implements CborSerializable {
  public Candidate {
    steps = List.copyOf(steps);
    stepScores = List.copyOf(stepScores);
  }

  public boolean scored() {
    return !stepScores.isEmpty();
  }
}
