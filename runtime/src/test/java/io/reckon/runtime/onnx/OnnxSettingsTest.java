package io.reckon.runtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class OnnxSettingsTest {

  @Test
  void readsPlainValuesAsConfigurationHandsThemOver() {
    OnnxSettings s =
        OnnxSettings.fromMap(
            Map.of(
                "intra-op-threads", 2,
                "device", "CUDA:1",
                "max-new-tokens", "128",
                "top-p", 0.95,
                "max_batch_rows", 16L));
    assertThat(s).isEqualTo(new OnnxSettings(2, "cuda:1", 128, 0.95, 16, 128L << 20));
    assertThat(s.isCuda()).isTrue();
    assertThat(s.cudaDeviceId()).isEqualTo(1);
  }

  @Test
  void missingKeysTakeTheDefaults() {
    assertThat(OnnxSettings.fromMap(Map.of())).isEqualTo(OnnxSettings.DEFAULT);
    assertThat(OnnxSettings.fromMap(Map.of("maxNewTokens", 7)).maxNewTokens()).isEqualTo(7);
    assertThat(OnnxSettings.DEFAULT.isCuda()).isFalse();
    assertThat(OnnxSettings.DEFAULT.cudaDeviceId()).isEqualTo(-1);
    assertThat(OnnxSettings.DEFAULT.withDevice("cuda").cudaDeviceId()).isZero();
  }

  @Test
  void rejectsTyposAndBadValuesWithTheKeyInTheMessage() {
    assertThatThrownBy(() -> OnnxSettings.fromMap(Map.of("threads", 2)))
        .hasMessageContaining("unknown ONNX setting 'threads'");
    assertThatThrownBy(() -> OnnxSettings.fromMap(Map.of("max-new-tokens", "many")))
        .hasMessageContaining("'max-new-tokens' must be an integer");
    assertThatThrownBy(() -> OnnxSettings.fromMap(Map.of("device", "gpu")))
        .hasMessageContaining("cpu or cuda:N");
    assertThatThrownBy(() -> OnnxSettings.DEFAULT.withTopP(0))
        .hasMessageContaining("top-p must be in (0, 1]");
    assertThatThrownBy(() -> OnnxSettings.DEFAULT.withMaxBatchRows(0))
        .hasMessageContaining("max-batch-rows");
    assertThatThrownBy(() -> OnnxSettings.DEFAULT.withIntraOpThreads(-1))
        .hasMessageContaining("intra-op-threads");
  }
}
