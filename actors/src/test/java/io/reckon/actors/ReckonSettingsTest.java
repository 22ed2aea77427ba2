package io.reckon.actors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReckonSettingsTest {
  @Test
  void readsTheShippedConfiguration() {
    ReckonSettings s = ReckonSettings.from(ConfigFactory.load());
    assertThat(s.question().probeSamples()).isEqualTo(4);
    assertThat(s.question().probeStrategy().name()).startsWith("best-of-n:sel=weighted");
    assertThat(s.workers().batchSize()).isPositive();
    assertThat(s.workers().linger()).isEqualTo(Duration.ofMillis(2));
    assertThat(s.allocation().middleWeight()).isGreaterThan(s.allocation().edgeWeight());
    assertThat(s.run().concurrency()).isPositive();
    assertThat(s.gain().decisiveConfidence()).isEqualTo(0.95);
    assertThat(s.gain().maxFactor()).isGreaterThanOrEqualTo(1);
  }

  @Test
  void overridesWin() {
    ReckonSettings s = ReckonSettings.from(Harness.config(
        "reckon.workers.batch-size = 7\nreckon.question.probe-samples = 0"));
    assertThat(s.workers().batchSize()).isEqualTo(7);
    assertThat(s.question().probeSamples()).isZero();
  }

  @Test
  void badValuesNameTheirKey() {
    assertThatThrownBy(() -> ReckonSettings.from(Harness.config("reckon.workers.batch-size = 0")))
        .hasMessageContaining("reckon.workers.batch-size");
    assertThatThrownBy(() -> ReckonSettings.from(
            Harness.config("reckon.question.probe-strategy = \"nope\"")))
        .hasMessageContaining("reckon.question.probe-strategy")
        .hasMessageContaining("unknown strategy 'nope'");
    assertThatThrownBy(() -> ReckonSettings.from(
            Harness.config("reckon.scheduler.gain.max-factor = 0.5")))
        .hasMessageContaining("reckon.scheduler.gain max-factor");
  }
}
