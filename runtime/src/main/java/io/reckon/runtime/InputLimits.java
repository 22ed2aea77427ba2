package io.reckon.runtime;

/**
 * How much Reckon reads from one input before it refuses it, so that a hostile or mistaken file
 * ({@code /dev/zero}, a 1 GB line, a million-character question) ends in one clear line instead of
 * an exhausted heap or a run that never finishes. Read from {@code reckon.limits}; every message
 * that enforces a limit names its setting.
 *
 * @param maxLineBytes bytes in one line of a JSONL file ({@code reckon.limits.max-line-bytes})
 * @param maxQuestionChars characters in one question's text ({@code reckon.limits.max-question-chars})
 * @param maxQuestions questions in one data file ({@code reckon.limits.max-questions})
 * @param maxFileBytes bytes of one whole JSON document, e.g. a policy or a sweep
 *     ({@code reckon.limits.max-file-bytes})
 */
public record InputLimits(int maxLineBytes, int maxQuestionChars, int maxQuestions, long maxFileBytes) {
  /** The shipped defaults (reckon.limits in config/application.conf says the same). */
  public static final InputLimits DEFAULTS = new InputLimits(1 << 20, 16_384, 2_000_000, 64L << 20);

  /**
   * Fields of a question other than its text (answer, subject) and of a request (a stop string,
   * a model name) are bounded by this many characters, whichever door they come in by (HTTP,
   * Kafka, files).
   */
  public static final int MAX_FIELD_CHARS = 1_024;

  /** A question's id: it becomes a Kafka key, a journal entry and a dashboard cell. */
  public static final int MAX_ID_CHARS = 256;

  /** Messages in one chat request (the question is the last user message). */
  public static final int MAX_MESSAGES = 256;

  public InputLimits {
    between("reckon.limits.max-line-bytes", maxLineBytes, 64, Integer.MAX_VALUE - 16);
    between("reckon.limits.max-question-chars", maxQuestionChars, 1, Integer.MAX_VALUE);
    between("reckon.limits.max-questions", maxQuestions, 1, Integer.MAX_VALUE);
    between("reckon.limits.max-file-bytes", maxFileBytes, 1024, Integer.MAX_VALUE - 16);
  }

  private static void between(String key, long value, long min, long max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          key + " must be between " + min + " and " + max + ", was " + value);
    }
  }
}
