package io.reckon.search.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GainAllocationTest {

  private static final GainAllocation.Settings NO_DECISIVE = new GainAllocation.Settings(2, 0, 1e9);

  private static AccuracyCurve curve(int[] budgets, double[] acc) {
    return WaterFillingTest.curve(budgets, acc).concave();
  }

  // Steep to 4 then almost flat: an easy bin.
  private static final AccuracyCurve EASY = curve(new int[] {4, 8}, new double[] {0.8, 0.9});
  // A steady 0.05 per generation up to 8: a hard bin that keeps paying.
  private static final AccuracyCurve HARD = curve(new int[] {4, 8}, new double[] {0.2, 0.4});
  private static final AccuracyCurve HOPELESS = curve(new int[] {4, 8}, new double[] {0.0, 0.0});

  @Test
  void aQuestionTheEstimatorDeemsHopelessNeverGetsMoreThanItsFairShare() {
    // bin 2's curve keeps paying to 16 and the others are easy, so it would draw above its share
    AccuracyCurve steep = curve(new int[] {4, 16}, new double[] {0.2, 0.8});
    long[] seen = {0, 100, 0};
    var request = new GainAllocation.Request(2, 0.3, 0, 100, 10, seen);
    int open = GainAllocation.grant(List.of(EASY, steep), request, NO_DECISIVE);
    assertThat(open).isGreaterThan(10);
    var hopeless = new GainAllocation.Request(2, 0.3, 0, 100, 10, seen, true);
    assertThat(GainAllocation.grant(List.of(EASY, steep), hopeless, NO_DECISIVE)).isEqualTo(10);
    // whatever the pool, the bin and the probe
    SplittableRandom random = new SplittableRandom(3);
    for (int trial = 0; trial < 200; trial++) {
      long available = random.nextInt(400);
      long waiting = 1 + random.nextInt(20);
      var r = new GainAllocation.Request(1 + random.nextInt(2), random.nextDouble() * 0.9,
          random.nextInt(5), available, waiting, new long[] {0, random.nextInt(5), random.nextInt(5)}, true);
      assertThat(GainAllocation.grant(List.of(EASY, HARD), r, NO_DECISIVE))
          .isLessThanOrEqualTo((int) (available / waiting));
    }
    // ... and never above the run's even split, however much the pool holds by the end of a run.
    var late = new GainAllocation.Request(2, 0.3, 0, 300, 1, seen, true, 12);
    assertThat(GainAllocation.grant(List.of(EASY, steep), late, NO_DECISIVE)).isEqualTo(12);
    assertThat(GainAllocation.grant(List.of(EASY, steep),
        new GainAllocation.Request(2, 0.3, 0, 300, 1, seen, false, 12), NO_DECISIVE))
        .isGreaterThan(12);
  }

  @Test
  void levelsOnHandMadeCurvesAreTheKnownOptimum() {
    // Slopes: easy 0.2/gen to 4 then 0.025; hard 0.05/gen to 8. With 12 generations for one
    // question each: easy takes 4 (0.2 > 0.05), then hard's 0.05 beats easy's 0.025 for all 8.
    int[] levels = GainAllocation.levels(List.of(EASY, HARD), new double[] {1, 1}, 0, 12, 64);
    assertThat(levels).containsExactly(4, 8);
    assertThat(WaterFilling.value(List.of(EASY, HARD), levels)).isCloseTo(1.2, within(1e-12));
    // Brute force over every split of 12 agrees that nothing beats it.
    double best = 0;
    for (int a = 0; a <= 12; a++) {
      best = Math.max(best, EASY.at(a) + HARD.at(12 - a));
    }
    assertThat(best).isCloseTo(1.2, within(1e-12));
  }

  @Test
  void aClassLevelCostsItsCountAndTheHopelessBinGetsNothing() {
    // 3 easy questions, 2 hard, 5 hopeless; 12 + 16 = 28 generations take easy to 4 and hard to 8.
    int[] levels = GainAllocation.levels(
        List.of(EASY, HARD, HOPELESS), new double[] {3, 2, 5}, 0, 28, 64);
    assertThat(levels).containsExactly(4, 8, 0);
    // With 4 generations more, easy's 0.025 is the best gain left: one more level for its 3.
    assertThat(GainAllocation.levels(List.of(EASY, HARD, HOPELESS), new double[] {3, 2, 5}, 0, 32, 64))
        .containsExactly(5, 8, 0);
  }

  @Test
  void withOneQuestionPerClassItIsWaterFillingAndMatchesBruteForce() {
    SplittableRandom random = new SplittableRandom(11);
    for (int trial = 0; trial < 200; trial++) {
      List<AccuracyCurve> curves =
          WaterFillingTest.randomRisingCurves(random).stream().map(AccuracyCurve::concave).toList();
      int pool = random.nextInt(30);
      int[] levels = GainAllocation.levels(curves, new double[] {1, 1, 1}, 0, pool, 16);
      assertThat(levels).containsExactly(WaterFilling.allocate(curves, new int[3], pool, 16));
      assertThat(Arrays.stream(levels).sum()).isLessThanOrEqualTo(pool);
      double best = WaterFillingTest.bruteForceBest(curves, pool, 16);
      assertThat(WaterFilling.value(curves, levels)).as("trial %d", trial).isCloseTo(best, within(1e-9));
    }
  }

  @Test
  void grantFollowsTheBinsGainAndCountsTheProbe() {
    List<AccuracyCurve> curves = List.of(EASY, HARD, HOPELESS);
    long[] seen = {0, 0, 0, 0};
    // 3 questions waiting (equal expected shares: 2/3 of a question per bin besides this one),
    // 48 generations: everything past the probe of 4 is worth more in the hard bin.
    int hard = GainAllocation.grant(curves, new GainAllocation.Request(2, 0.5, 4, 48, 3, seen), NO_DECISIVE);
    int easy = GainAllocation.grant(curves, new GainAllocation.Request(1, 0.5, 4, 48, 3, seen), NO_DECISIVE);
    int hopeless = GainAllocation.grant(curves, new GainAllocation.Request(3, 0.5, 4, 48, 3, seen), NO_DECISIVE);
    // The probe already took the easy bin to its knee: its next generation gains 0.025, the hard
    // bin's 0.05 until 8, so hard is filled to 8 (4 more generations) and easy to 8. The plan
    // claims 2/3·4 + 5/3·4 of 48 generations; the rest is shared evenly over the 3 expected
    // questions: 12 each. A hopeless question plans 2/3·4 + 2/3·4 (the other bins' expected
    // questions), so 14 are left for each.
    assertThat(hard).isEqualTo(4 + 12);
    assertThat(hopeless).isEqualTo(14);
    assertThat(easy).isEqualTo(4 + 12);
    // A pool the curves claim whole leaves nothing to share: with 6 generations the hard bin
    // takes them all (its slope beats easy's), the others get nothing.
    assertThat(GainAllocation.grant(curves, new GainAllocation.Request(3, 0.5, 4, 6, 3, seen), NO_DECISIVE))
        .isZero();
    assertThat(GainAllocation.grant(curves, new GainAllocation.Request(2, 0.5, 4, 6, 3, seen), NO_DECISIVE))
        .isEqualTo(3);
  }

  @Test
  void decisiveProbesGetNothingAndTheirShareGoesToTheOthers() {
    List<AccuracyCurve> curves = List.of(HARD, HARD);
    GainAllocation.Settings settings = new GainAllocation.Settings(0.9, 0, 1e9);
    assertThat(GainAllocation.grant(curves, new GainAllocation.Request(1, 0.95, 4, 100, 4, new long[3]), settings))
        .isZero();
    // With every earlier question decisive, the others are expected decisive too: this one
    // gets more than when the earlier ones were all in its bin.
    int afterDecisive = GainAllocation.grant(
        curves, new GainAllocation.Request(1, 0.5, 0, 16, 4, new long[] {10, 0, 0}), settings);
    int afterBinned = GainAllocation.grant(
        curves, new GainAllocation.Request(1, 0.5, 0, 16, 4, new long[] {0, 10, 0}), settings);
    assertThat(afterDecisive).isEqualTo(16); // 8 on the curve, the rest unclaimed by any other
    assertThat(afterBinned).isEqualTo(4); // 16 shared by 4 questions of one bin
  }

  @Test
  void grantNeverExceedsWhatIsAvailableNorTheCap() {
    List<AccuracyCurve> curves = List.of(HARD);
    assertThat(GainAllocation.grant(curves, new GainAllocation.Request(1, 0, 0, 3, 1, new long[2]), NO_DECISIVE))
        .isEqualTo(3);
    assertThat(GainAllocation.grant(curves, new GainAllocation.Request(1, 0, 0, 0, 1, new long[2]), NO_DECISIVE))
        .isZero();
    // max-factor 1: at most the fair share of 20 / 4 = 5 even though the curve wants 8.
    GainAllocation.Settings capped = new GainAllocation.Settings(2, 0, 1);
    assertThat(GainAllocation.grant(curves, new GainAllocation.Request(1, 0, 0, 20, 4, new long[] {100, 0}), capped))
        .isEqualTo(5);
  }

  @Test
  void badInputsAreNamed() {
    assertThatThrownBy(() -> new GainAllocation.Settings(0, 1, 1)).hasMessageContaining("decisive-confidence");
    assertThatThrownBy(() -> new GainAllocation.Settings(1, -1, 1)).hasMessageContaining("prior-weight");
    assertThatThrownBy(() -> new GainAllocation.Settings(1, 1, 0.5)).hasMessageContaining("max-factor");
    assertThatThrownBy(() -> GainAllocation.grant(List.of(HARD), new GainAllocation.Request(2, 0, 0, 1, 1, new long[2]),
        NO_DECISIVE)).hasMessageContaining("bin must be between 1 and 1");
  }
}
