package io.reckon.search;

import io.reckon.search.task.AnswerExtractor;
import io.reckon.search.task.Tasks;
import java.util.List;

/**
 * The arithmetic task's answer line, kept for the callers that predate {@link
 * io.reckon.search.task.Task}: every method is {@link Tasks#ARITH}'s behaviour. New code asks the
 * run's task instead.
 */
public final class Answers {
  /** The answer marker of the shipped models' format, without its trailing space. */
  public static final String MARKER = "A:";

  private Answers() {}

  /** The answer of a solution, or {@code null} when its last line is not an answer line. */
  public static String extract(List<String> steps) {
    return Tasks.ARITH.extract(steps);
  }

  public static String extract(List<String> steps, String marker) {
    return new AnswerExtractor.AnswerLine(marker).fromSteps(steps, "\n");
  }

  /** True when the line is an answer line (so a step that writes it ends the solution). */
  public static boolean isAnswerLine(String line) {
    return Tasks.ARITH.finishes(line);
  }

  /**
   * The form two answers are compared in: whitespace removed; integers in their numeric form,
   * so {@code "007"}, {@code "+7"} and {@code " 7 "} are the same answer.
   */
  public static String canonical(String answer) {
    return Tasks.ARITH.key(answer);
  }

  public static boolean equivalent(String a, String b) {
    return Tasks.ARITH.equivalent(a, b);
  }
}
