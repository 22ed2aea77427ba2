package io.reckon.search.task;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Where the final answer of a solution is written. Extraction returns the answer's text as the
 * model wrote it (trimmed), or {@code null} when the solution states none; it never throws and is
 * linear in the text's length, so a hostile 10,000-character solution costs microseconds.
 */
public sealed interface AnswerExtractor {

  /** The answer of a complete text (for example a dataset's reference solution), or null. */
  String fromText(String text);

  /**
   * The answer of a solution given as steps, or null. By default the steps are joined with the
   * delimiter and read as a text; {@link AnswerLine} reads the last step only.
   */
  default String fromSteps(List<String> steps, String delimiter) {
    if (steps.isEmpty()) {
      return null;
    }
    return fromText(String.join(delimiter, steps));
  }

  /** True when a step states the final answer, so that a solution writing it is finished. */
  boolean finishes(String step);

  /** The name used in configuration ({@code reckon.tasks.<name>.answer}). */
  String kind();

  /** The kinds {@link #of} knows. */
  List<String> KINDS = List.of("answer-line", "boxed", "gsm8k", "phrase");

  /**
   * The extractor of a kind named in configuration.
   *
   * @param marker the answer line's marker (kind {@code answer-line})
   * @param phrase the phrase before the answer (kind {@code phrase})
   * @throws IllegalArgumentException naming the allowed kinds
   */
  static AnswerExtractor of(String kind, String marker, String phrase) {
    String k = kind == null ? "" : kind.strip().toLowerCase(Locale.ROOT);
    return switch (k) {
      case "answer-line" -> new AnswerLine(marker);
      case "boxed" -> new Boxed();
      case "gsm8k" -> new Gsm8k();
      case "phrase" -> new Phrase(phrase);
      default -> throw new IllegalArgumentException(
          "unknown answer extraction '" + kind + "': allowed values are "
              + String.join(", ", KINDS));
    };
  }

  /**
   * The last step reads {@code <marker> <answer>} (the shipped arithmetic models' {@code A: 221}).
   * An answer line that is not the last step does not end the solution.
   */
  record AnswerLine(String marker) implements AnswerExtractor {
    public AnswerLine {
      if (marker == null || marker.isBlank()) {
        throw new IllegalArgumentException("an answer-line task needs a non-blank answer marker");
      }
      marker = marker.strip();
    }

    @Override
    public String fromSteps(List<String> steps, String delimiter) {
      if (steps.isEmpty()) {
        return null;
      }
      String last = steps.get(steps.size() - 1).strip();
      if (!last.startsWith(marker)) {
        return null;
      }
      String answer = last.substring(marker.length()).strip();
      return answer.isEmpty() ? null : answer;
    }

    /** The last non-blank line of the text. */
    @Override
    public String fromText(String text) {
      if (text == null) {
        return null;
      }
      List<String> lines = Arrays.stream(text.split("\n")).filter(l -> !l.isBlank()).toList();
      return lines.isEmpty() ? null : fromSteps(List.of(lines.get(lines.size() - 1)), "\n");
    }

    @Override
    public boolean finishes(String step) {
      return step.strip().startsWith(marker);
    }

    @Override
    public String kind() {
      return "answer-line";
    }
  }

  /** The content of the last {@code \boxed{…}} or {@code \fbox{…}}, braces balanced. */
  record Boxed() implements AnswerExtractor {
    @Override
    public String fromText(String text) {
      return LatexText.lastBoxed(text);
    }

    @Override
    public boolean finishes(String step) {
      return LatexText.lastBoxed(step) != null;
    }

    @Override
    public String kind() {
      return "boxed";
    }
  }

  /**
   * GSM8K's reference format {@code #### n}; failing that the last {@code \boxed{…}}; failing that
   * what follows the last "The answer is" (case-insensitive) on its line.
   */
  record Gsm8k() implements AnswerExtractor {
    private static final String HASHES = "####";
    private static final Phrase THE_ANSWER_IS = new Phrase("The answer is");

    @Override
    public String fromText(String text) {
      if (text == null) {
        return null;
      }
      int at = text.lastIndexOf(HASHES);
      if (at >= 0) {
        String rest = LatexText.restOfLine(text, at + HASHES.length());
        String answer = LatexText.trimSentence(rest);
        if (answer != null) {
          return answer;
        }
      }
      String boxed = LatexText.lastBoxed(text);
      return boxed != null ? boxed : THE_ANSWER_IS.fromText(text);
    }

    @Override
    public boolean finishes(String step) {
      return fromText(step) != null;
    }

    @Override
    public String kind() {
      return "gsm8k";
    }
  }

  /**
   * What follows the last occurrence of a phrase (case-insensitive) on its line, without a final
   * period: "So the answer is (B)." gives {@code (B)}.
   */
  record Phrase(String phrase) implements AnswerExtractor {
    public Phrase {
      if (phrase == null || phrase.isBlank()) {
        throw new IllegalArgumentException("a phrase task needs a non-blank answer phrase");
      }
      phrase = phrase.strip();
    }

    @Override
    public String fromText(String text) {
      if (text == null) {
        return null;
      }
      int at = LatexText.lastIndexOfIgnoreCase(text, phrase);
      if (at < 0) {
        return null;
      }
      String rest = LatexText.restOfLine(text, at + phrase.length());
      if (rest.startsWith(":")) {
        rest = rest.substring(1);
      }
      return LatexText.trimSentence(rest);
    }

    @Override
    public boolean finishes(String step) {
      return fromText(step) != null;
    }

    @Override
    public String kind() {
      return "phrase";
    }
  }
}
