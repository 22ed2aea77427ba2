package io.reckon.protocol;

import java.util.List;

/** Ask the verifier (a process reward model) for a score per step of each solution. */
public record ScoreRequest(
    long requestId, String questionId, String question, List<List<String>> solutions)
    implements ModelRequest {
  public ScoreRequest {
    solutions = solutions.stream().map(List::copyOf).toList();
  }
}
