package io.reckon.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.reckon.protocol.Candidate;
import io.reckon.search.task.Tasks;
import java.util.List;
import org.junit.jupiter.api.Test;

class AllocationTest {
  private static final Allocation.Rule RULE = Allocation.Rule.DEFAULT;

  private static Candidate c(String answer, double score) {
    return new Candidate(List.of("A: " + answer), answer, List.of(score), score, 0, "probe");
  }

  private static int grant(Allocation.Estimate e) {
    return Allocation.grant(new Allocation.Request(e, 1200, 100), RULE); // fair share 12
  }

  @Test
  void estimateIsMeanScoreAndLeadingShareOfTheWeightedVote() {
    var e = Allocation.Estimate.of(List.of(c("7", 0.9), c("7", 0.5), c("8", 0.6), c("9", 0.0)), Tasks.ARITH);
    assertThat(e.meanScore()).isCloseTo(0.5, within(1e-12));
    assertThat(e.difficulty()).isCloseTo(0.5, within(1e-12));
    assertThat(e.confidence()).isCloseTo(1.4 / 2.0, within(1e-12));
    assertThat(e.samples()).isEqualTo(4);
  }

  @Test
  void unscoredProbeIsUnknownAndGetsTheFairShare() {
    var e = Allocation.Estimate.of(List.of(c("7", Double.NaN)), Tasks.ARITH);
    assertThat(e.known()).isFalse();
    assertThat(grant(e)).isEqualTo(12);
    assertThat(grant(Allocation.Estimate.NONE)).isEqualTo(12);
  }

  @Test
  void middleDifficultyGetsMoreThanEasyOrHard() {
    int middle = grant(new Allocation.Estimate(0.5, 0.5, 4));
    int easy = grant(new Allocation.Estimate(0.95, 0.5, 4));
    int hard = grant(new Allocation.Estimate(0.2, 0.5, 4));
    assertThat(middle).isEqualTo(18); // 1.5 x 12
    assertThat(middle).isGreaterThan(easy).isGreaterThan(0);
    assertThat(middle).isGreaterThan(hard);
  }

  @Test
  void agreementTakesBudgetAway() {
    int split = grant(new Allocation.Estimate(0.5, 0.5, 4));
    int agreed = grant(new Allocation.Estimate(0.5, 1.0, 4));
    assertThat(agreed).isLessThan(split);
    assertThat(agreed).isEqualTo(Math.round(12 * 1.5f * 0.25f));
  }

  @Test
  void aHopelessQuestionNeverGetsMoreThanItsFairShareEvenWhenConfiguredTo() {
    // middle difficulty, no agreement: weight 1.5, but below a (high) hopeless threshold
    var hopeless = new Allocation.Estimate(0.5, 0.0, 4);
    var generous = new Allocation.Rule(0.5, 1.5, 0.75, 0.6, 2.5, 3.0);
    assertThat(Allocation.weight(hopeless, generous)).isEqualTo(1.0);
  }

  @Test
  void hopelessQuestionsAreCapped() {
    // Difficulty 0.9 would otherwise weigh 0.5 + 1.0*0.36 = 0.86.
    var hopeless = new Allocation.Estimate(0.1, 0.5, 4);
    assertThat(Allocation.weight(hopeless, RULE)).isEqualTo(0.5);
    assertThat(grant(hopeless)).isEqualTo(6);
  }

  @Test
  void grantNeverExceedsWhatIsAvailable() {
    var e = new Allocation.Estimate(0.5, 0.0, 4);
    assertThat(Allocation.grant(new Allocation.Request(e, 10, 1), RULE)).isEqualTo(10);
    assertThat(Allocation.grant(new Allocation.Request(e, 0, 3), RULE)).isZero();
    assertThat(Allocation.grant(new Allocation.Request(e, -5, 3), RULE)).isZero();
  }

  @Test
  void returnedBudgetRaisesTheFairShareOfLaterQuestions() {
    var e = new Allocation.Estimate(0.5, 0.5, 4);
    int before = Allocation.grant(new Allocation.Request(e, 120, 10), RULE);
    int after = Allocation.grant(new Allocation.Request(e, 120 + 40, 10), RULE);
    assertThat(after).isGreaterThan(before);
  }

  @Test
  void aHopelessQuestionLateInARunGetsNoMoreThanTheEvenSplitWhateverWasGivenBack() {
    // 12 main generations per question evenly; by the end of a run that returned a lot, one
    // question waits with 300 available: a middle one gets more, a hopeless one at most its
    // capped share of the even split (0.5 x 12), not of the 300.
    var middle = new Allocation.Estimate(0.5, 0.0, 4);
    var hopeless = new Allocation.Estimate(0.1, 0.0, 4);
    assertThat(Allocation.grant(new Allocation.Request(middle, 300, 1, 12), RULE)).isEqualTo(300);
    assertThat(Allocation.grant(new Allocation.Request(hopeless, 300, 1, 12), RULE)).isEqualTo(6);
    // Early in a run (fair share below the even split) the cap changes nothing.
    assertThat(Allocation.grant(new Allocation.Request(hopeless, 80, 10, 12), RULE))
        .isEqualTo(Allocation.grant(new Allocation.Request(hopeless, 80, 10), RULE));
  }
}
