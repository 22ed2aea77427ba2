package io.reckon.search.task;

import java.util.List;
import java.util.Locale;

/**
 * When two answers are the same. Implementations never throw and bound every comparison in time
 * and input size (an answer of 10,000 characters, 5,000 nested braces or {@code 1e999999} is
 * answered, not crashed on).
 *
 * <p>{@link #key} is the cheap half: equal keys always mean equivalent answers, so grouping by
 * key is always safe. When {@link #keysExact()} is true the converse holds too (different keys are
 * never equivalent) and {@link AnswerClasses} needs no pairwise comparison at all: the arithmetic
 * task's votes cost what string keys cost.
 */
public interface AnswerEquivalence {

  /** The name used in configuration ({@code reckon.tasks.<name>.equivalence}). */
  String kind();

  /** A grouping key; equal keys imply {@link #equivalent}. Null for a null answer. */
  String key(String answer);

  /** True when the answers are the same; false when either is null. */
  boolean equivalent(String a, String b);

  /** True when different keys are never equivalent (no pairwise comparisons needed). */
  boolean keysExact();

  /** The kinds {@link #of} knows. */
  List<String> KINDS = List.of("integer", "math", "text");

  /**
   * The equivalence of a kind named in configuration.
   *
   * @param limits bounds for the math grader (ignored by the others)
   * @throws IllegalArgumentException naming the allowed kinds
   */
  static AnswerEquivalence of(String kind, GraderLimits limits) {
    String k = kind == null ? "" : kind.strip().toLowerCase(Locale.ROOT);
    return switch (k) {
      case "integer" -> IntegerEquivalence.INSTANCE;
      case "math" -> new MathEquivalence(limits);
      case "text" -> TextEquivalence.INSTANCE;
      default -> throw new IllegalArgumentException(
          "unknown answer equivalence '" + kind + "': allowed values are "
              + String.join(", ", KINDS));
    };
  }
}
