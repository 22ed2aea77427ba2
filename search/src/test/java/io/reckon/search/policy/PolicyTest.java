package io.reckon.search.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PolicyTest {

  static Policy twoBins() {
    DifficultyBins bins = new DifficultyBins(List.of(0.5));
    return new Policy(
        List.of("policy", "prm"),
        List.of(4, 16, 64),
        bins,
        bins,
        DifficultyEstimator.meanScore(DifficultyEstimator.DEFAULT_HOPELESS),
        4,
        List.of(
            new Policy.Bin(1, List.of("majority", "revisions:len=4,sel=weighted,agg=last", "revisions:len=all,sel=weighted,agg=last"),
                List.of(0.9, 0.95, 0.96), Map.of("majority", List.of(0.9, 0.92, 0.93)),
                List.of(0.85, 0.9, 0.91)),
            new Policy.Bin(2, Arrays.asList(null, "beam:m=4,agg=last", "beam:m=sqrt,agg=last"),
                Arrays.asList(null, 0.4, 0.5), Map.of(), Arrays.asList(null, null, null))));
  }

  @Test
  void choosesTheConfigurationOfTheLargestSweptBudgetNotAboveTheGrant() {
    Policy p = twoBins().validate();
    assertThat(p.choose(1, 4).name()).isEqualTo("best-of-n:sel=majority,agg=last");
    assertThat(p.choose(1, 20).name()).isEqualTo("revisions:len=4,sel=weighted,agg=last");
    assertThat(p.choose(1, 64).name()).isEqualTo("revisions:len=all,sel=weighted,agg=last");
    assertThat(p.choose(2, 2).name()).isEqualTo("beam:m=4,agg=last"); // below every swept budget
    assertThat(p.choose(9, 64).name()).isEqualTo("beam:m=sqrt,agg=last"); // out-of-range bins clamp
  }

  @Test
  void curveSkipsBudgetsWithoutAChoiceAndIsConcave() {
    // bin 2 has no cross-validated curve (a policy learned before it was measured): in-sample
    AccuracyCurve c = twoBins().curve(2);
    assertThat(c.at(16)).isEqualTo(0.4);
    assertThat(c.at(64)).isEqualTo(0.5);
  }

  @Test
  void theSchedulerAllocatesByTheCrossValidatedCurveNotTheOptimisticBestOfMany() {
    AccuracyCurve c = twoBins().curve(1);
    assertThat(c.at(4)).isEqualTo(0.85);
    assertThat(c.at(16)).isEqualTo(0.9);
    assertThat(c.at(64)).isEqualTo(0.91);
  }

  @Test
  void inconsistentPoliciesAreRefusedWithTheFieldNamed() {
    Policy p = twoBins();
    Policy wrongBins = new Policy(p.models(), p.budgets(), new DifficultyBins(List.of(0.2, 0.4)),
        p.predictedBins(), p.estimator(), 4, p.bins());
    assertThatThrownBy(wrongBins::validate).hasMessageContaining("oracleBins has 3 bins");

    Policy badConfig = new Policy(p.models(), p.budgets(), p.oracleBins(), p.predictedBins(),
        p.estimator(), 4, List.of(p.bins().get(0), new Policy.Bin(2, List.of("beam", "warp-drive", "beam"),
            List.of(0.1, 0.2, 0.3), Map.of(), List.of(0.1, 0.2, 0.3))));
    assertThatThrownBy(badConfig::validate)
        .hasMessageContaining("bins[1].best")
        .hasMessageContaining("unknown strategy 'warp-drive'");

    Policy shortCurve = new Policy(p.models(), List.of(4, 16), p.oracleBins(), p.predictedBins(),
        p.estimator(), 4, p.bins());
    assertThatThrownBy(shortCurve::validate).hasMessageContaining("bins[0].best has 3 entries for 2 budgets");
  }
}
