package io.reckon.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Random and adversarial strategy names: each parses to a configuration that round-trips and
 * answers {@link StrategyConfig#usableBudget} sanely up to the largest budget, or fails with a
 * one-line {@link IllegalArgumentException} that quotes at most a short prefix of the input.
 */
@Timeout(60)
class StrategyConfigFuzzTest {
  private static final List<String> PIECES = List.of(
      "best-of-n", "weighted-bon", "majority", "naive-bon", "beam", "lookahead", "revisions", "dvts",
      "rebase", "particle-filter", "compute-optimal", ":", ",", "=", "==", " ", "m", "k", "len", "sel",
      "agg", "temp", "rounds", "tb", "tp", "sqrt", "all", "weighted", "naive", "last", "min", "prod",
      "0", "1", "4", "-1", "40", "41", "1000000", "2147483647", "2147483648", "99999999999999999999",
      "NaN", "Infinity", "-Infinity", "1e999", "0x1p3", "1.5", "\u0000", "\n", "é", "\uD83D\uDE00",
      "x".repeat(500));

  @Test
  void randomSpecsParseOrFailInOneLine() {
    SplittableRandom rnd = new SplittableRandom(17);
    int parsed = 0;
    for (int i = 0; i < 30_000; i++) {
      StringBuilder b = new StringBuilder();
      int n = rnd.nextInt(1, 9);
      for (int j = 0; j < n; j++) {
        b.append(PIECES.get(rnd.nextInt(PIECES.size())));
      }
      String spec = b.toString();
      StrategyConfig c;
      try {
        c = StrategyConfig.parse(spec);
      } catch (IllegalArgumentException e) {
        assertOneLine(spec, e.getMessage());
        continue;
      } catch (RuntimeException e) {
        fail("'" + spec + "' threw " + e);
        return;
      }
      parsed++;
      assertThat(StrategyConfig.parse(c.name())).as(spec).isEqualTo(c);
      for (int budget : new int[] {1, 2, 3, 16, 64, 4096}) {
        int usable = c.usableBudget(budget);
        assertThat(usable).as(spec + " at " + budget).isBetween(0, budget);
      }
    }
    assertThat(parsed).as("the generator reaches valid specs too").isGreaterThan(100);
  }

  @Test
  void wellFormedSpecsWithExtremeValues() {
    SplittableRandom rnd = new SplittableRandom(5);
    String[] values = {"0", "-1", "1", "40", "41", "2147483647", "-2147483648", "2147483648",
        "NaN", "-0", "1e-300", "1e308", "sqrt", "all", "last", ""};
    String[] specs = {"beam:m=%s", "lookahead:k=%s", "lookahead:k=1,m=%s", "revisions:len=%s",
        "dvts:m=%s", "rebase:tb=%s", "particle-filter:tp=%s", "best-of-n:temp=%s", "beam:rounds=%s",
        "best-of-n:agg=%s"};
    for (String spec : specs) {
      for (String v : values) {
        String s = String.format(java.util.Locale.ROOT, spec, v);
        try {
          StrategyConfig c = StrategyConfig.parse(s);
          for (int budget = 1; budget <= 64; budget++) {
            assertThat(c.usableBudget(budget)).as(s).isBetween(0, budget);
          }
          assertThat(c.usableBudget(4096)).as(s).isBetween(0, 4096);
        } catch (IllegalArgumentException e) {
          assertOneLine(s, e.getMessage());
        }
      }
    }
    assertThat(rnd).isNotNull();
  }

  @Test
  void zeroWidthsAndLengthsAreRefusedNotReadAsTheirWordForms() {
    for (String s : List.of("beam:m=0", "lookahead:m=0", "revisions:len=0", "dvts:m=0",
        "lookahead:k=0", "lookahead:k=41", "lookahead:k=1000000")) {
      try {
        StrategyConfig.parse(s);
        fail(s + " was accepted");
      } catch (IllegalArgumentException e) {
        assertOneLine(s, e.getMessage());
      }
    }
  }

  static void assertOneLine(String input, String message) {
    assertThat(message).as(input).isNotBlank().doesNotContain("\n").doesNotContain("\r");
    assertThat(message.length()).as("short message for " + input.length() + " chars of input")
        .isLessThan(400);
    assertThat(message).doesNotContainPattern("\\b(?:java|io)\\.[a-z]+\\.");
  }
}
