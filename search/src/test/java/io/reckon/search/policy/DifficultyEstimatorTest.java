package io.reckon.search.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.reckon.search.ProbeFeatures;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DifficultyEstimatorTest {

  /**
   * Questions whose probe the PRM scores like the shipped one does: easy ones high, hopeless ones
   * in the middle (the PRM cannot tell their slips), medium ones lowest; only the vote's agreement
   * tells the hopeless apart (their samples scatter over many answers).
   */
  private static void make(int n, long seed, List<ProbeFeatures> probes, List<Double> pass) {
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < n; i++) {
      int kind = i % 3; // 0 easy, 1 medium, 2 hopeless
      double p = kind == 0 ? 0.9 : kind == 1 ? 0.4 : 0.0;
      double mean = (kind == 0 ? 0.8 : kind == 1 ? 0.35 : 0.55) + 0.1 * (r.nextDouble() - 0.5);
      double agreement = (kind == 0 ? 0.95 : kind == 1 ? 0.6 : 0.25) + 0.1 * (r.nextDouble() - 0.5);
      double answers = kind == 0 ? 0.25 : kind == 1 ? 0.5 : 1.0;
      probes.add(new ProbeFeatures(mean, mean - 0.1, agreement, -Math.log(agreement), answers, 4));
      pass.add(p);
    }
  }

  @Test
  void learnsFromTheVoteWhatTheMeanScoreMissesAndFlagsTheHopeless() {
    List<ProbeFeatures> probes = new ArrayList<>();
    List<Double> pass = new ArrayList<>();
    make(300, 1, probes, pass);
    DifficultyEstimator e = DifficultyEstimator.learn(probes, pass, DifficultyEstimator.DEFAULT_HOPELESS);
    assertThat(e.features()).isEqualTo(ProbeFeatures.NAMES);

    List<ProbeFeatures> test = new ArrayList<>();
    List<Double> truth = new ArrayList<>();
    make(150, 2, test, truth);
    double[] y = truth.stream().mapToDouble(Double::doubleValue).toArray();
    double[] learned = test.stream().mapToDouble(e::predict).toArray();
    double[] meanScore = test.stream().mapToDouble(ProbeFeatures::meanScore).toArray();
    double rhoLearned = Analysis.spearman(learned, y);
    double rhoMean = Analysis.spearman(meanScore, y);
    assertThat(rhoLearned).as("learned %.3f, mean score %.3f", rhoLearned, rhoMean)
        .isGreaterThan(0.8).isGreaterThan(rhoMean + 0.3);
    for (int i = 0; i < test.size(); i++) {
      assertThat(e.hopeless(test.get(i))).as("question %d", i).isEqualTo(truth.get(i) == 0.0);
    }
    // deterministic: the same data gives the same estimator
    assertThat(DifficultyEstimator.learn(probes, pass, DifficultyEstimator.DEFAULT_HOPELESS)).isEqualTo(e);
    assertThat(e.predict(ProbeFeatures.NONE)).isNaN();
    assertThat(e.hopeless(ProbeFeatures.NONE)).isFalse();
  }

  @Test
  void theMeanScoreEstimatorIsTheProbesMeanAndBadEstimatorsAreRefused() {
    DifficultyEstimator m = DifficultyEstimator.meanScore(0.1).validate();
    assertThat(m.predict(new ProbeFeatures(0.42, 0.1, 0.5, 0.7, 0.5, 4))).isEqualTo(0.42);
    assertThatThrownBy(() -> new DifficultyEstimator("forest", List.of(), List.of(), List.of(),
        List.of(), 0, 0.1).validate()).hasMessageContaining("estimator.kind");
    assertThatThrownBy(() -> new DifficultyEstimator(DifficultyEstimator.LOGISTIC,
        ProbeFeatures.NAMES, List.of(0.0), List.of(1.0), List.of(1.0), 0, 0.1).validate())
        .hasMessageContaining("one entry per feature");
  }

  @Test
  void spearmanAndTheConfusionMatrix() {
    assertThat(Analysis.spearman(new double[] {1, 2, 3, 4}, new double[] {10, 20, 30, 40})).isEqualTo(1.0);
    assertThat(Analysis.spearman(new double[] {1, 2, 3, 4}, new double[] {4, 3, 2, 1})).isEqualTo(-1.0);
    assertThat(Analysis.spearman(new double[] {1, 1, 2, 2}, new double[] {1, 2, 3, 4}))
        .isCloseTo(0.894, within(1e-3));
    int[][] oracle = {{0, 1}, {2, 3}};
    int[][] predicted = {{0, 2}, {1, 3}};
    assertThat(Analysis.confusion(oracle, predicted, 4)).isDeepEqualTo(new int[][] {{1, 1}, {1, 1}});
  }
}
