package io.reckon.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.reckon.runtime.format.ChatTemplate;
import org.junit.jupiter.api.Test;

/** Every shipped preset can be used: its task exists and its chat template is one Reckon ships. */
class PresetsTest {
  private final Config hocon = ConfigFactory.load();

  @Test
  void everyPolicyPresetNamesAShippedTaskAndTemplate() {
    assertThat(Presets.names(hocon, "reckon.presets.policy"))
        .contains("llama-3-math", "qwen2.5-math", "llama-3-gsm8k", "qwen2.5-gsm8k", "arith")
        .allSatisfy(name -> {
          Presets.Policy p = Presets.policy(hocon, name);
          assertThat(hocon.getObject("reckon.tasks").keySet()).as(name).contains(p.task());
          if (!p.chatTemplate().isEmpty()) {
            assertThat(ChatTemplate.BUILTIN).as(name).contains(p.chatTemplate());
            assertThat(p.stop()).as(name + ": an instruction model's end-of-turn").isNotEmpty();
          }
        });
  }

  @Test
  void theGsm8kPresetsAnswerInTheGsm8kTaskWithTheFamilysTemplate() {
    Presets.Policy llama = Presets.policy(hocon, "llama-3-gsm8k");
    assertThat(llama.task()).isEqualTo("gsm8k");
    assertThat(llama.chatTemplate()).isEqualTo("llama-3");
    assertThat(llama.system()).as("the task's own system prompt").isNull();
    assertThat(llama.stop()).containsExactly("<|eot_id|>");
    Presets.Policy qwen = Presets.policy(hocon, "qwen2.5-gsm8k");
    assertThat(qwen.task()).isEqualTo("gsm8k");
    assertThat(qwen.chatTemplate()).isEqualTo("chatml");
  }

  @Test
  void everyPrmPresetNamesABackendReckonHas() {
    assertThat(Presets.names(hocon, "reckon.presets.prm")).isNotEmpty().allSatisfy(name ->
        assertThat(Presets.prm(hocon, name).backend()).as(name).isIn("pooling", "logprob"));
  }
}
