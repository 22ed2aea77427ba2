package io.reckon.search.task;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A small parser and evaluator for the LaTeX of final answers: numbers, variables, {@code + - *
 * / ^}, implicit multiplication, {@code \frac}, {@code \sqrt[n]{}}, {@code \binom}, {@code !},
 * {@code |x|}, the usual functions, {@code \pi}, {@code e}, {@code i}, {@code \infty}. Values are
 * exact rationals where they can be (so {@code 0.5} = {@code \frac12} exactly and two large
 * integers never look equal through rounding) and complex doubles otherwise (so {@code
 * \sqrt{-4}} = {@code 2i} and expressions in variables are compared at sample points).
 *
 * <p>Every parse and evaluation spends from a {@link Budget}; past it, or past its nesting depth,
 * {@link Abort} is thrown and the caller falls back to comparing text. No recursion is unbounded.
 */
final class MathExpr {
  private MathExpr() {}

  /** Thrown when an answer cannot be read or the budget is spent. Caught by the grader. */
  static final class Abort extends RuntimeException {
    Abort(String why) {
      super(why, null, false, false);
    }
  }

  /** Work and depth left for one comparison. */
  static final class Budget {
    private int work;
    private final int maxDepth;
    private int depth;

    Budget(int work, int maxDepth) {
      this.work = work;
      this.maxDepth = maxDepth;
    }

    void spend(int n) {
      work -= n;
      if (work < 0) {
        throw new Abort("work budget spent");
      }
    }

    void enter() {
      if (++depth > maxDepth) {
        throw new Abort("nested too deeply");
      }
      spend(1);
    }

    void leave() {
      depth--;
    }
  }

  enum Op { NUM, VAR, PI, E, I, INF, ADD, MUL, NEG, DIV, POW, FUNC, FACT, ROOT, BINOM }

  /** An expression node; {@code kids} hold the operands. */
  record Node(Op op, String name, Rational value, List<Node> kids) {
    static Node of(Op op, Node... kids) {
      return new Node(op, null, null, List.of(kids));
    }
  }

  // ---------------------------------------------------------------- exact rationals

  /** A rational with bounded size; operations that would exceed it give null (inexact). */
  record Rational(BigInteger num, BigInteger den) {
    static final int MAX_BITS = 4096;

    static Rational of(BigInteger n, BigInteger d) {
      if (d.signum() == 0) {
        return null;
      }
      if (d.signum() < 0) {
        n = n.negate();
        d = d.negate();
      }
      if (n.bitLength() > MAX_BITS || d.bitLength() > MAX_BITS) {
        return null;
      }
      BigInteger g = n.gcd(d);
      if (!g.equals(BigInteger.ONE) && g.signum() != 0) {
        n = n.divide(g);
        d = d.divide(g);
      }
      return new Rational(n, d);
    }

    static Rational parse(String digits) {
      if (digits.length() > 1000) {
        return null;
      }
      BigDecimal d = new BigDecimal(digits);
      if (d.scale() > 1000 || d.scale() < -1000) {
        return null;
      }
      if (d.scale() <= 0) {
        return of(d.toBigIntegerExact(), BigInteger.ONE);
      }
      return of(d.unscaledValue(), BigInteger.TEN.pow(d.scale()));
    }

    Rational add(Rational o) {
      return of(num.multiply(o.den).add(o.num.multiply(den)), den.multiply(o.den));
    }

    Rational mul(Rational o) {
      return of(num.multiply(o.num), den.multiply(o.den));
    }

    Rational neg() {
      return new Rational(num.negate(), den);
    }

    Rational div(Rational o) {
      return o.num.signum() == 0 ? null : of(num.multiply(o.den), den.multiply(o.num));
    }

    Rational pow(Rational e) {
      if (!e.den.equals(BigInteger.ONE) || e.num.bitLength() > 31) {
        return null;
      }
      int k = e.num.intValue();
      if ((long) Math.abs(k) * Math.max(num.bitLength(), den.bitLength()) > MAX_BITS) {
        return null;
      }
      if (k < 0 && num.signum() == 0) {
        return null;
      }
      Rational r = of(num.pow(Math.abs(k)), den.pow(Math.abs(k)));
      return k >= 0 || r == null ? r : of(r.den, r.num);
    }

