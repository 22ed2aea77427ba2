package io.reckon.search.task;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A task: the format a model is asked to answer in and how its answers are read and compared.
 *
 * <ul>
 *   <li>{@link #prompt}: the pure data of the prompt (system prompt, user template with {@code
 *       {question}}, few-shot examples); runtime renders it for a model family;
 *   <li>{@link #stepDelimiter}: where one step ends ({@code "\n"} for {@code arith}, a blank line
 *       {@code "\n\n"} for {@code math}); a step may span several lines;
 *   <li>{@link #extractor}: where the final answer is written ({@code A: 221}, the last {@code
 *       \boxed{…}}, GSM8K's {@code #### n}, "So the answer is …");
 *   <li>{@link #equivalence}: when two answers are the same (integers for {@code arith};
 *       mathematical equivalence for {@code math} and {@code gsm8k}, where {@code \frac12} = {@code
 *       0.5} = {@code 1/2}).
 * </ul>
 *
 * <p>Every place that compares answers goes through {@link #equivalent}, {@link #key} or {@link
 * #classes}: grading, majority and weighted votes, dedupe, a probe's confidence, the distinct
 * answers of a reply, sweeps and reports. The shipped tasks are in {@link Tasks}.
 *
 * @param name the name runs choose it by ({@code --task}, {@code reckon.task}); lower case
 * @param description one line for listings and error messages
 * @param stepDelimiter the text between two steps; never empty
 * @param extractor how the final answer is found
 * @param equivalence when two answers are the same
 * @param prompt the prompt's data
 * @param maxComparisons pairwise comparisons one {@link #classes} call may make
 */
public record Task(
    String name,
    String description,
    String stepDelimiter,
    AnswerExtractor extractor,
    AnswerEquivalence equivalence,
    TaskPrompt prompt,
    int maxComparisons) {

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

  public Task {
    Objects.requireNonNull(name, "name");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("task name '" + name + "' must be 1-64 characters of "
          + "a-z, 0-9, '.', '_' or '-', starting with a letter or digit");
    }
    description = description == null ? "" : description;
    if (stepDelimiter == null || stepDelimiter.isEmpty()) {
      throw new IllegalArgumentException("task " + name + ": the step delimiter must not be empty");
    }
    Objects.requireNonNull(extractor, "extractor");
    Objects.requireNonNull(equivalence, "equivalence");
    Objects.requireNonNull(prompt, "prompt");
    if (maxComparisons < 1) {
      throw new IllegalArgumentException("task " + name + ": maxComparisons must be >= 1");
    }
  }

  /** The final answer of a solution given as steps, or null when it states none. */
  public String extract(List<String> steps) {
    return steps == null ? null : extractor.fromSteps(steps, stepDelimiter);
  }

  /** The final answer of a whole text (a reference solution, a served completion), or null. */
  public String extract(String text) {
    return extractor.fromText(text);
  }

  /** True when this step states the final answer (a solution that writes it is finished). */
  public boolean finishes(String step) {
    return step != null && extractor.finishes(step);
  }

  /** True when both answers are present and the same under this task's equivalence. */
  public boolean equivalent(String a, String b) {
    return a != null && b != null && equivalence.equivalent(a, b);
  }

  /**
   * A cheap grouping key: equal keys always mean equivalent answers. Different keys may still
   * be equivalent unless {@link AnswerEquivalence#keysExact()}: use {@link #classes} for votes.
   */
  public String key(String answer) {
    return answer == null ? null : equivalence.key(answer);
  }

  /** The equivalence classes of a candidate set's answers (nulls are in no class). */
  public AnswerClasses classes(List<String> answers) {
    return new AnswerClasses(answers, equivalence, maxComparisons);
  }

  /**
   * SHA-256 (lower-case hex) of everything that decides what this task does: a durable run
   * records it, so that resuming under a task of the same name but another definition is refused.
   */
  public String digest() {
    String definition = String.join("\u0000", name, stepDelimiter, extractor.toString(),
        equivalence.toString(), prompt.toString(), Integer.toString(maxComparisons));
    try {
      byte[] d = java.security.MessageDigest.getInstance("SHA-256")
          .digest(definition.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(d);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
