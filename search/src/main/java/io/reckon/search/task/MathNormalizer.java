package io.reckon.search.task;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * MATH-style normalisation of a final answer (after the MATH benchmark's {@code strip_string},
 * written here from its documented behaviour, plus what real models write): no {@code \left} /
 * {@code \right}, {@code \dfrac}/{@code \tfrac} as {@code \frac}, no {@code $}, {@code \%},
 * degrees, spacing macros or units in {@code \text{…}}, {@code \frac12} as {@code \frac{1}{2}},
 * {@code \sqrt2} as {@code \sqrt{2}}, thousands separators gone, {@code x = 3} as {@code 3}.
 *
 * <p>The result keeps single spaces (so that {@code \pi r} does not become the macro {@code
 * \pir}); {@link #key} removes them. Every step is linear or a regex without backtracking blow-up
 * on inputs the caller has already bounded by length.
 */
final class MathNormalizer {
  private static final Pattern TEXT_MACRO =
      Pattern.compile("\\\\(?:text|textbf|textit|mathrm|mathbf|mbox|mathit|operatorname)\\s*\\{([^{}]*)\\}");
  private static final Pattern WORDS = Pattern.compile("[A-Za-z][A-Za-z .']*");
  private static final Pattern CONNECTIVE = Pattern.compile(" ?,? ?\\b(?:or|and)\\b ?");
  private static final Pattern TRAILING_UNITS =
      Pattern.compile("^([-+]?[0-9.,/]*[0-9]) [A-Za-z]{2,}\\.?(?: [A-Za-z]{2,}\\.?)*(?: ?\\^\\{?[23]\\}?)?$");
  private static final Pattern THOUSANDS = Pattern.compile("(?<![0-9.])[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])");
  private static final Pattern BRACE_THOUSANDS = Pattern.compile("([0-9])\\{,\\}([0-9]{3})");
  private static final Pattern SPACE_THOUSANDS = Pattern.compile("([0-9])\\\\[,!;: ]([0-9]{3})(?![0-9])");
  private static final Pattern SPACES = Pattern.compile("\\s+");
  private static final Pattern ASSIGNMENT =
      Pattern.compile("^\\s*(?:[A-Za-z](?:_\\{?[A-Za-z0-9]+\\}?)?|\\\\[A-Za-z]+)\\s*(?:=|\\\\in)\\s*(?=\\S)");
  private static final Pattern LEADING_DOT = Pattern.compile("(^|[^0-9])\\.([0-9])");
  /** Linear: the greedy run backs off only to the last non-zero digit. */
  private static final Pattern TRAILING_ZEROS =
      Pattern.compile("(?<=[0-9])(\\.[0-9]*[1-9])0+(?![0-9])|(?<=[0-9])\\.0+(?![0-9])");
  private static final Pattern BARE_POINT = Pattern.compile("([0-9])\\.(?![0-9])");
  private static final Pattern MIXED =
      Pattern.compile("(?<![0-9.}^_])([0-9]+)\\s*\\\\frac\\{([0-9]+)\\}\\{([0-9]+)\\}");
  private static final Pattern WORD_ANSWER = Pattern.compile("[A-Za-z]{2,}(?: [A-Za-z]+)*");

  private MathNormalizer() {}

  /** The normalised answer, single-spaced. Never throws; input must be length-bounded. */
  static String normalize(String answer) {
    String s = answer.strip();
    s = s.replace('\n', ' ').replace('\t', ' ').replace('\u2212', '-').replace("\u221e", "\\infty")
        .replace("\u00d7", "\\times ").replace("\u03c0", "\\pi ");
    // a whole answer in math mode: $...$, \(...\), \[...\]
    s = unwrap(s);
    // one space everywhere first: the patterns below then never backtrack over runs of spaces
    s = SPACES.matcher(s).replaceAll(" ");
    s = s.replace("\\!", "").replace("\\,", " ").replace("\\;", " ").replace("\\:", " ")
        .replace("\\quad", " ").replace("\\qquad", " ").replace("~", " ");
    s = s.replace("\\\\frac", "\\frac").replace("\\\\dfrac", "\\frac").replace("\\\\tfrac", "\\frac");
    s = s.replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac").replace("\\cfrac", "\\frac");
    s = s.replace("\\left", "").replace("\\right", "").replace("\\bigl", "").replace("\\bigr", "")
        .replace("\\Bigl", "").replace("\\Bigr", "").replace("\\big", "").replace("\\Big", "");
    s = s.replace("\\displaystyle", "").replace("\\boldsymbol", "").replace("\\mathbf", "");
    s = s.replace("^{\\circ}", "").replace("^\\circ", "").replace("\\circ", "").replace("°", "")
        .replace("\\degree", "");
    s = s.replace("\\$", "").replace("$", "").replace("\\%", "").replace("%", "");
    s = s.replace("\\lt", "<").replace("\\gt", ">").replace("\\le ", "\\leq ").replace("\\ge ", "\\geq ");
    s = s.replace("\\{", "\\lbrace ").replace("\\}", " \\rbrace");
    s = texts(s);
    s = SPACES.matcher(s).replaceAll(" ");
    s = CONNECTIVE.matcher(s).replaceAll(", ");
    s = BRACE_THOUSANDS.matcher(s).replaceAll("$1$2");
    s = SPACE_THOUSANDS.matcher(s).replaceAll("$1$2");
    s = thousands(s);
    s = SPACES.matcher(s).replaceAll(" ").strip();
    Matcher units = TRAILING_UNITS.matcher(s);
    if (units.matches()) {
      s = units.group(1);
    }
    s = stripAssignment(s);
    s = LEADING_DOT.matcher(s).replaceAll("$10.$2");
    s = shorthand(s, "\\frac", 2);
    s = shorthand(s, "\\sqrt", 1);
    // a whole number before a numeric fraction is a mixed number: 2\frac{1}{2} is 2.5
    s = MIXED.matcher(s).replaceAll("($1+\\\\frac{$2}{$3})");
    s = TRAILING_ZEROS.matcher(s).replaceAll("$1");
    s = BARE_POINT.matcher(s).replaceAll("$1");
    while (s.endsWith(".") || s.endsWith(",")) {
      s = s.substring(0, s.length() - 1).strip();
    }
    s = SPACES.matcher(s).replaceAll(" ").strip();
    return s;
  }

  /**
   * The normalised answer without spaces: equal keys are the same answer. An answer of words
   * ({@code Yes}, {@code Monday}) ignores case; single letters keep theirs ({@code X} ≠ {@code x}).
   */
  static String key(String normalized) {
    if (isWords(normalized)) {
      return normalized.toLowerCase(java.util.Locale.ROOT);
    }
    return SPACES.matcher(normalized).replaceAll("");
  }

  /** True for an answer of words (two letters or more), which is text, not a product. */
  static boolean isWords(String normalized) {
    return WORD_ANSWER.matcher(normalized).matches();
  }

  private static String unwrap(String s) {
    String t = s;
    for (int i = 0; i < 3; i++) {
      if (t.length() >= 2 && t.startsWith("$") && t.endsWith("$") && !t.equals("$")) {
        t = t.substring(t.startsWith("$$") && t.length() >= 4 ? 2 : 1,
            t.endsWith("$$") && t.length() >= 4 ? t.length() - 2 : t.length() - 1).strip();
      } else if ((t.startsWith("\\(") && t.endsWith("\\)")) || (t.startsWith("\\[") && t.endsWith("\\]"))) {
        t = t.substring(2, t.length() - 2).strip();
      }
    }
    return t;
  }

  /**
   * {@code \text{…}}: after a number it is a unit and goes ({@code 10\text{ cm}}); on its own
   * it is the answer ({@code \text{(C)}}); "or"/"and" between items become a comma.
   */
  private static String texts(String s) {
    StringBuilder out = new StringBuilder();
    Matcher m = TEXT_MACRO.matcher(s);
    int last = 0;
    while (m.find()) {
      out.append(s, last, m.start());
      String content = m.group(1).strip();
      String before = out.toString().strip();
      boolean unit = WORDS.matcher(content).matches() && !before.isEmpty()
          && (Character.isDigit(before.charAt(before.length() - 1))
              || before.endsWith("}") || before.endsWith(")"))
          && !content.equals("or") && !content.equals("and");
      if (!unit) {
        out.append(' ').append(content).append(' ');
      } else {
        // a squared or cubed unit: drop its exponent too
        int end = m.end();
        Matcher exp = Pattern.compile("^\\s*\\^\\s*\\{?\\s*[23]\\s*\\}?").matcher(s.substring(end));
        if (exp.find()) {
          last = end + exp.end();
          continue;
        }
      }
      last = m.end();
    }
    out.append(s.substring(last));
    return out.toString();
  }

  private static String thousands(String s) {
    Matcher m = THOUSANDS.matcher(s);
    StringBuilder out = new StringBuilder();
    int last = 0;
    while (m.find()) {
      // "1,000" is a thousand, but "(1,234)" or "1,234, 5" is a list of numbers: only a
      // number standing alone (or followed by a decimal part) loses its separators
      boolean alone = s.strip().length() == m.group().length()
          || (m.start() == 0 && s.length() > m.end() && s.charAt(m.end()) == '.');
      out.append(s, last, m.start()).append(alone ? m.group().replace(",", "") : m.group());
      last = m.end();
    }
    out.append(s.substring(last));
    return out.toString();
  }

  /**
   * {@code x = 3} is {@code 3} and {@code x \in [1, 2]} is {@code [1, 2]}; an equation whose
   * right side holds its left side's variable ({@code x = 2x - 3}) is kept whole.
   */
  static String stripAssignment(String s) {
    int eq = s.indexOf('=');
    if (eq >= 0 && s.indexOf('=', eq + 1) >= 0) {
      return s;
    }
    Matcher m = ASSIGNMENT.matcher(s);
    if (!m.find()) {
      return s;
    }
    String rest = s.substring(m.end());
    // "x = 3" is an answer, a whole equation of another variable ("y = 2x + 1") is kept whole
    String lhs = s.substring(0, m.end()).replace("=", "").replace("\\in", "").strip();
    if (lhs.length() == 1 && Character.isLetter(lhs.charAt(0))
        && Pattern.compile("(?<![\\\\A-Za-z])" + lhs + "(?![A-Za-z])").matcher(rest).find()) {
      return s;
    }
    return rest;
  }

  /**
   * {@code \frac12} → {@code \frac{1}{2}}, {@code \frac1{72}} → {@code \frac{1}{72}}, {@code
   * \sqrt2} → {@code \sqrt{2}}: an argument not in braces is one character.
   */
  private static String shorthand(String s, String macro, int args) {
    if (!s.contains(macro)) {
      return s;
    }
    StringBuilder out = new StringBuilder(s.length() + 8);
    int i = 0;
    while (i < s.length()) {
      int at = s.indexOf(macro, i);
      if (at < 0) {
        out.append(s, i, s.length());
        break;
      }
      int j = at + macro.length();
      if (j < s.length() && Character.isLetter(s.charAt(j))) {
        out.append(s, i, j); // another macro that starts the same way
        i = j;
        continue;
      }
      out.append(s, i, j);
      if (macro.equals("\\sqrt") && j < s.length() && s.charAt(j) == '[') {
        int close = s.indexOf(']', j);
        if (close < 0) {
          out.append(s, j, s.length());
          break;
        }
        out.append(s, j, close + 1);
        j = close + 1;
      }
      for (int a = 0; a < args; a++) {
        while (j < s.length() && s.charAt(j) == ' ') {
          j++;
        }
        if (j >= s.length()) {
          break;
        }
        char c = s.charAt(j);
        if (c == '{') {
          int close = LatexText.matchingBrace(s, j);
          if (close < 0) {
            break;
          }
          out.append(s, j, close + 1);
          j = close + 1;
        } else if (c == '\\') {
          int k = j + 1;
          while (k < s.length() && Character.isLetter(s.charAt(k))) {
            k++;
          }
          out.append('{').append(s, j, k).append('}');
          j = k;
        } else {
          out.append('{').append(c).append('}');
          j++;
        }
      }
      i = j;
    }
    return out.toString();
  }
}