    boolean isInteger() {
      return den.equals(BigInteger.ONE);
    }

    double toDouble() {
      return new BigDecimal(num).divide(new BigDecimal(den), java.math.MathContext.DECIMAL64)
          .doubleValue();
    }

    /** A canonical text form, used as a grouping key. */
    String canonical() {
      return isInteger() ? num.toString() : num + "/" + den;
    }
  }

  // ---------------------------------------------------------------- parsing

  private static final Set<String> FUNCTIONS = Set.of(
      "sin", "cos", "tan", "cot", "sec", "csc", "arcsin", "arccos", "arctan", "sinh", "cosh",
      "tanh", "ln", "log", "exp");
  private static final Set<String> MULTIPLY = Set.of("cdot", "times", "ast");
  private static final Set<String> GREEK = Set.of(
      "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta",
      "vartheta", "iota", "kappa", "lambda", "mu", "nu", "xi", "rho", "sigma", "tau", "upsilon",
      "phi", "varphi", "chi", "psi", "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi", "Sigma",
      "Phi", "Psi", "Omega");

  /** Parses a normalised answer. @throws Abort when it is not an expression this reads */
  static Node parse(String text, Budget budget) {
    Parser p = new Parser(text, budget);
    Node n = p.expr();
    p.skipSpaces();
    if (p.pos != text.length()) {
      throw new Abort("unexpected '" + text.charAt(p.pos) + "'");
    }
    return n;
  }

  private static final class Parser {
    final String s;
    final Budget budget;
    int pos;

    Parser(String s, Budget budget) {
      this.s = s;
      this.budget = budget;
    }

    void skipSpaces() {
      while (pos < s.length() && s.charAt(pos) == ' ') {
        pos++;
      }
    }

    char peek() {
      skipSpaces();
      return pos < s.length() ? s.charAt(pos) : '\0';
    }

    String peekMacro() {
      skipSpaces();
      if (pos < s.length() && s.charAt(pos) == '\\') {
        int k = pos + 1;
        while (k < s.length() && Character.isLetter(s.charAt(k))) {
          k++;
        }
        return s.substring(pos + 1, k);
      }
      return null;
    }

    void expect(char c) {
      if (peek() != c) {
        throw new Abort("expected '" + c + "'");
      }
      pos++;
    }

    Node expr() {
      budget.enter();
      try {
        Node left = term();
        while (true) {
          char c = peek();
          if (c == '+') {
            pos++;
            left = Node.of(Op.ADD, left, term());
          } else if (c == '-') {
            pos++;
            left = Node.of(Op.ADD, left, Node.of(Op.NEG, term()));
          } else {
            return left;
          }
          budget.spend(1);
        }
      } finally {
        budget.leave();
      }
    }

    Node term() {
      budget.enter();
      try {
        Node left = unary();
        while (true) {
          char c = peek();
          String macro = peekMacro();
          if (c == '*') {
            pos++;
            left = Node.of(Op.MUL, left, unary());
          } else if (c == '/') {
            pos++;
            left = Node.of(Op.DIV, left, unary());
          } else if (macro != null && MULTIPLY.contains(macro)) {
            pos += macro.length() + 1;
            left = Node.of(Op.MUL, left, unary());
          } else if ("div".equals(macro)) {
            pos += 4;
            left = Node.of(Op.DIV, left, unary());
          } else if (startsPrimary()) {
            left = Node.of(Op.MUL, left, power());
          } else {
            return left;
          }
          budget.spend(1);
        }
      } finally {
        budget.leave();
      }
    }

    boolean startsPrimary() {
      char c = peek();
      if (Character.isDigit(c) || Character.isLetter(c) || c == '(' || c == '{' || c == '.') {
        return true;
      }
      String m = peekMacro();
      return m != null && !m.isEmpty() && !MULTIPLY.contains(m) && !m.equals("div")
          && !m.equals("rbrace") && !m.equals("pm") && !m.equals("mp");
    }

    Node unary() {
      budget.enter();
      try {
        char c = peek();
        if (c == '-') {
          pos++;
          return Node.of(Op.NEG, unary());
        }
        if (c == '+') {
          pos++;
          return unary();
        }
        return power();
      } finally {
        budget.leave();
      }
    }

