package io.reckon.runtime.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped chat templates and a model folder's own, rendered to the exact expected text. */
class ChatTemplateTest {
  @TempDir Path dir;

  private static final List<ChatMessage> CHAT = List.of(
      ChatMessage.system("Solve it.\n"),
      ChatMessage.user("What is $1+1$?"),
      ChatMessage.assistant("+"),
      ChatMessage.user("And $2+2$?"));

  @Test
  void llama3RendersTheDatedSystemHeaderAndEveryTurn() {
    String text = ChatTemplate.named("llama-3").render(CHAT, true);
    assertThat(text).isEqualTo(
        "<|start_header_id|>system<|end_header_id|>\n\n"
            + "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n"
            + "Solve it.<|eot_id|>"
            + "<|start_header_id|>user<|end_header_id|>\n\nWhat is $1+1$?<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\n+<|eot_id|>"
            + "<|start_header_id|>user<|end_header_id|>\n\nAnd $2+2$?<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\n");
  }

  @Test
  void llama3WithoutGenerationPromptEndsAtTheLastTurn() {
    String text = ChatTemplate.named("llama-3").render(List.of(ChatMessage.user("q")), false);
    assertThat(text).isEqualTo(
        "<|start_header_id|>system<|end_header_id|>\n\n"
            + "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n<|eot_id|>"
            + "<|start_header_id|>user<|end_header_id|>\n\nq<|eot_id|>");
  }

  @Test
  void chatmlRendersEachMessageBetweenImStartAndImEnd() {
    String text = ChatTemplate.named("chatml").render(
        List.of(ChatMessage.system("Please reason step by step, and put your final answer within \\boxed{}."),
            ChatMessage.user("What is $\\frac{1}{2}+0$?")), true);
    assertThat(text).isEqualTo(
        "<|im_start|>system\nPlease reason step by step, and put your final answer within \\boxed{}.<|im_end|>\n"
            + "<|im_start|>user\nWhat is $\\frac{1}{2}+0$?<|im_end|>\n"
            + "<|im_start|>assistant\n");
  }

  /** Qwen2.5's own template (Apache-2.0, tools left out): indexing, loop.first, a default system. */
  private static final String QWEN = """
      {%- if messages[0]['role'] == 'system' %}
          {{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}
      {%- else %}
          {{- '<|im_start|>system\\nPlease reason step by step, and put your final answer within \\\\boxed{}.<|im_end|>\\n' }}
      {%- endif %}
      {%- for message in messages %}
          {%- if (message.role == "user") or (message.role == "system" and not loop.first) or (message.role == "assistant") %}
              {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}
          {%- endif %}
      {%- endfor %}
      {%- if add_generation_prompt %}
          {{- '<|im_start|>assistant\\n' }}
      {%- endif %}
      """;

  @Test
  void aModelFoldersTemplateAndGenerationConfigAreRead() throws Exception {
    ObjectMapper json = new ObjectMapper();
    Files.writeString(dir.resolve("tokenizer_config.json"), json.writeValueAsString(Map.of(
        "chat_template", QWEN, "eos_token", "<|im_end|>", "bos_token", Map.of("content", "<s>"))));
    Files.writeString(dir.resolve("generation_config.json"),
        "{\"eos_token_id\": [151645, 151643], \"stop_strings\": \"<|im_end|>\"}");
    HfFiles files = HfFiles.read(dir);
    assertThat(files.eosTokenIds()).containsExactly(151645L, 151643L);
    assertThat(files.stopStrings()).containsExactly("<|im_end|>");
    assertThat(files.template().render(List.of(ChatMessage.user("1+1?")), true)).isEqualTo(
        "<|im_start|>system\nPlease reason step by step, and put your final answer within \\boxed{}.<|im_end|>\n"
            + "<|im_start|>user\n1+1?<|im_end|>\n<|im_start|>assistant\n");
    assertThat(ChatTemplate.resolve(dir.toString()).render(
        List.of(ChatMessage.system("S"), ChatMessage.user("U")), false))
        .isEqualTo("<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n");
  }

  @Test
  void chatTemplateJinjaWinsOverTokenizerConfig() throws Exception {
    Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": \"tokenizer\"}");
    Files.writeString(dir.resolve("chat_template.jinja"), "{{ messages[0].content }}!");
    assertThat(HfFiles.read(dir).template().render(List.of(ChatMessage.user("hi")), true)).isEqualTo("hi!");
  }

  @Test
  void aFolderWithoutTemplatesHasNoneAsTheShippedModels() {
    assertThat(HfFiles.read(dir)).isEqualTo(HfFiles.NONE);
    Path shipped = Path.of(System.getProperty("reckon.root", "..")).resolve("models/arith-policy");
    assertThat(HfFiles.read(shipped).hasTemplate()).isFalse();
    assertThatThrownBy(() -> ChatTemplate.resolve(dir.toString()))
        .hasMessageContaining("no chat_template.jinja");
  }

  @Test
  void failuresNameTheTemplate() throws Exception {
    Files.writeString(dir.resolve("chat_template.jinja"), "{{ raise_exception('no system role') }}");
    assertThatThrownBy(() -> HfFiles.read(dir).template().render(List.of(), true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("chat_template").hasMessageContaining("no system role");
    assertThatThrownBy(() -> ChatTemplate.named("mistral")).hasMessageContaining("llama-3, chatml");
  }
}
