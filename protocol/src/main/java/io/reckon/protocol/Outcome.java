package io.reckon.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * How a strategy ended for one question.
 *
 * @param answer the selected final answer, or {@code null} when no candidate had one
 * @param candidates every candidate the selection saw, including carried (probe) ones
 * @param compute everything spent by this strategy (not counting carried candidates' cost)
 * @param granted the grant in generations when it finished
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Outcome(
    String questionId,
    String strategy,
    String answer,
    List<Candidate> candidates,
    Compute compute,
    int granted)
    implements CborSerializable {
  public Outcome {
    candidates = List.copyOf(candidates);
  }
}