    Node power() {
      budget.enter();
      try {
        Node base = postfix(primary());
        if (peek() == '^') {
          pos++;
          Node exponent = script();
          return Node.of(Op.POW, base, exponent);
        }
        return base;
      } finally {
        budget.leave();
      }
    }

    /** A superscript or subscript: a braced group, or one character / macro. */
    Node script() {
      char c = peek();
      if (c == '{') {
        return group();
      }
      if (Character.isDigit(c)) {
        pos++;
        return number(String.valueOf(c));
      }
      if (c == '-') {
        pos++;
        return Node.of(Op.NEG, script());
      }
      return primary();
    }

    Node postfix(Node n) {
      while (peek() == '!') {
        pos++;
        n = Node.of(Op.FACT, n);
        budget.spend(1);
      }
      return n;
    }

    Node group() {
      expect('{');
      Node n = expr();
      expect('}');
      return n;
    }

    Node primary() {
      budget.enter();
      try {
        char c = peek();
        if (Character.isDigit(c) || c == '.') {
          int start = pos;
          while (pos < s.length() && (Character.isDigit(s.charAt(pos)) || s.charAt(pos) == '.')) {
            pos++;
          }
          return number(s.substring(start, pos));
        }
        if (Character.isLetter(c)) {
          pos++;
          String name = String.valueOf(c);
          if (peek() == '_') {
            pos++;
            name = name + "_" + subscript();
          }
          return switch (name) {
            case "e" -> Node.of(Op.E);
            case "i" -> Node.of(Op.I);
            default -> new Node(Op.VAR, name, null, List.of());
          };
        }
        if (c == '(' || c == '[') {
          pos++;
          Node n = expr();
          expect(c == '(' ? ')' : ']');
          return n;
        }
        if (c == '{') {
          return group();
        }
        if (c == '|') {
          pos++;
          Node n = expr();
          expect('|');
          return new Node(Op.FUNC, "abs", null, List.of(n));
        }
        String m = peekMacro();
        if (m == null || m.isEmpty()) {
          throw new Abort("unexpected '" + c + "'");
        }
        pos += m.length() + 1;
        switch (m) {
          case "frac":
            return Node.of(Op.DIV, group(), group());
          case "sqrt":
            if (peek() == '[') {
              pos++;
              Node index = expr();
              expect(']');
              return Node.of(Op.ROOT, group(), index);
            }
            return Node.of(Op.ROOT, group(), number("2"));
          case "binom":
            return Node.of(Op.BINOM, group(), group());
          case "pi":
            return Node.of(Op.PI);
          case "infty":
            return Node.of(Op.INF);
          case "lbrace":
          case "rbrace":
            throw new Abort("a set is not an expression");
          default:
            break;
        }
        if (FUNCTIONS.contains(m)) {
          Node exponent = null;
          Node base = null;
          if (peek() == '_' && m.equals("log")) {
            pos++;
            base = script();
          }
          if (peek() == '^') {
            pos++;
            exponent = script();
          }
          Node arg = functionArgument();
          Node f = new Node(Op.FUNC, m, null, base == null ? List.of(arg) : List.of(arg, base));
          return exponent == null ? f : Node.of(Op.POW, f, exponent);
        }
        if (GREEK.contains(m)) {
          return new Node(Op.VAR, "\\" + m, null, List.of());
        }
        throw new Abort("unknown macro \\" + m);
      } finally {
        budget.leave();
      }
    }

    /** {@code \sin(x)}, {@code \sin{x}}, or {@code \sin 2x} (a product of powers). */
    Node functionArgument() {
      char c = peek();
      if (c == '(' || c == '{') {
        return power();
      }
      Node arg = power();
      while (startsPrimary() && peekMacro() == null) {
        arg = Node.of(Op.MUL, arg, power());
      }
      return arg;
    }

    String subscript() {
      char c = peek();
      if (c == '{') {
        int close = LatexText.matchingBrace(s, pos);
        if (close < 0) {
          throw new Abort("unclosed subscript");
        }
        String sub = s.substring(pos + 1, close).replace(" ", "");
        pos = close + 1;
        return sub;
      }
      if (pos < s.length()) {
        return String.valueOf(s.charAt(pos++));
      }
      throw new Abort("empty subscript");
    }

