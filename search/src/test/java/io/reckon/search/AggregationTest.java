package io.reckon.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class AggregationTest {
  private static final List<Double> SCORES = List.of(0.9, 0.2, 0.8, 0.5);

  @Test
  void lastMinProd() {
    assertThat(Aggregation.LAST.apply(SCORES)).isEqualTo(0.5);
    assertThat(Aggregation.MIN.apply(SCORES)).isEqualTo(0.2);
    assertThat(Aggregation.PROD.apply(SCORES)).isCloseTo(0.9 * 0.2 * 0.8 * 0.5, within(1e-15));
    assertThat(Aggregation.LAST.apply(List.of(0.3))).isEqualTo(0.3);
    assertThat(Aggregation.PROD.apply(List.of(0.3))).isEqualTo(0.3);
  }

  @Test
  void noScoredStepIsNaN() {
    for (Aggregation a : Aggregation.values()) {
      assertThat(a.apply(List.of())).isNaN();
    }
  }

  @Test
  void labelsParseBack() {
    for (Aggregation a : Aggregation.values()) {
      assertThat(Aggregation.parse(a.label())).isEqualTo(a);
      assertThat(Aggregation.parse(" " + a.label().toUpperCase(java.util.Locale.ROOT))).isEqualTo(a);
    }
    assertThat(Aggregation.allowed()).isEqualTo("last, min, prod");
  }
}
