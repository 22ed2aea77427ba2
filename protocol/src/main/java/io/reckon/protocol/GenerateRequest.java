package io.reckon.protocol;

import java.util.List;

/**
 * Ask the policy model for {@code samples} continuations of one partial solution.
 *
 * <p>The proposer builds the prompt from the model's own template: the question, then (for a
 * revision) the earlier {@code attempts}, then the {@code prefix} steps already fixed. It then
 * writes at most {@code maxSteps} further steps ({@code 0} = until the answer line).
 *
 * @param attempts earlier complete attempts (each a list of lines, answer line last), oldest
 *     first; empty for an ordinary sample
 * @param temperature {@code 0} means greedy
 * @param seed makes the samples reproducible; row {@code i} of the request uses {@code (seed, i)}
 * @param charge generations this request costs against the question's grant, in the paper's
 *     accounting (a beam search of N beams costs N however many steps it takes); tokens and
 *     FLOPs are measured separately from the reply
 */
public record GenerateRequest(
    long requestId,
    String questionId,
    String question,
    List<List<String>> attempts,
    List<String> prefix,
    int samples,
    int maxSteps,
    double temperature,
    long seed,
    int charge)
    implements ModelRequest {

  public static final int TO_END = 0;

  public GenerateRequest {
    attempts = attempts.stream().map(List::copyOf).toList();
    prefix = List.copyOf(prefix);
    if (samples < 1) {
      throw new IllegalArgumentException("samples must be >= 1, was " + samples);
    }
    if (maxSteps < 0) {
      throw new IllegalArgumentException("maxSteps must be >= 0 (0 = to the end), was " + maxSteps);
    }
    if (temperature < 0 || Double.isNaN(temperature)) {
      throw new IllegalArgumentException("temperature must be >= 0, was " + temperature);
    }
    if (charge < 0) {
      throw new IllegalArgumentException("charge must be >= 0, was " + charge);
    }
  }
}