    Node number(String digits) {
      if (digits.equals(".") || digits.indexOf('.') != digits.lastIndexOf('.')) {
        throw new Abort("bad number " + digits);
      }
      Rational r = Rational.parse(digits.startsWith(".") ? "0" + digits : digits);
      if (r == null) {
        throw new Abort("number too large");
      }
      budget.spend(1 + digits.length() / 16);
      return new Node(Op.NUM, null, r, List.of());
    }
  }

  // ---------------------------------------------------------------- analysis

  static Set<String> variables(Node n, Budget budget) {
    Set<String> out = new TreeSet<>();
    collect(n, out, budget);
    return out;
  }

  private static void collect(Node n, Set<String> out, Budget budget) {
    budget.spend(1);
    if (n.op == Op.VAR) {
      out.add(n.name);
    }
    for (Node k : n.kids) {
      collect(k, out, budget);
    }
  }

  /** The exact rational value, or null when it is not rational (variables, roots, functions). */
  static Rational exact(Node n, Budget budget) {
    budget.spend(1);
    return switch (n.op) {
      case NUM -> n.value;
      case ADD -> binary(n, budget, Rational::add);
      case MUL -> binary(n, budget, Rational::mul);
      case DIV -> binary(n, budget, Rational::div);
      case POW -> binary(n, budget, Rational::pow);
      case NEG -> {
        Rational a = exact(n.kids.get(0), budget);
        yield a == null ? null : a.neg();
      }
      case ROOT -> {
        Rational a = exact(n.kids.get(0), budget);
        Rational k = exact(n.kids.get(1), budget);
        yield a == null || k == null ? null : root(a, k);
      }
      case FACT -> {
        Rational a = exact(n.kids.get(0), budget);
        if (a == null || !a.isInteger() || a.num.signum() < 0 || a.num.bitLength() > 10
            || a.num.intValue() > 300) {
          yield null;
        }
        BigInteger f = BigInteger.ONE;
        for (int k = 2; k <= a.num.intValue(); k++) {
          f = f.multiply(BigInteger.valueOf(k));
        }
        budget.spend(a.num.intValue());
        yield Rational.of(f, BigInteger.ONE);
      }
      case BINOM -> {
        Rational a = exact(n.kids.get(0), budget);
        Rational b = exact(n.kids.get(1), budget);
        if (a == null || b == null || !a.isInteger() || !b.isInteger() || a.num.bitLength() > 10
            || b.num.signum() < 0 || b.num.compareTo(a.num) > 0 || a.num.signum() < 0) {
          yield null;
        }
        int nn = a.num.intValue();
        int kk = Math.min(b.num.intValue(), nn - b.num.intValue());
        BigInteger r = BigInteger.ONE;
        for (int j = 1; j <= kk; j++) {
          r = r.multiply(BigInteger.valueOf(nn - kk + j)).divide(BigInteger.valueOf(j));
        }
        budget.spend(kk);
        yield Rational.of(r, BigInteger.ONE);
      }
      default -> null;
    };
  }

  private interface RationalOp {
    Rational apply(Rational a, Rational b);
  }

  private static Rational binary(Node n, Budget budget, RationalOp op) {
    Rational a = exact(n.kids.get(0), budget);
    if (a == null) {
      return null;
    }
    Rational b = exact(n.kids.get(1), budget);
    if (b == null) {
      return null;
    }
    budget.spend(1 + (a.num.bitLength() + b.num.bitLength()) / 256);
    return op.apply(a, b);
  }

  /** The exact k-th root of a rational when both parts are perfect powers; else null. */
  private static Rational root(Rational a, Rational k) {
    if (!k.isInteger() || k.num.compareTo(BigInteger.TWO) < 0 || k.num.bitLength() > 4) {
      return null;
    }
    int deg = k.num.intValue();
    if (a.num.signum() < 0 && deg % 2 == 0) {
      return null;
    }
    BigInteger n = intRoot(a.num.abs(), deg);
    BigInteger d = intRoot(a.den, deg);
    if (n == null || d == null) {
      return null;
    }
    return Rational.of(a.num.signum() < 0 ? n.negate() : n, d);
  }

