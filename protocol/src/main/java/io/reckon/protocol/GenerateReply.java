package io.reckon.protocol;

import java.util.List;

/**
 * The continuations for one {@link GenerateRequest}, in row order.
 *
 * @param promptTokens prompt tokens processed (prefill): once per row, except where a backend
 *     reused a cached prefix or shared one prompt's prefill between rows (the ONNX proposer's
 *     prefix cache), which count only what was really computed
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
