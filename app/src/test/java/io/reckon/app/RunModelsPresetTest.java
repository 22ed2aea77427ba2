package io.reckon.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.reckon.actors.RunEnvironment;
import io.reckon.actors.store.Digests;
import io.reckon.protocol.RunSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A preset is part of its model's identity in a run's spec (docs/tasks.md, durable runs). */
class RunModelsPresetTest {
  private final Config hocon = ConfigFactory.load();
  private final List<RunSpec.ModelRef> plain = List.of(
      new RunSpec.ModelRef("proposer", "llama", "http://127.0.0.1:8000",
          Digests.text("openai http://127.0.0.1:8000 llama")),
      new RunSpec.ModelRef("verifier", "prm", "http://127.0.0.1:8001",
          Digests.text("logprob http://127.0.0.1:8001 prm")));

  private List<RunSpec.ModelRef> with(String preset, String prmPreset) {
    return RunModels.withPresets(plain, preset == null ? null : Presets.policy(hocon, preset),
        prmPreset == null ? null : Presets.prm(hocon, prmPreset));
  }

  @Test
  void withoutPresetsTheRefsAreUnchanged() {
    assertThat(with(null, null)).isEqualTo(plain);
  }

  @Test
  void aPresetChangesOnlyItsOwnModelsDigestAndTheSamePresetGivesTheSameDigest() {
    List<RunSpec.ModelRef> llama = with("llama-3-math", null);
    assertThat(llama.get(0).sha256()).isNotEqualTo(plain.get(0).sha256());
    assertThat(llama.get(0).path()).as("the server to reload it from").isEqualTo(plain.get(0).path());
    assertThat(llama.get(1)).isEqualTo(plain.get(1));
    assertThat(with("llama-3-math", null)).isEqualTo(llama);
    assertThat(with("llama-3-gsm8k", null).get(0).sha256()).isNotEqualTo(llama.get(0).sha256());
    List<RunSpec.ModelRef> prm = with(null, "rlhflow-llama3.1-8b-prm");
    assertThat(prm.get(0)).isEqualTo(plain.get(0));
    assertThat(prm.get(1).sha256()).isNotEqualTo(plain.get(1).sha256())
        .isNotEqualTo(with(null, "math-shepherd").get(1).sha256());
  }

  @Test
  void aResumeWithAnotherPresetOrNoneIsRefused() {
    List<RunSpec.ModelRef> started = with("llama-3-math", "rlhflow-llama3.1-8b-prm");
    RunEnvironment.Local.checkModels(started, with("llama-3-math", "rlhflow-llama3.1-8b-prm"));
    for (List<RunSpec.ModelRef> now : List.of(with(null, "rlhflow-llama3.1-8b-prm"),
        with("qwen2.5-math", "rlhflow-llama3.1-8b-prm"), with("llama-3-math", null))) {
      assertThatThrownBy(() -> RunEnvironment.Local.checkModels(started, now))
          .hasMessageContaining("model changed since the run started")
          .hasMessageContaining("--preset");
    }
  }
}
