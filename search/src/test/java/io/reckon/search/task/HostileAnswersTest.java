package io.reckon.search.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The grader is total and bounded: hostile answers are answered (never thrown on) and each
 * comparison finishes. The timeout below only catches a hang (it is far beyond what they cost
 * on a loaded machine); speed itself is measured by bench/, not here.
 */
class HostileAnswersTest {
  private static final MathEquivalence GRADER = new MathEquivalence(GraderLimits.DEFAULTS);
  private static final Duration HANG = Duration.ofSeconds(180);

  static List<String> hostile() {
    List<String> h = new ArrayList<>();
    h.add("1".repeat(10_000));
    h.add("x+".repeat(5_000) + "1");
    h.add("{".repeat(5_000) + "1" + "}".repeat(5_000));
    h.add("\\frac{".repeat(5_000) + "1");
    h.add("(".repeat(400) + "1" + ")".repeat(400));
    h.add("-".repeat(900) + "1");
    h.add("1e999999");
    h.add("10^{999999}");
    h.add("2^{2^{2^{2^{2^{2^{100}}}}}}");
    h.add("9!!!!!!!!!!!!!!!!");
    h.add("\\binom{4000}{2000}");
    h.add("\\frac{1}{0}");
    h.add("0^{-1}");
    h.add("\\sqrt[0]{2}");
    h.add("\\log_1 5");
    h.add("\\frac{");
    h.add("\\boxed{");
    h.add("}}}{{{");
    h.add("\\begin{pmatrix}" + "1 & ".repeat(300) + "1\\end{pmatrix}");
    h.add(String.join(", ", java.util.Collections.nCopies(300, "x^2+1")));
    h.add("\\{" + "1,".repeat(400) + "1\\}");
    h.add("1 " + "a".repeat(990) + "!");
    h.add(" ".repeat(990) + "or");
    h.add("1." + "0".repeat(995) + "1");
    h.add("\\pm\\pm\\pm");
    h.add("x_{" + "1".repeat(900) + "}");
    h.add("\\sin".repeat(200) + " x");
    h.add("a".repeat(3000));
    h.add("");
    h.add("   ");
    h.add("\\");
    h.add("\u0000\uFFFF\uD800");
    return h;
  }

  @Test
  void everyHostilePairIsAnsweredWithoutThrowing() {
    List<String> h = hostile();
    List<String> friendly = List.of("1", "x", "\\frac12", "(1,2)", "1, 2", "\\infty");
    assertTimeoutPreemptively(HANG, () -> {
      long worst = 0;
      String worstPair = "";
      for (String a : h) {
        for (String b : concat(h, friendly)) {
          long t0 = System.nanoTime();
          GRADER.equivalent(a, b);
          GRADER.key(a);
          long t = System.nanoTime() - t0;
          if (t > worst) {
            worst = t;
            worstPair = abbreviate(a) + " vs " + abbreviate(b);
          }
        }
      }
      System.out.printf(Locale.ROOT, "hostile answers: %d x %d comparisons, slowest %.2f ms (%s)%n",
          h.size(), h.size() + friendly.size(), worst / 1e6, worstPair);
    });
  }

  @Test
  void hostileAnswersStillCompareSensibly() {
    String big = "1".repeat(10_000);
    assertThat(GRADER.equivalent(big, big)).isTrue();
    assertThat(GRADER.equivalent(big, big + "1")).isFalse();
    String nested = "{".repeat(5_000) + "1" + "}".repeat(5_000);
    assertThat(GRADER.equivalent(nested, "1")).isFalse();
    assertThat(GRADER.equivalent("1e999999", "1e999999")).isTrue();
    assertThat(GRADER.equivalent("10^{999999}", "10^{999998}")).isFalse();
    assertThat(GRADER.equivalent("2^{2^{2^{100}}}", "3^{2^{2^{100}}}")).isFalse();
    assertThat(GRADER.equivalent("\\frac{1}{0}", "\\frac{2}{0}")).isFalse();
  }

  @Test
  void randomLatexNeverThrows() {
    String[] tokens = {"1", "2", "0.5", "x", "y", "i", "e", "\\pi", "+", "-", "*", "/", "^", "_",
        "{", "}", "(", ")", "[", "]", ",", "=", "<", "\\frac", "\\sqrt", "\\left", "\\right",
        "\\text{cm}", "\\{", "\\}", "\\cup", "\\pm", "!", "|", "\\infty", "\\sin", "\\log", " ",
        "\\boxed", "&", "\\\\", "$", "\\%", "^\\circ", "\\binom", "\\begin{pmatrix}",
        "\\end{pmatrix}", "or", "\\dfrac", ".", "1,000"};
    SplittableRandom random = new SplittableRandom(21);
    assertTimeoutPreemptively(HANG, () -> {
      int matches = 0;
      for (int k = 0; k < 5_000; k++) {
        String a = randomText(tokens, random);
        String b = random.nextInt(4) == 0 ? a : randomText(tokens, random);
        boolean eq = GRADER.equivalent(a, b);
        matches += eq ? 1 : 0;
        assertThat(GRADER.equivalent(a, a)).as("reflexive: %s", a).isTrue();
        assertThat(GRADER.key(a)).isNotNull();
        assertThat(Tasks.MATH.extract(a)).satisfiesAnyOf(x -> assertThat(x).isNull(),
            x -> assertThat(x).isNotNull());
      }
      assertThat(matches).isGreaterThan(0);
    });
  }

  private static String randomText(String[] tokens, SplittableRandom random) {
    StringBuilder sb = new StringBuilder();
    int n = 1 + random.nextInt(12);
    for (int i = 0; i < n; i++) {
      sb.append(tokens[random.nextInt(tokens.length)]);
    }
    return sb.toString();
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private static String abbreviate(String s) {
    return s.length() <= 24 ? s : s.substring(0, 20) + "...(" + s.length() + ")";
  }
}
