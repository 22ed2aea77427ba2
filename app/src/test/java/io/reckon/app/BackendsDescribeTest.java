package io.reckon.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A coordinator-only node describes the ONNX models (config.json) instead of loading them. */
class BackendsDescribeTest {
  private static final Config HOCON = ConfigFactory.load();
  private static final Backends.Choice ONNX = new Backends.Choice("onnx",
      Cli.root().resolve("models/arith-policy").toString(), null, "onnx",
      Cli.root().resolve("models/arith-prm").toString(), null);

  @Test
  void describedModelsCarryTheLoadedOnesNamesAndRefsAndRefuseToCompute() {
    BackendOptions options = new BackendOptions();
    options.backend = "onnx";
    options.model = ONNX.model();
    options.prmBackend = "onnx";
    options.prm = ONNX.prm();
    try (Backends loaded = Backends.load(HOCON, ONNX, name -> null);
        Backends described = Backends.describe(HOCON, ONNX, name -> null)) {
      assertThat(described.proposer()).isInstanceOf(Backends.Described.class);
      assertThat(described.verifier()).isInstanceOf(Backends.Described.class);
      assertThat(described.names()).isEqualTo(loaded.names());
      assertThat(described.proposer().parameters()).isEqualTo(loaded.proposer().parameters());
      // The run specs a coordinator writes name the same models as a worker's registration.
      assertThat(RunModels.of(described, HOCON, options))
          .isEqualTo(RunModels.of(loaded, HOCON, options));
      assertThatThrownBy(() -> described.proposer().generate(List.of()))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("not loaded");
    }
  }

  @Test
  void aMissingFolderIsBadInputAndOtherBackendsLoadAsUsual() {
    assertThatThrownBy(() -> Backends.describe(HOCON,
        new Backends.Choice("onnx", "no/such/model", null, "onnx", null, null), name -> null))
        .isInstanceOf(Main.BadInput.class).hasMessageContaining("model directory not found");
    try (Backends synthetic = Backends.describe(HOCON, new Backends.Choice(
        "synthetic", null, null, null, null, null), name -> null)) {
      assertThat(synthetic.proposer()).isNotInstanceOf(Backends.Described.class);
    }
  }
}
