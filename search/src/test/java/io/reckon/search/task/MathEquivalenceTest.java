package io.reckon.search.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The grader against data: Reckon's own must-match / must-not-match pairs and, as an external
 * oracle, the assertions of the MATH dataset's own {@code is_equiv} test. False matches (they
 * inflate accuracy) and false misses (they cost votes) are counted and printed separately.
 */
class MathEquivalenceTest {
  private static final MathEquivalence GRADER = new MathEquivalence(GraderLimits.DEFAULTS);

  /**
   * Where Reckon deliberately disagrees with the MATH oracle: its bare comma lists are ordered
   * strings there, but a bare list in a MATH answer is "all the solutions", in any order.
   */
  private static final Set<String> DELIBERATE = Set.of("test_order", "test_decimals");

  record Pair(boolean match, String a, String b, String why, int line) {}

  static List<Pair> read(String resource) throws IOException {
    List<Pair> pairs = new ArrayList<>();
    try (InputStream in = MathEquivalenceTest.class.getResourceAsStream(resource);
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      int n = 0;
      while ((line = r.readLine()) != null) {
        n++;
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] f = line.split("\t", -1);
        assertThat(f.length).as(resource + ":" + n + " has 4 tab-separated fields").isEqualTo(4);
        assertThat(f[0]).as(resource + ":" + n).isIn("match", "differ");
        pairs.add(new Pair(f[0].equals("match"), f[1], f[2], f[3], n));
      }
    }
    return pairs;
  }

  record Counts(int matches, int differs, List<Pair> falseMatches, List<Pair> falseMisses) {}

  static Counts grade(List<Pair> pairs) {
    List<Pair> falseMatches = new ArrayList<>();
    List<Pair> falseMisses = new ArrayList<>();
    int matches = 0;
    for (Pair p : pairs) {
      matches += p.match ? 1 : 0;
      boolean got = GRADER.equivalent(p.a, p.b);
      boolean reverse = GRADER.equivalent(p.b, p.a);
      if ((got || reverse) && !p.match) {
        falseMatches.add(p);
      } else if ((!got || !reverse) && p.match) {
        falseMisses.add(p);
      }
      if (got && !p.match || !got && p.match) {
        continue;
      }
      // equal keys must mean equivalent answers
      String ka = GRADER.key(p.a);
      String kb = GRADER.key(p.b);
      if (ka.equals(kb) && !p.match) {
        falseMatches.add(p);
      }
    }
    return new Counts(matches, pairs.size() - matches, falseMatches, falseMisses);
  }

  private static void print(String what, List<Pair> pairs, Counts c) {
    System.out.printf(Locale.ROOT, "%s: %d pairs (%d must match, %d must differ): "
            + "%d false matches, %d false misses%n",
        what, pairs.size(), c.matches, c.differs, c.falseMatches.size(), c.falseMisses.size());
    for (Pair p : c.falseMatches) {
      System.out.printf(Locale.ROOT, "  false match  line %d: [%s] vs [%s] (%s)%n", p.line, p.a, p.b,
          p.why);
    }
    for (Pair p : c.falseMisses) {
      System.out.printf(Locale.ROOT, "  false miss   line %d: [%s] vs [%s] (%s)%n", p.line, p.a, p.b,
          p.why);
    }
  }

  @Test
  void ownPairsHaveNoFalseMatchesAndNoFalseMisses() throws IOException {
    List<Pair> pairs = read("/grader/pairs.tsv");
    Counts c = grade(pairs);
    print("own pairs", pairs, c);
    assertThat(pairs).hasSizeGreaterThanOrEqualTo(300);
    assertThat(c.falseMatches).as("false matches inflate accuracy").isEmpty();
    assertThat(c.falseMisses).as("false misses split votes").isEmpty();
  }

  @Test
  void mathDatasetOracle() throws IOException {
    List<Pair> pairs = read("/grader/hendrycks-math-is-equiv.tsv");
    Counts c = grade(pairs);
    print("MATH is_equiv oracle", pairs, c);
    assertThat(pairs).hasSize(16);
    assertThat(c.falseMisses).as("every equivalence the MATH grader asserts").isEmpty();
    assertThat(c.falseMatches).extracting(Pair::why)
        .as("only the deliberate disagreements (bare lists in any order)")
        .containsExactlyInAnyOrderElementsOf(DELIBERATE);
  }
}
