package io.reckon.search.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DifficultyBinsTest {

  @Test
  void quantileBinsSplitPassRatesIntoEqualGroupsEasiestFirst() {
    double[] passRates = IntStream.range(0, 100).mapToDouble(i -> i / 100.0).toArray();
    DifficultyBins bins = DifficultyBins.learn(passRates, 5);

    assertThat(bins.count()).isEqualTo(5);
    int[] sizes = new int[6];
    for (double p : passRates) {
      sizes[bins.bin(p)]++;
    }
    assertThat(sizes).containsExactly(0, 20, 20, 20, 20, 20);
    assertThat(bins.bin(0.99)).isEqualTo(1); // highest pass rate = easiest
    assertThat(bins.bin(0.0)).isEqualTo(5);
  }

  @Test
  void scoresOutsideTheValidationRangeFallInTheOuterBins() {
    DifficultyBins bins = new DifficultyBins(List.of(0.2, 0.4, 0.6, 0.8));
    assertThat(bins.bin(1.5)).isEqualTo(1);
    assertThat(bins.bin(-3)).isEqualTo(5);
    assertThat(bins.bin(0.5)).isEqualTo(3);
    assertThat(bins.bin(0.4)).isEqualTo(4); // a score equal to a cut point belongs to the harder bin
  }

  @Test
  void badThresholdsAndInputsFailWithTheReason() {
    assertThatThrownBy(() -> new DifficultyBins(List.of(0.5, 0.2)))
        .hasMessageContaining("ascending");
    assertThatThrownBy(() -> DifficultyBins.learn(new double[] {0.1, 0.2}, 5))
        .hasMessageContaining("at least 5");
    assertThatThrownBy(() -> new DifficultyBins(List.of(0.2)).bin(Double.NaN))
        .hasMessageContaining("NaN");
  }
}
