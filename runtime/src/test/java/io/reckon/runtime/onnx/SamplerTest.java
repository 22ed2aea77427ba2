package io.reckon.runtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SamplerTest {
  private static final float[] LOGITS = {9f, 1f, 2f, 3f, 2.5f, 0f};

  @Test
  void greedyTakesTheFirstLargestLogitAtAnOffset() {
    float[] two = {0f, 5f, 5f, 1f, 7f, 7f};
    assertThat(Sampler.argmax(two, 0, 3)).isEqualTo(1);
    assertThat(Sampler.argmax(two, 3, 3)).isEqualTo(1);
    assertThat(Sampler.sample(LOGITS, 1, 5, 0, 1, null)).isEqualTo(2);
  }

  @Test
  void logProbIsUnderTheModelsOwnDistribution() {
    float[] uniform = {1f, 1f, 1f, 1f};
    assertThat(Sampler.logProb(uniform, 0, 4, 2)).isCloseTo(Math.log(0.25), within(1e-9));
    double total = 0;
    for (int i = 0; i < LOGITS.length; i++) {
      total += Math.exp(Sampler.logProb(LOGITS, 0, LOGITS.length, i));
    }
    assertThat(total).isCloseTo(1.0, within(1e-9));
  }

  @Test
  void theSameSeedAndRowGiveTheSameStreamAndOthersDiffer() {
    assertThat(Sampler.rowRandom(7, 3).nextLong()).isEqualTo(Sampler.rowRandom(7, 3).nextLong());
    assertThat(Sampler.rowRandom(7, 3).nextLong()).isNotEqualTo(Sampler.rowRandom(7, 4).nextLong());
    assertThat(Sampler.rowRandom(7, 3).nextLong()).isNotEqualTo(Sampler.rowRandom(8, 3).nextLong());
  }

  @Test
  void topPKeepsOnlyTheNucleus() {
    // With T = 1 token 0 holds ~99 % of the mass: a nucleus of 0.9 is that token alone.
    SplittableRandom rng = new SplittableRandom(1);
    for (int i = 0; i < 500; i++) {
      assertThat(Sampler.sample(LOGITS, 0, LOGITS.length, 1.0, 0.9, rng)).isZero();
    }
  }

  @Test
  void samplingFollowsTheTemperatureScaledDistribution() {
    float[] logits = {0f, (float) Math.log(3)};
    SplittableRandom rng = new SplittableRandom(5);
    int ones = 0;
    int n = 20_000;
    for (int i = 0; i < n; i++) {
      ones += Sampler.sample(logits, 0, 2, 1.0, 1.0, rng);
    }
    assertThat(ones / (double) n).isCloseTo(0.75, within(0.02));
    int hot = 0;
    for (int i = 0; i < n; i++) {
      hot += Sampler.sample(logits, 0, 2, 1e6, 1.0, rng);
    }
    assertThat(hot / (double) n).isCloseTo(0.5, within(0.02));
  }
}
