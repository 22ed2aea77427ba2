package io.reckon.search.task;

import java.math.BigInteger;
import java.util.regex.Pattern;

/**
 * The arithmetic task's equivalence, byte-for-byte what Reckon always did: whitespace removed,
 * integers in their numeric form ({@code "007"}, {@code "+7"} and {@code " 7 "} are one answer),
 * anything else compared as the remaining text. The key is the whole comparison.
 */
public final class IntegerEquivalence implements AnswerEquivalence {
  public static final IntegerEquivalence INSTANCE = new IntegerEquivalence();

  private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");
  private static final Pattern WHITESPACE = Pattern.compile("\\s+");
  /** Longer digit strings are compared as text: BigInteger parsing is quadratic in the length. */
  private static final int MAX_DIGITS = 100_000;

  private IntegerEquivalence() {}

  @Override
  public String kind() {
    return "integer";
  }

  @Override
  public String key(String answer) {
    if (answer == null) {
      return null;
    }
    String s = WHITESPACE.matcher(answer).replaceAll("");
    if (s.length() <= MAX_DIGITS && INTEGER.matcher(s).matches()) {
      return new BigInteger(s.startsWith("+") ? s.substring(1) : s).toString();
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
    return "integer";
  }
}
