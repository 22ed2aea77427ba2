package io.reckon.runtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reckon.runtime.PromptFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelConfigTest {
  static final String POLICY_CONFIG =
      """
      {"name": "tiny", "kind": "causal-lm", "parameters": 1000, "training_tokens": 5000,
       "layers": 2, "heads": 2, "hidden": 32, "head_dim": 16, "vocab_size": 24,
       "max_positions": 64, "pad_token_id": 0, "eos_token_id": 1,
       "format": {"prompt_template": "Q: {question}\\n", "revision_attempt_template": "P: {attempt}\\n",
                  "revision_attempt_joiner": "; ", "max_revision_attempts": 4,
                  "step_delimiter": "\\n", "answer_marker": "A: "}}
      """;

  @TempDir Path dir;

  private Path write(String json) throws IOException {
    Path f = dir.resolve("config.json");
    Files.writeString(f, json);
    return f;
  }

  @Test
  void readsEveryFieldAndTheFormat() throws IOException {
    ModelConfig c = ModelConfig.read(write(POLICY_CONFIG));
    assertThat(c.name()).isEqualTo("tiny");
    assertThat(c.kind()).isEqualTo(ModelConfig.CAUSAL_LM);
    assertThat(c.parameters()).isEqualTo(1000);
    assertThat(c.trainingTokens()).isEqualTo(5000);
    assertThat(c.layers()).isEqualTo(2);
    assertThat(c.heads()).isEqualTo(2);
    assertThat(c.headDim()).isEqualTo(16);
    assertThat(c.vocabSize()).isEqualTo(24);
    assertThat(c.maxPositions()).isEqualTo(64);
    assertThat(c.eosTokenId()).isEqualTo(1);
    assertThat(c.format()).isEqualTo(PromptFormat.ARITH);
    assertThat(c.canRevise()).isTrue();
  }

  @Test
  void aFormatWithoutARevisionTemplateCannotRevise() throws IOException {
    ModelConfig c =
        ModelConfig.read(
            write(
                POLICY_CONFIG.replace(
                    "\"revision_attempt_template\": \"P: {attempt}\\n\",", "")));
    assertThat(c.canRevise()).isFalse();
  }

  @Test
  void missingOrWrongFieldsNameTheFileAndTheField() throws IOException {
    Path f = write(POLICY_CONFIG.replace("\"parameters\": 1000,", ""));
    assertThatThrownBy(() -> ModelConfig.read(f))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(f.toString())
        .hasMessageContaining("missing required field 'parameters'");
    write(POLICY_CONFIG.replace("\"step_delimiter\": \"\\n\",", ""));
    assertThatThrownBy(() -> ModelConfig.read(f))
        .hasMessageContaining("'format.step_delimiter'");
    write(POLICY_CONFIG.replace("\"layers\": 2", "\"layers\": \"two\""));
    assertThatThrownBy(() -> ModelConfig.read(f))
        .hasMessageContaining("field 'layers' must be an integer > 0");
    write(POLICY_CONFIG.replace("causal-lm", "seq2seq"));
    assertThatThrownBy(() -> ModelConfig.read(f)).hasMessageContaining("'kind' must be");
    write(POLICY_CONFIG.replace("Q: {question}", "Q: "));
    assertThatThrownBy(() -> ModelConfig.read(f)).hasMessageContaining("{question}");
  }

  @Test
  void aMissingOrMalformedFileSaysWhatWasExpected() throws IOException {
    assertThatThrownBy(() -> ModelConfig.read(dir.resolve("nope.json")))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("model config not found")
        .hasMessageContaining("nope.json");
    Path f = write("{\"name\": ");
    assertThatThrownBy(() -> ModelConfig.read(f)).hasMessageContaining("is not valid JSON");
    write("[1, 2]");
    assertThatThrownBy(() -> ModelConfig.read(f)).hasMessageContaining("must hold a JSON object");
  }
}
