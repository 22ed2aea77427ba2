package io.reckon.search.task;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Short free-text answers (multiple choice, dates, names): the same after trimming, ignoring
 * case, collapsing runs of whitespace and dropping one final period. {@code "(A)"} = {@code
 * " (a). "}; {@code "05/01/2021"} ≠ {@code "5/1/2021"} (no guessing at formats).
 */
public final class TextEquivalence implements AnswerEquivalence {
  public static final TextEquivalence INSTANCE = new TextEquivalence();

  private static final Pattern WHITESPACE = Pattern.compile("\\s+");

  private TextEquivalence() {}

  @Override
  public String kind() {
    return "text";
  }

  @Override
  public String key(String answer) {
    if (answer == null) {
      return null;
    }
    String s = WHITESPACE.matcher(answer.strip()).replaceAll(" ").toLowerCase(Locale.ROOT);
    if (s.endsWith(".")) {
      s = s.substring(0, s.length() - 1).strip();
    }
    return s;
  }

  @Override
  public boolean equivalent(String a, String b) {
    return a != null && b != null && key(a).equals(key(b));
  }

  @Override
  public boolean keysExact() {
    return true;
  }

  @Override
  public String toString() {
    return "text";
  }
}
