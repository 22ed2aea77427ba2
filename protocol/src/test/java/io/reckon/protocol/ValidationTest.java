package io.reckon.protocol;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ValidationTest {

  private static GenerateRequest generate(int samples, int maxSteps, double temperature, int charge) {
    return new GenerateRequest(1, "q", "1+1", List.of(), List.of(), samples, maxSteps, temperature, 0, charge);
  }

  @Test
  void generateRequestsRejectImpossibleShapes() {
    assertThatThrownBy(() -> generate(0, 1, 0.8, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("samples must be >= 1, was 0");
    assertThatThrownBy(() -> generate(1, -1, 0.8, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxSteps must be >= 0 (0 = to the end), was -1");
    assertThatThrownBy(() -> generate(1, 1, -0.1, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("temperature must be >= 0");
    assertThatThrownBy(() -> generate(1, 1, Double.NaN, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("temperature must be >= 0");
    assertThatThrownBy(() -> generate(1, 1, 0.8, -1))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("charge must be >= 0, was -1");
  }

  @Test
  void questionsNeedAnIdAndAText() {
    assertThatThrownBy(() -> new Question(null, "1+1", null, null))
        .isInstanceOf(NullPointerException.class).hasMessage("id");
    assertThatThrownBy(() -> new Question("q", null, null, null))
        .isInstanceOf(NullPointerException.class).hasMessage("text");
  }
}
