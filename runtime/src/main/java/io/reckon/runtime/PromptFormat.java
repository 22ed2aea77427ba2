package io.reckon.runtime;

import java.util.List;

/**
 * How a model's text is laid out (read from its {@code config.json}): the prompt, earlier
 * attempts for a revision, the step delimiter and the answer marker. The defaults are the shipped
 * models' format:
 *
 * <pre>
 * Q: 2*3+4
 * P: 2*3=6; 6+4=11; A: 11      (an earlier attempt, only in a revision prompt)
 * 2*3=6
 * 6+4=10
 * A: 10
 * </pre>
 */
public record PromptFormat(
    String promptTemplate,
    String attemptTemplate,
    String attemptJoiner,
    int maxAttempts,
    String stepDelimiter,
    String answerMarker) {

  public static final PromptFormat ARITH =
      new PromptFormat("Q: {question}\n", "P: {attempt}\n", "; ", 4, "\n", "A: ");

  /** The text a model continues: question, earlier attempts (newest {@code maxAttempts}), steps. */
  public String prompt(String question, List<List<String>> attempts, List<String> prefix) {
    StringBuilder sb = new StringBuilder(promptTemplate.replace("{question}", question));
    for (List<String> attempt : attempts.subList(Math.max(0, attempts.size() - maxAttempts), attempts.size())) {
      sb.append(attemptTemplate.replace("{attempt}", String.join(attemptJoiner, attempt)));
    }
    for (String step : prefix) {
      sb.append(step).append(stepDelimiter);
    }
    return sb.toString();
  }

  public boolean isAnswerLine(String line) {
    return line.startsWith(answerMarker.strip());
  }
}
