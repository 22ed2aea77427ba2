package io.reckon.runtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every broken model folder fails at load time with a message that names the file. */
class OnnxLoadTest {
  private static final OnnxSettings CPU = OnnxSettings.DEFAULT.withIntraOpThreads(1);

  @TempDir Path tmp;

  /** A copy of a shipped model folder that a test may break. */
  private Path copy(String model) throws IOException {
    Path src = ShippedModels.dir(model);
    Path dst = tmp.resolve(model);
    Files.createDirectories(dst);
    for (String f : new String[] {"model.onnx", "tokenizer.json", "config.json"}) {
      Files.copy(src.resolve(f), dst.resolve(f), StandardCopyOption.REPLACE_EXISTING);
    }
    return dst;
  }

  @Test
  void theShippedModelsLoad() {
    try (OnnxCausalLm lm = OnnxModels.loadProposer(ShippedModels.dir(ShippedModels.POLICY), CPU);
        OnnxPrm prm = OnnxModels.loadVerifier(ShippedModels.dir(ShippedModels.PRM), CPU)) {
      assertThat(lm.layers()).isEqualTo(lm.config().layers());
      assertThat(lm.parameters()).isPositive();
      assertThat(lm.name()).isEqualTo(ShippedModels.POLICY);
      assertThat(prm.name()).isEqualTo(ShippedModels.PRM);
      assertThat(OnnxModels.readConfig(ShippedModels.dir(ShippedModels.PRM)).kind())
          .isEqualTo(ModelConfig.PRM);
    }
  }

  @Test
  void aMissingFolderOrModelFile() throws IOException {
    assertThatThrownBy(() -> OnnxModels.loadProposer(tmp.resolve("absent"), CPU))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("model directory not found")
        .hasMessageContaining("absent");
    Path dir = copy(ShippedModels.POLICY);
    Files.delete(dir.resolve("model.onnx"));
    assertThatThrownBy(() -> OnnxModels.loadProposer(dir, CPU))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("model file not found: " + dir.resolve("model.onnx"));
  }

  @Test
  void aFileThatIsNotAnOnnxModel() throws IOException {
    Path dir = copy(ShippedModels.POLICY);
    Files.writeString(dir.resolve("model.onnx"), "this is not a protobuf");
    assertThatThrownBy(() -> OnnxModels.loadProposer(dir, CPU))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("cannot load ONNX model " + dir.resolve("model.onnx"))
        .hasMessageContaining("expected a valid ONNX model file");
  }

  @Test
  void aModelWithoutAKvCacheIsNotAProposer() throws IOException {
    Path dir = copy(ShippedModels.POLICY);
    // A full-sequence PRM export (the older layout): no position_ids, no past.
    Files.copy(
        TinyPrms.FULL.resolve("model.onnx"), dir.resolve("model.onnx"), StandardCopyOption.REPLACE_EXISTING);
    assertThatThrownBy(() -> OnnxModels.loadProposer(dir, CPU))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(dir.resolve("model.onnx").toString())
        .hasMessageContaining("missing input 'position_ids'")
        .hasMessageContaining("Optimum layout");
  }

  @Test
  void aPrmWithPastIsNotAProposer() throws IOException {
    Path dir = copy(ShippedModels.POLICY);
    Files.copy(
        ShippedModels.dir(ShippedModels.PRM).resolve("model.onnx"),
        dir.resolve("model.onnx"),
        StandardCopyOption.REPLACE_EXISTING);
    assertThatThrownBy(() -> OnnxModels.loadProposer(dir, CPU))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(dir.resolve("model.onnx").toString())
        .hasMessageContaining("unexpected input 'past_prm_state'");
  }

  @Test
  void aPolicyIsNotAPrm() throws IOException {
    Path dir = copy(ShippedModels.PRM);
    Files.copy(
        ShippedModels.dir(ShippedModels.POLICY).resolve("model.onnx"),
        dir.resolve("model.onnx"),
        StandardCopyOption.REPLACE_EXISTING);
    assertThatThrownBy(() -> OnnxModels.loadVerifier(dir, CPU))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("must also take 'past_prm_state'");
  }

  @Test
  void configAndGraphMustAgree() throws IOException {
    Path dir = copy(ShippedModels.POLICY);
    Path config = dir.resolve("config.json");
    String json = Files.readString(config);
    Files.writeString(config, json.replaceFirst("\"layers\": *\\d+", "\"layers\": 17"));
    assertThatThrownBy(() -> OnnxModels.loadProposer(dir, CPU))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("config.json says layers = 17");
    Files.writeString(config, json.replaceFirst("\"kind\": *\"causal-lm\"", "\"kind\": \"prm\""));
    assertThatThrownBy(() -> OnnxModels.loadProposer(dir, CPU))
        .hasMessageContaining("a proposer needs \"causal-lm\"");
    Files.writeString(config, json.replaceFirst("\"eos_token_id\": *\\d+,", ""));
    assertThatThrownBy(() -> OnnxModels.loadProposer(dir, CPU))
        .hasMessageContaining(config.toString())
        .hasMessageContaining("missing required field 'eos_token_id'");
  }

  @Test
  void aMissingTokenizerOrConfig() throws IOException {
    Path dir = copy(ShippedModels.PRM);
    Files.delete(dir.resolve("tokenizer.json"));
    assertThatThrownBy(() -> OnnxModels.loadVerifier(dir, CPU))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("tokenizer not found: " + dir.resolve("tokenizer.json"));
    Files.delete(dir.resolve("config.json"));
    assertThatThrownBy(() -> OnnxModels.loadVerifier(dir, CPU))
        .hasMessageContaining("model config not found: " + dir.resolve("config.json"));
  }

  @Test
  void cudaIsRefusedClearlyWhereItCannotRun() {
    // The CPU build has no CUDA provider; with -Pcuda on a machine without a GPU the provider
    // fails to start. Either way: an error at load time, never a silent run on the CPU.
    OrtEnvironment.getEnvironment();
    boolean gpuBuild = OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA);
    if (gpuBuild && System.getenv("RECKON_TEST_HAS_GPU") != null) {
      return;
    }
    assertThatThrownBy(
            () -> OnnxModels.loadVerifier(ShippedModels.dir(ShippedModels.PRM), CPU.withDevice("cuda:0")))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("cuda:0")
        .hasMessageContaining(gpuBuild ? "cannot start the CUDA execution provider" : "-Pcuda");
  }
}
