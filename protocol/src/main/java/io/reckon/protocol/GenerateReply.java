package io.reckon.protocol;

import java.util.List;

/**
 * The continuations for one {@link GenerateRequest}, in row order.
 *
 * @param promptTokens prompt tokens processed (prefill), counted once per row
 * @param generatedTokens tokens generated over all rows
 */
public record GenerateReply(
    long requestId,
    List<Continuation> continuations,
    long promptTokens,
    long generatedTokens,
    double flops)
    implements ModelReply {
  public GenerateReply {
    continuations = List.copyOf(continuations);
  }
}
