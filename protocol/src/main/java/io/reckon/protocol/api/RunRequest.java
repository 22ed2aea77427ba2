package io.reckon.protocol.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * {@code POST /v1/runs}: a research run, its questions given inline or as a server-side file.
 *
 * @param questions the questions, as the JSONL data sets spell them; or
 * @param data a question file on the server, under its allowed directory (reckon.serve.data-dir)
 * @param strategy a strategy spec, or {@code compute-optimal} (the server's policy)
 * @param budget generations per question on average (reckon.serve.budget)
 * @param allocation rule, fixed or gain (gain for compute-optimal, rule otherwise)
 * @param seed the run's seed (reckon.run.seed)
 * @param policy must be absent or name the server's policy file: runs use the policy it loaded
 * @param task how answers are found, voted on and graded (reckon.serve.task)
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record RunRequest(
    List<SubmittedQuestion> questions,
    String data,
    String strategy,
    Integer budget,
    String allocation,
    Long seed,
    String policy,
    String task) {

  /** A request without a task (the server's default task). */
  public RunRequest(List<SubmittedQuestion> questions, String data, String strategy, Integer budget,
      String allocation, Long seed, String policy) {
    this(questions, data, strategy, budget, allocation, seed, policy, null);
  }

  /** One question: {@code question} is required; {@code id} defaults to its position. */
  @JsonIgnoreProperties(ignoreUnknown = false)
  public record SubmittedQuestion(String id, String question, String answer, Integer level) {}
}
