package io.reckon.runtime.synthetic;

import io.reckon.protocol.Quote;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The arithmetic task of the shipped data: integers with {@code + - *}, usual precedence, solved
 * one operation per line ({@code 37*4=148}), the leftmost product first, then left to right.
 *
 * <p>A {@link State} replays the steps a solution wrote, trusting their results, so that a wrong
 * step carries through to a wrong answer: the poisoning the synthetic reasoner needs.
 */
public final class Arithmetic {
  // Possessive and matched only where the previous term ended (lookingAt on a region): a run of
  // spaces or digits without what follows costs one pass, not one pass per position (find()
  // from each position made a 300 kB question of spaces quadratic).
  private static final Pattern TERM = Pattern.compile("\\s*+(\\d++)\\s*+([-+*])?");
  // Long.MAX_VALUE has 19 digits; longer literals (leading zeros aside) cannot be 64-bit.
  private static final int MAX_DIGITS = 18;
  /** Operations in one question at most (the shipped levels have up to 6; one step a line). */
  public static final int MAX_OPERATIONS = 64;

  private Arithmetic() {}

  /** The remaining expression: values and the operators between them. */
  public static final class State {
    final List<Long> values;
    final List<Character> ops;

    State(List<Long> values, List<Character> ops) {
      this.values = values;
      this.ops = ops;
    }

    public boolean done() {
      return ops.isEmpty();
    }

    public long value() {
      return values.get(0);
    }

    /** Index of the operation solved next. */
    int next() {
      int i = ops.indexOf('*');
      return i >= 0 ? i : 0;
    }

    /** The next step's left operand, operator, right operand and true result. */
    public Step nextStep() {
      int i = next();
      long a = values.get(i);
      long b = values.get(i + 1);
      char op = ops.get(i);
      long c =
          switch (op) {
            case '*' -> Math.multiplyExact(a, b);
            case '+' -> Math.addExact(a, b);
            default -> Math.subtractExact(a, b);
          };
      return new Step(a, op, b, c);
    }

    /** Applies the next operation with the given result (right or not). */
    public State apply(long result) {
      int i = next();
      List<Long> v = new ArrayList<>(values);
      List<Character> o = new ArrayList<>(ops);
      v.set(i, result);
      v.remove(i + 1);
      o.remove(i);
      return new State(v, o);
    }
  }

  /** One operation; {@link #line(long)} writes it with a given (possibly wrong) result. */
  public record Step(long a, char op, long b, long result) {
    public String line(long shown) {
      return a + "" + op + b + "=" + shown;
    }
  }

  /** Parses a question, or returns null when it is not an expression of this task. */
  public static State parse(String question) {
    String q = question.strip();
    if (q.startsWith("Q:")) {
      q = q.substring(2);
    }
    List<Long> values = new ArrayList<>();
    List<Character> ops = new ArrayList<>();
    Matcher m = TERM.matcher(q);
    int pos = 0;
    while (pos < q.length() && m.region(pos, q.length()).lookingAt()) {
      if (m.group(1).length() > MAX_DIGITS) {
        return null; // beyond 64-bit integers: not a question of this task
      }
      values.add(Long.parseLong(m.group(1)));
      pos = m.end();
      if (m.group(2) == null) {
        break;
      }
      ops.add(m.group(2).charAt(0));
      if (ops.size() > MAX_OPERATIONS) {
        return null; // longer than any question of this task: refused before the quadratic replay
      }
    }
    if (pos != q.length() || values.isEmpty() || values.size() != ops.size() + 1
        || ops.size() > MAX_OPERATIONS) {
      return null;
    }
    // A question whose true steps leave 64-bit integers has no answer this task can compute.
    State s = new State(values, ops);
    try {
      State t = s;
      while (!t.done()) {
        t = t.apply(t.nextStep().result());
      }
    } catch (ArithmeticException overflow) {
      return null;
    }
    return s;
  }

  public static Long evaluate(String question) {
    State s = parse(question);
    if (s == null) {
      return null;
    }
    while (!s.done()) {
      s = s.apply(s.nextStep().result());
    }
    return s.value();
  }

  /** The number a step line claims, or null when the line is not a step. */
  public static Long result(String line) {
    // What follows the last '=' is the result: "-?digits" between optional white space. Read
    // without a pattern (".*=" backtracked over the whole line once per '=').
    int eq = line.lastIndexOf('=');
    if (eq < 0) {
      return null;
    }
    String r = line.substring(eq + 1).strip();
    int start = r.startsWith("-") ? 1 : 0;
    if (r.length() == start || r.length() > 20) {
      return null;
    }
    for (int i = start; i < r.length(); i++) {
      if (!Character.isDigit(r.charAt(i)) || r.charAt(i) > '9') {
        return null;
      }
    }
    try {
      return Long.parseLong(r);
    } catch (NumberFormatException overflow) {
      return null; // a number no step of this task can produce
    }
  }

  /** The right steps and answer line for a question (the reference solution). */
  public static List<String> solve(String question) {
    State s = parse(question);
    if (s == null) {
      throw new IllegalArgumentException("not an arithmetic question: " + Quote.of(question));
    }
    List<String> lines = new ArrayList<>();
    while (!s.done()) {
      Step step = s.nextStep();
      lines.add(step.line(step.result()));
      s = s.apply(step.result());
    }
    lines.add("A: " + s.value());
    return lines;
  }
}
