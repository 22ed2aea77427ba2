package io.reckon.protocol.openai;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The {@code reckon} extension field of a completion request: how to search for the answer.
 * Every field is optional.
 *
 * @param strategy a strategy spec ({@code beam:m=4}, {@code best-of-n}, {@code compute-optimal});
 *     {@code null}: the model name's, else the configured default
 * @param budget generations for this request, probe included; {@code null}: draw from the
 *     service-wide pool
 * @param timeout the request's deadline in seconds; past it the best answer so far, or 504
 * @param seed seeds the request's sampling; {@code null}: a fresh seed per request
 * @param task how the answer is found and compared ({@code arith}, {@code math}, {@code gsm8k},
 *     ...); {@code null}: the server's {@code reckon.serve.task}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = false)
public record ReckonOptions(
    String strategy, Integer budget, Double timeout, Long seed, String task) {

  /** Options without a task (the server's default task). */
  public ReckonOptions(String strategy, Integer budget, Double timeout, Long seed) {
    this(strategy, budget, timeout, seed, null);
  }
}
