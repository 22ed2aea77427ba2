package io.reckon.search.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.reckon.search.ProbeFeatures;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PolicyLearnerTest {
  private static final String BON = "best-of-n:sel=weighted,agg=last";
  private static final String BEAM = "beam:m=4,agg=last";
  private static final String REV = "revisions:len=all,sel=weighted,agg=last";
  private static final List<String> MODELS = List.of("policy", "prm");

  /**
   * Ten questions; question q has predicted score (q+1)/10 (so 5..9 are the predicted-easy half)
   * and pass@1 given by {@code passAt1}. On the easy half best-of-N is always right and beam
   * never; on the hard half beam is right at budget 4 and best-of-N never; revisions are right on
   * question 0 only. Beam cannot run at budget 1.
   */
  static SweepResult handMade(double[] passAt1) {
    int n = 10;
    double nan = Double.NaN;
    double[][][] correct = new double[n][3][2];
    for (int q = 0; q < n; q++) {
      boolean easy = q >= 5;
      correct[q][0] = new double[] {easy ? 1 : 0, easy ? 1 : 0};
      correct[q][1] = new double[] {nan, easy ? 0 : 1};
      correct[q][2] = new double[] {q == 0 ? 1 : 0, q == 0 ? 1 : 0};
    }
    SweepResult.Cost unit = new SweepResult.Cost(1, 10, 20, 30, 1e3, 1e2);
    SweepResult.Cost[][] compute = {
      {unit, unit.times(4)}, {null, unit.times(4)}, {unit, unit.times(4)},
    };
    Sweep.Settings settings = Sweep.Settings.of(List.of(1, 4)).withGrid(List.of(BON, BEAM, REV));
    return SweepResult.of(settings, IntStream.range(0, n).mapToObj(i -> "q" + i).toList(),
        Collections.nCopies(n, 1), passAt1,
        IntStream.range(0, n).mapToDouble(q -> (q + 1) / 10.0).toArray(),
        IntStream.range(0, n).mapToObj(q -> probe((q + 1) / 10.0)).toList(), correct, compute,
        unit.times(4), unit.times(20));
  }

  /** A probe of four that agree on one answer, all scored {@code score}. */
  static ProbeFeatures probe(double score) {
    return new ProbeFeatures(score, score, 1.0, 0.0, 0.25, 4);
  }

  private static double[] passAt1SameOrder() {
    return IntStream.range(0, 10).mapToDouble(q -> q / 10.0).toArray();
  }

  @Test
  void picksTheBestConfigurationPerPredictedBinAndBudget() {
    Policy p = PolicyLearner.learn(handMade(passAt1SameOrder()), 2, MODELS, 4);

    assertThat(p.budgets()).containsExactly(1, 4);
    assertThat(p.models()).containsExactly("policy", "prm");
    assertThat(p.probeSize()).isEqualTo(4);
    assertThat(p.bins()).hasSize(2);
    Policy.Bin easy = p.bins().get(0);
    Policy.Bin hard = p.bins().get(1);
    assertThat(easy.best()).containsExactly(BON, BON);
    assertThat(easy.accuracy()).containsExactly(1.0, 1.0);
    // hard bin at budget 1: beam cannot run, revisions (right on q0) beat best-of-N (never right)
    assertThat(hard.best()).containsExactly(REV, BEAM);
    assertThat(hard.accuracy().get(0)).isCloseTo(0.2, within(1e-12));
    assertThat(hard.accuracy().get(1)).isEqualTo(1.0);
    assertThat(hard.curves().get(BEAM)).containsExactly(null, 1.0);
    assertThat(hard.curves().get(BON)).containsExactly(0.0, 0.0);
    assertThat(easy.curves().get(BEAM)).containsExactly(null, 0.0);
    assertThat(easy.curves()).containsOnlyKeys(BON, BEAM, REV);

    assertThat(p.choose(2, 4).name()).isEqualTo(BEAM);
    assertThat(p.choose(1, 64).name()).isEqualTo(BON);
    assertThat(p.validate()).isSameAs(p);
  }

  @Test
  void learnsQuantileThresholdsFromBothDifficultyScores() {
    Policy p = PolicyLearner.learn(handMade(passAt1SameOrder()), 2, MODELS, 4);
    // the oracle: the median of pass@1 0.0..0.9; the predicted: the estimator's, which here
    // learns that a higher probe score means an easier question
    assertThat(p.oracleBins().thresholds()).singleElement().satisfies(t -> assertThat(t).isCloseTo(0.45, within(1e-12)));
    SweepResult sweep = handMade(passAt1SameOrder());
    List<Double> predicted = PolicyLearner.predictedScores(sweep, p.estimator());
    assertThat(p.estimator().kind()).isEqualTo(DifficultyEstimator.LOGISTIC);
    int[][] members = PolicyLearner.members(p.predictedBins(), predicted);
    assertThat(members[0]).containsExactly(5, 6, 7, 8, 9);
    assertThat(members[1]).containsExactly(0, 1, 2, 3, 4);

    Policy five = PolicyLearner.learn(handMade(passAt1SameOrder()), 5, MODELS, 4);
    assertThat(five.bins()).hasSize(5);
    int[][] fifths = PolicyLearner.members(five.predictedBins(),
        PolicyLearner.predictedScores(sweep, five.estimator()));
    assertThat(Arrays.stream(fifths).mapToInt(m -> m.length)).containsOnly(2);
    assertThat(fifths[0]).containsExactly(8, 9);
  }

  @Test
  void theOracleTableBinsByPassAtOne() {
    // pass@1 reversed: the oracle-easy half is the predicted-hard half, where beam wins at 4
    double[] reversed = IntStream.range(0, 10).mapToDouble(q -> 1 - q / 10.0).toArray();
    List<Policy.Bin> oracle = PolicyLearner.oracleTable(handMade(reversed), 2);
    assertThat(oracle).hasSize(2);
    assertThat(oracle.get(0).bin()).isEqualTo(1);
    assertThat(oracle.get(0).best()).containsExactly(REV, BEAM);
    assertThat(oracle.get(1).best()).containsExactly(BON, BON);
    // and the estimator learns from the validation questions that here a low probe score means
    // an easy question, so the predicted table follows the oracle one (the mean score would not)
    Policy p = PolicyLearner.learn(handMade(reversed), 2, MODELS, 4);
    assertThat(p.bins().get(0).best()).containsExactly(REV, BEAM);
  }

  @Test
  void aBinNoQuestionFallsInTakesTheChoiceOverAllQuestions() {
    // every question has the same pass@1, so all thresholds coincide and bins 1..4 are empty
    double[] same = new double[10];
    Arrays.fill(same, 0.5);
    List<Policy.Bin> oracle = PolicyLearner.oracleTable(handMade(same), 5);
    assertThat(oracle.get(4).best()).containsExactly(BON, BON); // ties at 4 go to the first listed
    assertThat(oracle.get(0).best()).isEqualTo(oracle.get(4).best());
    assertThat(oracle.get(0).accuracy()).isEqualTo(oracle.get(4).accuracy());
  }

  @Test
  void theProbeSizeMustBeTheSweeps() {
    assertThatThrownBy(() -> PolicyLearner.learn(handMade(passAt1SameOrder()), 2, MODELS, 8))
        .hasMessageContaining("probeSize 8 differs from the sweep's probe of 4");
  }

  @Test
  void aMalformedSweepIsRefusedWithTheFieldNamed() {
    SweepResult r = handMade(passAt1SameOrder());
    List<List<List<Double>>> shortRow = new ArrayList<>(r.correct());
    shortRow.set(3, r.correct().get(3).subList(0, 2));
    assertThatThrownBy(() -> new SweepResult(r.settings(), r.questions(), r.levels(), r.passAt1(),
        r.predicted(), r.probes(), shortRow, r.compute(), r.probe(), r.difficulty()))
        .hasMessageContaining("correct[3] must have one entry per configuration (3)");
    assertThatThrownBy(() -> new SweepResult(r.settings(), r.questions(), r.levels(),
        r.passAt1().subList(0, 9), r.predicted(), r.probes(), r.correct(), r.compute(), r.probe(),
        r.difficulty()))
        .hasMessageContaining("passAt1 has 9 entries for 10 questions");
  }

  @Test
  void theTableKeepsNaNForCellsThatCannotRun() {
    SweepTable t = handMade(passAt1SameOrder()).table();
    assertThat(t.correct(0, 1, 0)).isNaN();
    assertThat(t.correct(0, 1, 1)).isEqualTo(1.0);
    assertThat(t.configs()).containsExactly(BON, BEAM, REV);
    assertThat(handMade(passAt1SameOrder()).cost(BEAM, 1)).isNull();
    assertThat(handMade(passAt1SameOrder()).cost(BEAM, 4).tokens()).isEqualTo(240.0);
  }
}