  private static BigInteger intRoot(BigInteger x, int deg) {
    if (deg == 2) {
      BigInteger r = x.sqrt();
      return r.multiply(r).equals(x) ? r : null;
    }
    if (x.bitLength() > 1024) {
      return null;
    }
    BigInteger r = BigInteger.valueOf(Math.round(Math.pow(x.doubleValue(), 1.0 / deg)));
    for (BigInteger c : new BigInteger[] {r.subtract(BigInteger.ONE), r, r.add(BigInteger.ONE)}) {
      if (c.signum() >= 0 && c.pow(deg).equals(x)) {
        return c;
      }
    }
    return null;
  }

  /**
   * The complex value at a point ({@code re, im}); NaN parts when undefined there. A value that
   * overflows from finite operands is undefined, so that two different huge numbers never look
   * equal as two infinities.
   */
  static double[] eval(Node n, Map<String, Double> point, Budget budget) {
    budget.spend(1);
    switch (n.op) {
      case NUM:
        return new double[] {n.value.toDouble(), 0};
      case VAR: {
        Double v = point.get(n.name);
        return new double[] {v == null ? Double.NaN : v, 0};
      }
      case PI:
        return new double[] {Math.PI, 0};
      case E:
        return new double[] {Math.E, 0};
      case I:
        return new double[] {0, 1};
      case INF:
        return new double[] {Double.POSITIVE_INFINITY, 0};
      case NEG: {
        double[] a = eval(n.kids.get(0), point, budget);
        return new double[] {0.0 - a[0], 0.0 - a[1]}; // never -0.0: ln(-4 - 0i) is not ln(-4)
      }
      case ADD: {
        double[] a = eval(n.kids.get(0), point, budget);
        double[] b = eval(n.kids.get(1), point, budget);
        return finite(new double[] {a[0] + b[0], a[1] + b[1]}, a, b);
      }
      case MUL: {
        double[] a = eval(n.kids.get(0), point, budget);
        double[] b = eval(n.kids.get(1), point, budget);
        return finite(Complex.mul(a, b), a, b);
      }
      case DIV: {
        double[] a = eval(n.kids.get(0), point, budget);
        double[] b = eval(n.kids.get(1), point, budget);
        return finite(Complex.div(a, b), a, b);
      }
      case POW: {
        double[] a = eval(n.kids.get(0), point, budget);
        double[] b = eval(n.kids.get(1), point, budget);
        return finite(Complex.pow(a, b), a, b);
      }
      case ROOT: {
        double[] a = eval(n.kids.get(0), point, budget);
        double[] k = eval(n.kids.get(1), point, budget);
        if (k[1] == 0 && a[1] == 0 && a[0] < 0 && k[0] % 2 == 1) {
          return new double[] {-Math.pow(-a[0], 1 / k[0]), 0}; // the real odd root
        }
        return finite(Complex.pow(a, Complex.div(new double[] {1, 0}, k)), a, k);
      }
      case FACT: {
        double[] a = eval(n.kids.get(0), point, budget);
        if (a[1] != 0 || a[0] < 0 || a[0] > 170 || a[0] != Math.rint(a[0])) {
          return Complex.NAN;
        }
        double f = 1;
        for (int k = 2; k <= (int) a[0]; k++) {
          f *= k;
        }
        return new double[] {f, 0};
      }
      case BINOM: {
        double[] a = eval(n.kids.get(0), point, budget);
        double[] b = eval(n.kids.get(1), point, budget);
        if (a[1] != 0 || b[1] != 0 || b[0] < 0 || b[0] > 1000 || b[0] != Math.rint(b[0])) {
          return Complex.NAN;
        }
        double r = 1;
        for (int j = 1; j <= (int) b[0]; j++) {
          r = r * (a[0] - b[0] + j) / j;
        }
        return new double[] {r, 0};
      }
      case FUNC: {
        double[] a = eval(n.kids.get(0), point, budget);
        double[] r = Complex.function(n.name, a);
        if (n.kids.size() == 2) { // log_b
          double[] base = eval(n.kids.get(1), point, budget);
          r = Complex.div(Complex.function("ln", a), Complex.function("ln", base));
        }
        return finite(r, a, a);
      }
      default:
        return Complex.NAN;
    }
  }

