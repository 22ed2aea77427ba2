package io.reckon.search.task;

import io.reckon.search.task.MathExpr.Abort;
import io.reckon.search.task.MathExpr.Budget;
import io.reckon.search.task.MathExpr.Node;
import io.reckon.search.task.MathExpr.Rational;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Mathematical equivalence of final answers, for the {@code math} and {@code gsm8k} tasks.
 *
 * <ol>
 *   <li>Both answers are normalised the way the MATH benchmark's grader does ({@link
 *       MathNormalizer}); equal normal forms match.
 *   <li>Structure: sets ({@code \{…\}}) and bare comma lists match in any order (a bare list in
 *       MATH answers "enter all solutions"); tuples, intervals and matrices match in order with
 *       the same brackets (so {@code (1,2]} ≠ {@code [1,2]}); {@code \cup} unions in any order;
 *       {@code a \pm b} is the list {@code a+b, a-b}.
 *   <li>Each element: numbers compare exactly as rationals ({@code 0.5} = {@code \frac12} =
 *       {@code 1/2}; {@code 0.333} ≠ {@code \frac13}); other constants as complex doubles to a
 *       relative 1e-8 ({@code \sqrt{8}} = {@code 2\sqrt2}); expressions in variables at three
 *       seeded sample points ({@code (x-2)(x+2)} = {@code x^2-4}); equations as proportional
 *       differences ({@code y = 2x+3} = {@code 2y-4x = 6}); relations part by part.
 * </ol>
 *
 * <p>Bounded and total: an answer longer than {@link GraderLimits#maxAnswerChars()} is compared
 * as stripped text; parsing and evaluation spend at most {@link GraderLimits#maxWork()} steps and
 * {@link GraderLimits#maxDepth()} nesting; past either bound the answers are different unless
 * their normal forms were equal. Nothing thrown escapes. Where unsure, it says "different": a
 * false miss costs a vote, a false match inflates accuracy.
 */
public final class MathEquivalence implements AnswerEquivalence {
  private static final double TOLERANCE = 1e-8;
  private static final int POINTS = 3;
  private static final int MAX_VARIABLES = 8;
  private static final int MAX_ELEMENTS = 64;
  private static final Pattern MATRIX =
      Pattern.compile("^\\\\begin\\{([pbBvV]?matrix|array)\\}(?:\\{[^}]*\\})?(.*)\\\\end\\{\\1\\}$");
  private static final Pattern RELATION =
      Pattern.compile("(\\\\leq?|\\\\geq?|\\\\neq|\\\\ne|<=|>=|<|>|=)");

  /** Three letters in a row outside a macro: a word, not a product of variables. */
  private static final Pattern WORD = Pattern.compile("(?<![\\\\A-Za-z])[A-Za-z]{3,}");

  private final GraderLimits limits;

  public MathEquivalence(GraderLimits limits) {
    this.limits = limits;
  }

  public GraderLimits limits() {
    return limits;
  }

  @Override
  public String kind() {
    return "math";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MathEquivalence m && m.limits.equals(limits);
  }

  @Override
  public int hashCode() {
    return limits.hashCode();
  }

  @Override
  public String toString() {
    return "math" + limits;
  }

  @Override
  public boolean keysExact() {
    return false;
  }

  /**
   * The normal form without spaces; a number is keyed by its exact value ({@code 0.5}, {@code
   * \frac{1}{2}} and {@code 1/2} share the key {@code =1/2}).
   */
  @Override
  public String key(String answer) {
    if (answer == null) {
      return null;
    }
    try {
      if (answer.length() > limits.maxAnswerChars()) {
        return "~" + answer.strip();
      }
      return keyOf(MathNormalizer.normalize(answer));
    } catch (RuntimeException | StackOverflowError e) {
      return "~" + answer.strip();
    }
  }

  private String keyOf(String normalized) {
    try {
      Budget budget = new Budget(Math.min(limits.maxWork(), 2000), limits.maxDepth());
      Node n = MathExpr.parse(normalized, budget);
      Rational r = MathExpr.exact(n, budget);
      if (r != null) {
        return "=" + r.canonical();
      }
    } catch (RuntimeException | StackOverflowError e) {
      // not a number (Abort included): keyed by its text
    }
    return MathNormalizer.key(normalized);
  }

  @Override
  public boolean equivalent(String a, String b) {
    if (a == null || b == null) {
      return false;
    }
    try {
      if (a.length() > limits.maxAnswerChars() || b.length() > limits.maxAnswerChars()) {
        return a.strip().equals(b.strip());
      }
      String na = MathNormalizer.normalize(a);
      String nb = MathNormalizer.normalize(b);
      if (MathNormalizer.key(na).equals(MathNormalizer.key(nb))) {
        return true;
      }
      if (keyOf(na).equals(keyOf(nb))) {
        return true;
      }
      return same(na, nb, new Budget(limits.maxWork(), limits.maxDepth()));
    } catch (Abort e) {
      return false;
    } catch (RuntimeException | StackOverflowError e) {
      return false;
    }
  }

  // ---------------------------------------------------------------- structure

  private boolean same(String a, String b, Budget budget) {
    budget.enter();
    try {
      if (MathNormalizer.key(a).equals(MathNormalizer.key(b))) {
        return true;
      }
      Shape sa = shape(a);
      Shape sb = shape(b);
      if (sa.kind == Kind.SINGLE && sb.kind == Kind.SINGLE) {
        return scalar(sa.items.get(0), sb.items.get(0), budget);
      }
      if (!compatible(sa, sb) || sa.items.size() != sb.items.size()
          || sa.items.size() > MAX_ELEMENTS) {
        return false;
      }
      if (sa.kind == Kind.LIST || sa.kind == Kind.SET) {
        sa = new Shape(sa.kind, sa.items.stream().map(MathNormalizer::stripAssignment).toList(), "");
      }
      if (sb.kind == Kind.LIST || sb.kind == Kind.SET) {
        sb = new Shape(sb.kind, sb.items.stream().map(MathNormalizer::stripAssignment).toList(), "");
      }
      if (sa.kind.ordered) {
        for (int i = 0; i < sa.items.size(); i++) {
          if (!same(sa.items.get(i), sb.items.get(i), budget)) {
            return false;
          }
        }
        return true;
      }
      boolean[] used = new boolean[sb.items.size()];
      outer:
      for (String x : sa.items) {
        for (int j = 0; j < sb.items.size(); j++) {
          if (!used[j] && same(x, sb.items.get(j), budget)) {
            used[j] = true;
            continue outer;
          }
        }
        return false;
      }
      return true;
    } finally {
      budget.leave();
    }
  }

  private enum Kind {
    SINGLE(true), LIST(false), SET(false), UNION(false), TUPLE(true), MATRIX(true);

    final boolean ordered;

    Kind(boolean ordered) {
      this.ordered = ordered;
    }
  }

  /** @param brackets for tuples and intervals, the opening and closing bracket; matrix shape */
  private record Shape(Kind kind, List<String> items, String brackets) {}

  private static boolean compatible(Shape a, Shape b) {
    boolean listA = a.kind == Kind.LIST || a.kind == Kind.SET;
    boolean listB = b.kind == Kind.LIST || b.kind == Kind.SET;
    if (listA && listB) {
      return true;
    }
    return a.kind == b.kind && a.brackets.equals(b.brackets);
  }

  private static Shape shape(String s) {
    String t = s.strip();
    Matcher m = MATRIX.matcher(t);
    if (m.matches()) {
      List<String> cells = new ArrayList<>();
      List<String> rows = splitRows(m.group(2));
      StringBuilder dims = new StringBuilder();
      for (String row : rows) {
        List<String> cols = MathExpr.splitTopLevel(row, '&');
        dims.append(cols.size()).append(';');
        cells.addAll(cols);
      }
      return new Shape(Kind.MATRIX, cells, dims.toString());
    }
    int pm = t.indexOf("\\pm");
    if (pm >= 0 && t.indexOf("\\pm", pm + 1) < 0 && MathExpr.splitTopLevel(t, ',').size() == 1) {
      String plus = t.substring(0, pm) + "+" + t.substring(pm + 3);
      String minus = t.substring(0, pm) + "-" + t.substring(pm + 3);
      return new Shape(Kind.LIST, List.of(plus.strip(), minus.strip()), "");
    }
    if (t.contains("\\cup")) {
      List<String> parts = new ArrayList<>();
      for (String p : t.split("\\\\cup")) {
        parts.add(p.strip());
      }
      if (parts.size() > 1) {
        return new Shape(Kind.UNION, parts, "");
      }
    }
    if (t.startsWith("\\lbrace") && t.endsWith("\\rbrace") && closesAtEnd(t)) {
      String inner = t.substring("\\lbrace".length(), t.length() - "\\rbrace".length()).strip();
      return new Shape(Kind.SET, inner.isEmpty() ? List.of() : MathExpr.splitTopLevel(inner, ','),
          "");
    }
    if (t.length() >= 2 && (t.charAt(0) == '(' || t.charAt(0) == '[')
        && (t.endsWith(")") || t.endsWith("]")) && closesAtEnd(t)) {
      List<String> items = MathExpr.splitTopLevel(t.substring(1, t.length() - 1), ',');
      if (items.size() > 1) {
        return new Shape(Kind.TUPLE, items, "" + t.charAt(0) + t.charAt(t.length() - 1));
      }
    }
    List<String> items = MathExpr.splitTopLevel(t, ',');
    if (items.size() > 1) {
      return new Shape(Kind.LIST, items, "");
    }
    return new Shape(Kind.SINGLE, List.of(t), "");
  }

  private static List<String> splitRows(String body) {
    List<String> rows = new ArrayList<>();
    for (String r : body.split("\\\\\\\\")) {
      if (!r.isBlank()) {
        rows.add(r.strip());
      }
    }
    return rows;
  }

  /** True when the bracket that opens the text is the one that closes it ({@code (1)+(2)} is not). */
  private static boolean closesAtEnd(String t) {
    int depth = 0;
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      if (t.startsWith("\\lbrace", i) || c == '(' || c == '[' || c == '{') {
        depth++;
      } else if (t.startsWith("\\rbrace", i) || c == ')' || c == ']' || c == '}') {
        depth--;
        if (depth == 0) {
          int end = t.startsWith("\\rbrace", i) ? i + "\\rbrace".length() : i + 1;
          return end == t.length();
        }
      }
    }
    return false;
  }

  // ---------------------------------------------------------------- one value

  private boolean scalar(String a, String b, Budget budget) {
    List<String> opsA = new ArrayList<>();
    List<String> partsA = relationParts(a, opsA);
    List<String> opsB = new ArrayList<>();
    List<String> partsB = relationParts(b, opsB);
    if (!opsA.equals(opsB)) {
      return false;
    }
    if (opsA.equals(List.of("="))) {
      return sameEquation(partsA, partsB, budget);
    }
    for (int i = 0; i < partsA.size(); i++) {
      if (!sameValue(partsA.get(i), partsB.get(i), budget)) {
        return false;
      }
    }
    return true;
  }

  private static List<String> relationParts(String s, List<String> ops) {
    List<String> parts = new ArrayList<>();
    Matcher m = RELATION.matcher(s);
    int last = 0;
    while (m.find()) {
      parts.add(s.substring(last, m.start()).strip());
      String op = m.group(1);
      ops.add(switch (op) {
        case "\\le", "\\leq", "<=" -> "<=";
        case "\\ge", "\\geq", ">=" -> ">=";
        case "\\ne", "\\neq" -> "!=";
        default -> op;
      });
      last = m.end();
    }
    parts.add(s.substring(last).strip());
    return parts;
  }

  private boolean sameValue(String a, String b, Budget budget) {
    if (WORD.matcher(a).find() || WORD.matcher(b).find()) {
      return false; // "stop" is not s*t*o*p (= "pots"): words compare as text, done by the caller
    }
    Node na = MathExpr.parse(a, budget);
    Node nb = MathExpr.parse(b, budget);
    Rational ra = MathExpr.exact(na, budget);
    Rational rb = MathExpr.exact(nb, budget);
    if (ra != null && rb != null) {
      return ra.equals(rb);
    }
    Set<String> vars = new TreeSet<>(MathExpr.variables(na, budget));
    vars.addAll(MathExpr.variables(nb, budget));
    if (vars.size() > MAX_VARIABLES) {
      return false;
    }
    int defined = 0;
    for (Map<String, Double> point : points(vars)) {
      double[] va = MathExpr.eval(na, point, budget);
      double[] vb = MathExpr.eval(nb, point, budget);
      boolean nanA = Double.isNaN(va[0]) || Double.isNaN(va[1]);
      boolean nanB = Double.isNaN(vb[0]) || Double.isNaN(vb[1]);
      if (nanA && nanB) {
        continue;
      }
      if (nanA || nanB || !close(va, vb)) {
        return false;
      }
      defined++;
    }
    return defined > 0;
  }

  /** Two equations are the same when their sides' differences are proportional (not zero). */
  private boolean sameEquation(List<String> a, List<String> b, Budget budget) {
    Node da = Node.of(MathExpr.Op.ADD, MathExpr.parse(a.get(0), budget),
        Node.of(MathExpr.Op.NEG, MathExpr.parse(a.get(1), budget)));
    Node db = Node.of(MathExpr.Op.ADD, MathExpr.parse(b.get(0), budget),
        Node.of(MathExpr.Op.NEG, MathExpr.parse(b.get(1), budget)));
    Set<String> vars = new TreeSet<>(MathExpr.variables(da, budget));
    vars.addAll(MathExpr.variables(db, budget));
    if (vars.isEmpty() || vars.size() > MAX_VARIABLES) {
      return false;
    }
    double[] ratio = null;
    int defined = 0;
    for (Map<String, Double> point : points(vars)) {
      double[] va = MathExpr.eval(da, point, budget);
      double[] vb = MathExpr.eval(db, point, budget);
      if (!MathExpr.Complex.isFinite(va) || !MathExpr.Complex.isFinite(vb)) {
        return false;
      }
      boolean zeroA = Math.hypot(va[0], va[1]) < 1e-12;
      boolean zeroB = Math.hypot(vb[0], vb[1]) < 1e-12;
      if (zeroA != zeroB) {
        return false;
      }
      if (zeroA) {
        continue;
      }
      double[] r = MathExpr.Complex.div(va, vb);
      if (ratio != null && !close(ratio, r)) {
        return false;
      }
      ratio = r;
      defined++;
    }
    return defined > 0;
  }

  private static boolean close(double[] a, double[] b) {
    for (int k = 0; k < 2; k++) {
      double x = a[k];
      double y = b[k];
      if (Double.isInfinite(x) || Double.isInfinite(y)) {
        if (x != y) {
          return false;
        }
        continue;
      }
      double scale = Math.max(1.0, Math.max(Math.abs(x), Math.abs(y)));
      if (Math.abs(x - y) > TOLERANCE * scale) {
        return false;
      }
    }
    return true;
  }

  /** Seeded sample points: the same for both answers, never at 0, 1 or small integers. */
  private static List<Map<String, Double>> points(Set<String> vars) {
    List<Map<String, Double>> points = new ArrayList<>(POINTS);
    SplittableRandom random = new SplittableRandom(0x5eed);
    for (int p = 0; p < (vars.isEmpty() ? 1 : POINTS); p++) {
      Map<String, Double> point = new HashMap<>();
      for (String v : vars) {
        point.put(v, 0.31 + 2.2 * random.nextDouble());
      }
      points.add(point);
    }
    return points;
  }
}
