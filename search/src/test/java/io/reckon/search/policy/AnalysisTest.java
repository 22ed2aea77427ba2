package io.reckon.search.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class AnalysisTest {

  @Test
  void flopsMatchedGenerationsIsThePapersFormulaWhenPretrainingTokensAreEqual() {
    double m = 14;
    for (double r : new double[] {0.16, 0.79, 22}) {
      double k = Analysis.flopsMatchedGenerations(1e6, 2e9, m * 1e6, 2e9, r);
      assertThat(k).isCloseTo(m + 3 * (m - 1) / r, within(1e-9));
    }
    // A larger model trained on more tokens buys the small one more generations.
    assertThat(Analysis.flopsMatchedGenerations(1e6, 2e9, 9e6, 4e9, 1))
        .isGreaterThan(Analysis.flopsMatchedGenerations(1e6, 2e9, 9e6, 2e9, 1));
  }

  @Test
  void chargingTheVerifierSharesTheMatchedFlopsBetweenPolicyAndVerifier() {
    // Equal FLOPs on both sides, counted by hand: the large model pretrains and decodes D_inf
    // once; the small one pretrains, and spends k generations, each read by the verifier too.
    double ns = 1e6;
    double nv = 1e6;
    double nl = 14e6;
    double d = 2e9;
    double r = 1;
    double inf = r * d;
    double k = Analysis.flopsMatchedGenerations(ns, d, nl, d, r, nv);
    double large = 6 * nl * d + 2 * nl * inf;
    double small = 6 * ns * d + k * (2 * ns * inf + 2 * nv * inf);
    assertThat(small).isCloseTo(large, within(large * 1e-12));
    // a verifier as large as the policy halves the generations
    assertThat(k).isCloseTo(Analysis.flopsMatchedGenerations(ns, d, nl, d, r) / 2, within(1e-9));
    assertThat(Analysis.flopsMatchedGenerations(ns, d, nl, d, r, 0))
        .isEqualTo(Analysis.flopsMatchedGenerations(ns, d, nl, d, r));
  }

  @Test
  void theFlopsMatchedBudgetIsReadBetweenSweptBudgetsOnALogScale() {
    List<Integer> budgets = List.of(1, 4, 16);
    double[] curve = {0.2, 0.4, 0.8};
    // k = 8 lies halfway between 4 and 16 on a log scale: halfway between 0.4 and 0.8
    assertThat(Analysis.atLogInterpolated(curve, budgets, 8)).isCloseTo(0.6, within(1e-12));
    assertThat(Analysis.atLogInterpolated(curve, budgets, 2)).isCloseTo(0.3, within(1e-12));
    assertThat(Analysis.atLogInterpolated(curve, budgets, 4)).isEqualTo(0.4);
    // above the largest budget the largest is read (the report marks it capped), below none is
    assertThat(Analysis.atLogInterpolated(curve, budgets, 30)).isEqualTo(0.8);
    assertThat(Analysis.atLogInterpolated(curve, budgets, 0.5)).isNaN();
    // R = 0.16, 0.79 and 22 no longer read one and the same budget
    double a = Analysis.atLogInterpolated(curve, budgets, 5.2);
    double b = Analysis.atLogInterpolated(curve, budgets, 13.0);
    assertThat(b).isGreaterThan(a);
  }

  @Test
  void bootstrapIntervalsAreSeededAndHoldTheTruthAboutNinetyFivePercentOfTheTime() {
    java.util.SplittableRandom r = new java.util.SplittableRandom(4);
    int covered = 0;
    int trials = 200;
    for (int t = 0; t < trials; t++) {
      double[] coin = new double[100];
      for (int i = 0; i < coin.length; i++) {
        coin[i] = r.nextDouble() < 0.3 ? 1 : 0;
      }
      int[] all = java.util.stream.IntStream.range(0, 100).toArray();
      Bootstrap.Interval i = new Bootstrap(t, 200).interval(all, coin);
      assertThat(i.low()).isLessThanOrEqualTo(i.value());
      assertThat(i.high()).isGreaterThanOrEqualTo(i.value());
      if (i.low() <= 0.3 && i.high() >= 0.3) {
        covered++;
      }
      if (t == 0) {
        assertThat(new Bootstrap(t, 200).interval(all, coin)).isEqualTo(i);
      }
    }
    assertThat(covered).isBetween(176, 200); // 95 % of 200 is 190, binomial noise about 3
    double[] same = {1, 0, 1, 0, 1, 0, 1, 0};
    int[] idx = java.util.stream.IntStream.range(0, 8).toArray();
    Bootstrap.Interval zero = new Bootstrap(1, 200).difference(idx, same, same);
    assertThat(zero.value()).isEqualTo(0.0);
    assertThat(zero.includesZero()).isTrue();
    assertThat(new Bootstrap(1, 200).interval(new int[0], same)).isEqualTo(Bootstrap.Interval.NONE);
  }

  @Test
  void crossValidatedPerQuestionAveragesToTheCrossValidatedAccuracy() {
    int n = 20;
    double[][][] values = new double[n][2][2];
    java.util.SplittableRandom r = new java.util.SplittableRandom(9);
    for (int q = 0; q < n; q++) {
      for (int c = 0; c < 2; c++) {
        for (int b = 0; b < 2; b++) {
          values[q][c][b] = r.nextInt(2);
        }
      }
    }
    SweepTable table = new SweepTable(java.util.stream.IntStream.range(0, n).mapToObj(i -> "q" + i).toList(),
        List.of("best-of-n:sel=weighted,agg=last", "best-of-n:sel=majority,agg=last"), List.of(1, 2), values);
    int[][] members = {java.util.stream.IntStream.range(0, 12).toArray(),
        java.util.stream.IntStream.range(12, 20).toArray()};
    double[][] per = Analysis.crossValidatedPerQuestion(table, members, 5);
    for (int k = 0; k < 2; k++) {
      double[] cv = PolicySelection.crossValidated(table, members[k], 5 + k);
      for (int b = 0; b < 2; b++) {
        double sum = 0;
        for (int q : members[k]) {
          sum += per[q][b];
        }
        assertThat(sum / members[k].length).isCloseTo(cv[b], within(1e-12));
      }
    }
  }

  @Test
  void firstReachingAndBudgetAtMostReadTheSweptBudgetsOnly() {
    double[] curve = {0.2, Double.NaN, 0.6, 0.9};
    assertThat(Analysis.firstReaching(curve, 0.6)).isEqualTo(2);
    assertThat(Analysis.firstReaching(curve, 0.95)).isEqualTo(-1);
    List<Integer> budgets = List.of(1, 2, 4, 8);
    assertThat(Analysis.budgetAtMost(budgets, 7.9)).isEqualTo(2);
    assertThat(Analysis.budgetAtMost(budgets, 0.5)).isEqualTo(-1);
    assertThat(Analysis.bestWithin(curve, budgets, 4)).isEqualTo(0.6);
  }

  @Test
  void computeOptimalNeverReportsAChoiceOnTheQuestionsItWasMadeOn() {
    // Two configurations; in each bin one is always right and the other always wrong, so the
    // cross-validated choice (made on the other half) is right on every question.
    String[] configs = {"a", "b"};
    double[][][] correct = new double[8][2][1];
    for (int q = 0; q < 8; q++) {
      boolean firstBin = q < 4;
      correct[q][0][0] = firstBin ? 1 : 0;
      correct[q][1][0] = firstBin ? 0 : 1;
    }
    SweepTable table = new SweepTable(
        List.of("0", "1", "2", "3", "4", "5", "6", "7"), List.of(configs), List.of(4), correct);
    Analysis.ComputeOptimal co = Analysis.computeOptimal(
        table, new int[][] {{0, 1, 2, 3}, {4, 5, 6, 7}, {}}, 3);
    assertThat(co.perBin()[0][0]).isEqualTo(1.0);
    assertThat(co.perBin()[1][0]).isEqualTo(1.0);
    assertThat(co.perBin()[2][0]).isNaN(); // an empty bin has no value and does not count
    assertThat(co.overall()[0]).isEqualTo(1.0);
    assertThat(co.sizes()).containsExactly(4, 4, 0);
    // A bin of one question cannot be split in two folds: the overall mean refuses to drop it.
    Analysis.ComputeOptimal lonely = Analysis.computeOptimal(table, new int[][] {{0}, {4, 5, 6, 7}}, 3);
    assertThat(lonely.overall()[0]).isNaN();
  }

  @Test
  void chainLengthReadsRevisionRatios() {
    assertThat(Analysis.chainLength("revisions:len=4,sel=weighted,agg=last", 64)).isEqualTo(4);
    assertThat(Analysis.chainLength("revisions:len=all,sel=weighted,agg=last", 64)).isEqualTo(64);
    assertThat(Analysis.chainLength("revisions:len=16,sel=weighted,agg=last", 8)).isZero();
    assertThat(Analysis.chainLength("beam:m=4,agg=last", 64)).isZero();
  }
}