  private static double[] finite(double[] r, double[] a, double[] b) {
    boolean inputsFinite = Complex.isFinite(a) && Complex.isFinite(b);
    if (inputsFinite && !Complex.isFinite(r)) {
      return Complex.NAN;
    }
    return r;
  }

  /** Complex arithmetic on {@code {re, im}} pairs. */
  static final class Complex {
    static final double[] NAN = {Double.NaN, Double.NaN};

    private Complex() {}

    static boolean isFinite(double[] a) {
      return Double.isFinite(a[0]) && Double.isFinite(a[1]);
    }

    static double[] mul(double[] a, double[] b) {
      if (a[1] == 0 && b[1] == 0) {
        return new double[] {a[0] * b[0], 0};
      }
      return new double[] {a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]};
    }

    static double[] div(double[] a, double[] b) {
      if (a[1] == 0 && b[1] == 0) {
        return b[0] == 0 ? NAN : new double[] {a[0] / b[0], 0};
      }
      double d = b[0] * b[0] + b[1] * b[1];
      if (d == 0) {
        return NAN;
      }
      return new double[] {(a[0] * b[0] + a[1] * b[1]) / d, (a[1] * b[0] - a[0] * b[1]) / d};
    }

    static double[] pow(double[] a, double[] b) {
      if (a[1] == 0 && b[1] == 0 && (a[0] > 0 || b[0] == Math.rint(b[0]))) {
        return new double[] {Math.pow(a[0], b[0]), 0};
      }
      if (a[0] == 0 && a[1] == 0) {
        return b[0] > 0 ? new double[] {0, 0} : NAN;
      }
      double[] ln = function("ln", a);
      return function("exp", mul(ln, b));
    }

    static double[] function(String f, double[] a) {
      double x = a[0];
      double y = a[1] == 0 ? 0.0 : a[1];
      if (y == 0) {
        switch (f) {
          case "sin": return new double[] {Math.sin(x), 0};
          case "cos": return new double[] {Math.cos(x), 0};
          case "tan": return new double[] {Math.tan(x), 0};
          case "cot": return new double[] {1 / Math.tan(x), 0};
          case "sec": return new double[] {1 / Math.cos(x), 0};
          case "csc": return new double[] {1 / Math.sin(x), 0};
          case "arcsin": return Math.abs(x) <= 1 ? new double[] {Math.asin(x), 0} : NAN;
          case "arccos": return Math.abs(x) <= 1 ? new double[] {Math.acos(x), 0} : NAN;
          case "arctan": return new double[] {Math.atan(x), 0};
          case "sinh": return new double[] {Math.sinh(x), 0};
          case "cosh": return new double[] {Math.cosh(x), 0};
          case "tanh": return new double[] {Math.tanh(x), 0};
          case "exp": return new double[] {Math.exp(x), 0};
          case "abs": return new double[] {Math.abs(x), 0};
          case "ln":
          case "log":
            if (x > 0) {
              return new double[] {Math.log(x), 0};
            }
            break;
          default:
            return NAN;
        }
      }
      switch (f) {
        case "abs":
          return new double[] {Math.hypot(x, y), 0};
        case "exp": {
          double m = Math.exp(x);
          return new double[] {m * Math.cos(y), m * Math.sin(y)};
        }
        case "ln":
        case "log":
          return new double[] {Math.log(Math.hypot(x, y)), Math.atan2(y, x)};
        case "sin":
          return new double[] {Math.sin(x) * Math.cosh(y), Math.cos(x) * Math.sinh(y)};
        case "cos":
          return new double[] {Math.cos(x) * Math.cosh(y), -Math.sin(x) * Math.sinh(y)};
        default:
          return NAN;
      }
    }
  }

  static List<String> splitTopLevel(String s, char separator) {
    List<String> parts = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && s.startsWith("\\lbrace", i)) {
        depth++;
      } else if (c == '\\' && s.startsWith("\\rbrace", i)) {
        depth--;
      } else if (c == '(' || c == '[' || c == '{') {
        depth++;
      } else if (c == ')' || c == ']' || c == '}') {
        depth--;
      } else if (c == separator && depth == 0) {
        parts.add(s.substring(start, i).strip());
        start = i + 1;
      }
    }
    parts.add(s.substring(start).strip());
    return parts;
  }
}
