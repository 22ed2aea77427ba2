package io.reckon.search.task;

import java.util.List;
import java.util.Objects;

/**
 * The pure data of a task's prompt; rendering it (chat templates, plain completions) is
 * runtime's job, so that one task serves every model family.
 *
 * @param system the system prompt, or the empty string for none
 * @param user the user message; {@code {question}} is replaced by the question's text
 * @param fewShot worked examples shown before the question, oldest first (may be empty)
 */
public record TaskPrompt(String system, String user, List<Example> fewShot) {
  /** The placeholder of {@link #user} that the question replaces. */
  public static final String QUESTION = "{question}";

  public TaskPrompt {
    system = system == null ? "" : system;
    Objects.requireNonNull(user, "user");
    if (!user.contains(QUESTION)) {
      throw new IllegalArgumentException(
          "a task's user template must contain " + QUESTION + " (got \"" + user + "\")");
    }
    fewShot = fewShot == null ? List.of() : List.copyOf(fewShot);
  }

  /** A prompt with only a user template. */
  public static TaskPrompt user(String template) {
    return new TaskPrompt("", template, List.of());
  }

  public boolean hasSystem() {
    return !system.isEmpty();
  }

  /** The user message for one question ({@code {question}} replaced, nothing else rendered). */
  public String userMessage(String question) {
    return user.replace(QUESTION, question);
  }

  /**
   * One worked example.
   *
   * @param question the example's question (rendered through {@link #user} like a real one)
   * @param solution the solution the model should imitate, steps joined by the task's delimiter
   */
  public record Example(String question, String solution) {
    public Example {
      Objects.requireNonNull(question, "question");
      Objects.requireNonNull(solution, "solution");
    }
  }
}
