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
