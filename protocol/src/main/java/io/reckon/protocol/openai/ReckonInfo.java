package io.reckon.protocol.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The {@code reckon} extension object of a reply: what the search did for the answer.
 *
 * @param strategy the strategy that ran (under a compute-optimal policy: the configuration chosen)
 * @param bin the predicted-difficulty bin (1 = easiest), under a policy
 * @param difficulty 1 - the probe's mean final PRM score, when probed
 * @param granted generations granted, probe included
 * @param generations generations spent
 * @param verifierTokens tokens the PRM scored
 * @param flops proposer and verifier floating-point operations
 * @param pooled whether the budget came from the service-wide pool (no budget named)
 * @param candidates every candidate the final selection saw, best first
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ReckonInfo(
    String strategy,
    Integer bin,
    Double difficulty,
    long granted,
    long generations,
    @JsonProperty("verifier_tokens") long verifierTokens,
    double flops,
    boolean pooled,
    List<Scored> candidates) {

  /** A candidate answer, its score (the aggregated PRM score) and where it came from. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Scored(String answer, Double score, String source, String text) {}
}
