package io.reckon.protocol;

import java.util.List;

/**
 * One sampled continuation.
 *
 * @param steps the new lines only (not the prefix), each without its delimiter
 * @param finished true when the last line is the answer line (or the model ended the text);
 *     false when it stopped because {@code maxSteps} or its token limit was reached
 * @param tokens tokens generated for this continuation
 * @param logProb sum of the log-probabilities of its tokens
 */
public record Continuation(List<String> steps, boolean finished, int tokens, double logProb)
    implements CborSerializable {
  public Continuation {
    steps = List.copyOf(steps);
  }
}
