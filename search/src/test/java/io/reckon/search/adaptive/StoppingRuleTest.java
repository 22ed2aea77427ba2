package io.reckon.search.adaptive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StoppingRuleTest {

  /** The round (1-based sample count) after which the rule first stops, or -1 within the votes. */
  private static int stopsAt(StoppingRule rule, Votes all) {
    for (int n = 1; n <= all.samples(); n++) {
      if (rule.stop(all.first(n))) {
        return n;
      }
    }
    return -1;
  }

  /**
   * P(X &gt; 1/2), X ~ Beta(a, b) with integer a, b, counted independently of the rule: it is the
   * probability that fewer than a of a + b - 1 fair coin flips come up heads.
   */
  private static double betaTail(int a, int b) {
    int n = a + b - 1;
    BigInteger sum = BigInteger.ZERO;
    for (int k = 0; k < a; k++) {
      sum = sum.add(binomial(n, k));
    }
    return sum.doubleValue() / Math.pow(2, n);
  }

  private static BigInteger binomial(int n, int k) {
    BigInteger r = BigInteger.ONE;
    for (int i = 0; i < k; i++) {
      r = r.multiply(BigInteger.valueOf(n - i)).divide(BigInteger.valueOf(i + 1));
    }
    return r;
  }

  @Test
  void betaStopsAfterFourAgreeingSamplesNotThree() {
    // 1 - 2^-4 = 0.9375 < 0.95 <= 1 - 2^-5
    StoppingRule beta = new StoppingRule.PosteriorBeta(0.95);
    assertThat(stopsAt(beta, Votes.majority(0, 0, 0, 0, 0, 0))).isEqualTo(4);
  }

  @Test
  void betaPosteriorIsTheCoinFlipCount() {
    for (int v1 = 1; v1 <= 12; v1++) {
      for (int v2 = 0; v2 < v1; v2++) {
        int[] classes = new int[v1 + v2 + 1];
        for (int i = 0; i < v1; i++) {
          classes[i] = 0;
        }
        for (int i = v1; i < v1 + v2; i++) {
          classes[i] = 1;
        }
        classes[v1 + v2] = -1; // an unanswered sample counts for nobody
        double p = new StoppingRule.PosteriorBeta(0.95).settled(Votes.majority(classes));
        assertThat(p).as("v1=%d v2=%d", v1, v2).isCloseTo(betaTail(v1 + 1, v2 + 1), within(1e-9));
      }
    }
  }

  @Test
  void betaStopsAtTheRoundTheCountSays() {
    // A B A A A A A A A ...: after n samples the leader has n-1 votes and the other 1;
    // the first n with P >= 0.95 is where the rule must stop.
    int[] seq = new int[20];
    seq[1] = 1;
    int expected = -1;
    for (int n = 2; n <= 20; n++) {
      if (betaTail(n - 1 + 1, 1 + 1) >= 0.95) {
        expected = n;
        break;
      }
    }
    assertThat(expected).isEqualTo(7); // P(6 of A, 1 of B) = 0.965; (5, 1): 0.9375
    assertThat(stopsAt(new StoppingRule.PosteriorBeta(0.95), Votes.majority(seq))).isEqualTo(expected);
  }

  @Test
  void noRuleStopsOnATie() {
    int[] alternating = new int[40];
    for (int i = 0; i < alternating.length; i++) {
      alternating[i] = i % 2;
    }
    Votes tie = Votes.majority(alternating);
    for (StoppingRule rule : new StoppingRule[] {
        new StoppingRule.PosteriorBeta(0.51), new StoppingRule.PosteriorDirichlet(0.51),
        new StoppingRule.Window(1), new StoppingRule.Never()}) {
      for (int n = 2; n <= 40; n += 2) {
        assertThat(rule.stop(tie.first(n))).as("%s after %d", rule.name(), n).isFalse();
      }
      // nothing answered yet
      assertThat(rule.stop(Votes.majority(-1, -1, -1, -1, -1))).as(rule.name()).isFalse();
    }
    // weighted: two answers with equal summed scores are a tie, whatever their counts
    Votes weightedTie = new Votes(new int[] {0, 0, 1}, new double[] {0.25, 0.25, 0.5});
    assertThat(new StoppingRule.PosteriorBeta(0.51).stop(weightedTie)).isFalse();
    assertThat(new StoppingRule.PosteriorDirichlet(0.51).stop(weightedTie)).isFalse();
  }

  @Test
  void weightedVotesCountTheirScores() {
    // Three low-scored votes for 0 lose to two high-scored votes for 1.
    Votes v = new Votes(new int[] {0, 0, 0, 1, 1}, new double[] {0.1, 0.1, 0.1, 0.9, 0.9});
    assertThat(v.leader()).isEqualTo(1);
    double p = new StoppingRule.PosteriorBeta(0.95).settled(v);
    assertThat(p).isGreaterThan(0.5).isLessThan(0.95);
  }

  @Test
  void dirichletWithOneAnswerSeenIsTheBetaRule() {
    for (int n = 1; n <= 10; n++) {
      Votes v = Votes.majority(new int[n]);
      assertThat(new StoppingRule.PosteriorDirichlet(0.95).settled(v))
          .isCloseTo(new StoppingRule.PosteriorBeta(0.95).settled(v), within(1e-6));
    }
  }

  @Test
  void dirichletMatchesASimulatedPosterior() {
    // counts 6, 3, 2 (+ the unseen class): Monte Carlo over Gamma draws, seeded.
    Votes v = Votes.majority(0, 0, 0, 0, 0, 0, 1, 1, 1, 2, 2);
    double exact = new StoppingRule.PosteriorDirichlet(0.95).settled(v);
    Random rng = new Random(7);
    int wins = 0;
    int draws = 200_000;
    double[] alpha = {7, 4, 3, 1};
    for (int d = 0; d < draws; d++) {
      double x0 = gamma(rng, alpha[0]);
      boolean max = true;
      for (int i = 1; i < alpha.length && max; i++) {
        max = x0 > gamma(rng, alpha[i]);
      }
      if (max) {
        wins++;
      }
    }
    assertThat(exact).isCloseTo((double) wins / draws, within(0.006));
    // more competitors than the top two can only lower the leader's chance
    assertThat(exact).isLessThan(new StoppingRule.PosteriorBeta(0.95).settled(v));
  }

  /** Gamma(k) for integer k: a sum of k unit exponentials. */
  private static double gamma(Random rng, double k) {
    double s = 0;
    for (int i = 0; i < (int) k; i++) {
      s -= Math.log(1 - rng.nextDouble());
    }
    return s;
  }

  @Test
  void escStopsWhenTheLatestWindowAgrees() {
    StoppingRule esc = new StoppingRule.Window(4);
    // windows: [0 1 0 0] [0 0 0 0] -> stops after 8
    assertThat(stopsAt(esc, Votes.majority(0, 1, 0, 0, 0, 0, 0, 0, 1, 1))).isEqualTo(8);
    // an unanswered sample breaks agreement
    assertThat(stopsAt(esc, Votes.majority(-1, 0, 0, 0, 1, 0, 0, 0))).isEqualTo(-1);
    assertThat(esc.settled(Votes.majority(0, 1, 0, 0))).isEqualTo(0.75);
  }

  @Test
  void neverStops() {
    assertThat(stopsAt(new StoppingRule.Never(), Votes.majority(new int[40]))).isEqualTo(-1);
  }

  @Test
  void parsesItsNamesAndRefusesNonsense() {
    for (String s : new String[] {"never", "beta:0.95", "dirichlet:0.9", "esc:5"}) {
      assertThat(StoppingRule.parse(s).name()).isEqualTo(s);
    }
    assertThat(StoppingRule.parse("BETA")).isEqualTo(new StoppingRule.PosteriorBeta(0.95));
    assertThat(StoppingRule.parse("esc")).isEqualTo(new StoppingRule.Window(5));
    assertThatThrownBy(() -> StoppingRule.parse("beta:1.5"))
        .hasMessageContaining("above 0.5 and below 1").hasMessageContaining("allowed are");
    assertThatThrownBy(() -> StoppingRule.parse("esc:x")).hasMessageContaining("not a number");
    assertThatThrownBy(() -> StoppingRule.parse("vote")).hasMessageContaining("unknown kind 'vote'");
  }
}
