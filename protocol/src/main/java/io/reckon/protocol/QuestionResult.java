package io.reckon.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * What a run reports for one question: one line of the results JSONL file.
 *
 * @param id the question's id
 * @param level the data set's difficulty level, when it has one
 * @param answer the selected answer, or {@code null} (no candidate had one, or it failed)
 * @param expected the ground truth, when known
 * @param correct whether {@code answer} matches {@code expected}; {@code null} when no truth
 * @param status {@code ok}; {@code failed} when it gave up (after retries, or on a timeout);
 *     {@code truncated} when a deadline cut the search and the probe's answer stands
 * @param error why it failed; {@code null} when it did not
 * @param strategy the main strategy's canonical name (under a compute-optimal policy: the
 *     configuration the policy chose for the question's bin and grant)
 * @param bin the predicted-difficulty bin a compute-optimal policy placed the question in
 *     (1 = easiest); {@code null} for a fixed strategy
 * @param probe generations its probe spent (they are part of {@code spent})
 * @param granted generations granted in all: probe plus main grant
 * @param spent generations spent in all (never above {@code granted})
 * @param tokens every token processed: prompt, generated and verifier
 * @param flops floating-point operations, proposer and verifier
 * @param difficulty estimated difficulty, when probed: 1 - the difficulty estimator's predicted pass@1
 *     (a policy's, or the node's {@code reckon.scheduler.allocation.estimator}), else 1 - the
 *     probe's mean final PRM score
 * @param confidence the probe's leading answer's share of the weighted vote, when probed
 * @param retries model requests sent again after a worker failed them or they timed out
 * @param compute the same compute in every unit
 * @param candidates every candidate the final selection saw, probe ones first
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record QuestionResult(
    String id,
    Integer level,
    String answer,
    String expected,
    Boolean correct,
    String status,
    String error,
    String strategy,
    Integer bin,
    long probe,
    long granted,
    long spent,
    long tokens,
    double flops,
    Double difficulty,
    Double confidence,
    int retries,
    Compute compute,
    List<Candidate> candidates)
    implements CborSerializable {

  public static final String OK = "ok";
  public static final String FAILED = "failed";
  /** Answered from what it had when a deadline cut its search short. */
  public static final String TRUNCATED = "truncated";
  /** How the error of a question failed by a deadline begins. */
  public static final String DEADLINE = "deadline";

  public QuestionResult {
    candidates = List.copyOf(candidates);
  }

  public boolean failed() {
    return FAILED.equals(status);
  }
}
