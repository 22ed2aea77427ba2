package io.reckon.search.task;

/**
 * Bounds of the math grader, so that one comparison costs at most a few milliseconds whatever
 * the answers hold. Past a bound the grader does not fail: it falls back to comparing the
 * normalised text (equal text is still a match; nothing else is).
 *
 * @param maxAnswerChars answers longer than this are compared as normalised text only
 * @param maxWork parse-and-evaluate steps one comparison may spend (nodes built, operations
 *     evaluated); past it the comparison falls back to text
 * @param maxDepth nesting depth of braces, parentheses and operators the parser follows
 * @param maxComparisons pairwise comparisons one {@link AnswerClasses} may make; past it,
 *     answers are grouped by key alone
 */
public record GraderLimits(int maxAnswerChars, int maxWork, int maxDepth, int maxComparisons) {
  public static final GraderLimits DEFAULTS = new GraderLimits(1000, 20_000, 64, 20_000);

  public GraderLimits {
    positive("max-answer-chars", maxAnswerChars);
    positive("max-work", maxWork);
    positive("max-depth", maxDepth);
    positive("max-comparisons", maxComparisons);
  }

  private static void positive(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(
          "reckon.tasks.grader." + name + " must be >= 1 (got " + value + ")");
    }
  }
}
