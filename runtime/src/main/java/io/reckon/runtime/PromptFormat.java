package io.reckon.runtime;

import io.reckon.runtime.format.TaskFormat;
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
 *
 * <p>A model whose folder carries a chat template (an Optimum export with its Hugging Face files)
 * answers a task in its own format instead: {@link #of(TaskFormat)} renders the task's prompt
 * through the template, cuts steps at the task's delimiter and ends a solution where the task's
 * extractor finds the answer.
 *
 * @param rendering the task rendered for the model's family; null for the fields' plain format
 */
public record PromptFormat(
    String promptTemplate,
    String attemptTemplate,
    String attemptJoiner,
    int maxAttempts,
    String stepDelimiter,
    String answerMarker,
    TaskFormat rendering) {

  public static final PromptFormat ARITH =
      new PromptFormat("Q: {question}\n", "P: {attempt}\n", "; ", 4, "\n", "A: ");

  public PromptFormat(String promptTemplate, String attemptTemplate, String attemptJoiner,
      int maxAttempts, String stepDelimiter, String answerMarker) {
    this(promptTemplate, attemptTemplate, attemptJoiner, maxAttempts, stepDelimiter, answerMarker, null);
  }

  /** A task's format as rendered for a model family (its chat template, its delimiter). */
  public static PromptFormat of(TaskFormat rendering) {
    return new PromptFormat("{question}", "{attempt}", "\n", TaskFormat.MAX_ATTEMPTS,
        rendering.stepDelimiter(), "", rendering);
  }

  /** The text a model continues: question, earlier attempts (newest {@code maxAttempts}), steps. */
  public String prompt(String question, List<List<String>> attempts, List<String> prefix) {
    if (rendering != null) {
      return rendering.completionPrompt(question, attempts, prefix);
    }
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
    if (rendering != null) {
      return rendering.finishes(line);
    }
    return line.startsWith(answerMarker.strip());
  }
}
