package io.reckon.protocol;

import java.util.List;

/**
 * Per-step scores for one {@link ScoreRequest}: {@code scores.get(i).get(j)} is the
 * probability the verifier gives that solution {@code i} is still right after step {@code j}.
 *
 * @param tokens tokens the verifier processed
 */
public record ScoreReply(long requestId, List<List<Double>> scores, long tokens, double flops)
    implements ModelReply {
  public ScoreReply {
    scores = scores.stream().map(List::copyOf).toList();
  }
}
