package io.reckon.search;

import java.math.BigInteger;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Final-answer extraction and equivalence for the answer-line format of the shipped models: the
 * last line of a solution reads {@code A: <answer>}.
 */
public final class Answers {
  /** The answer marker of the shipped models' format, without its trailing space. */
  public static final String MARKER = "A:";

  private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");
  private static final Pattern WHITESPACE = Pattern.compile("\\s+");

  private Answers() {}

  /** The answer of a solution, or {@code null} when its last line is not an answer line. */
  public static String extract(List<String> steps) {
    return extract(steps, MARKER);
  }

  public static String extract(List<String> steps, String marker) {
    if (steps.isEmpty()) {
      return null;
    }
    String last = steps.get(steps.size() - 1).strip();
    String m = marker.strip();
    if (!last.startsWith(m)) {
      return null;
    }
    String answer = last.substring(m.length()).strip();
    return answer.isEmpty() ? null : answer;
  }

  /** True when the line is an answer line (so a step that writes it ends the solution). */
  public static boolean isAnswerLine(String line) {
    return line.strip().startsWith(MARKER);
  }

  /**
   * The form two answers are compared in: whitespace removed; integers in their numeric form,
   * so {@code "007"}, {@code "+7"} and {@code " 7 "} are the same answer.
   */
  public static String canonical(String answer) {
    if (answer == null) {
      return null;
    }
    String s = WHITESPACE.matcher(answer).replaceAll("");
    if (INTEGER.matcher(s).matches()) {
      return new BigInteger(s.startsWith("+") ? s.substring(1) : s).toString();
    }
    return s;
  }

  public static boolean equivalent(String a, String b) {
    if (a == null || b == null) {
      return false;
    }
    return canonical(a).equals(canonical(b));
  }
}
