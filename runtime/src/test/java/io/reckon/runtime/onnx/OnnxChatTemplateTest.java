package io.reckon.runtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reckon.protocol.GenerateReply;
import io.reckon.protocol.GenerateRequest;
import io.reckon.runtime.format.HfFiles;
import io.reckon.runtime.format.TaskFormat;
import io.reckon.search.task.Tasks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A local model whose folder carries a chat template answers through it: the shipped policy
 * copied next to a {@code chat_template.jinja} that renders exactly its own prompt writes the same
 * greedy solution as the shipped folder, and a template that raises fails the request with the
 * template's message (so it really is the template that renders the prompt).
 */
class OnnxChatTemplateTest {
  @TempDir Path dir;

  private Path copyWith(String template) throws Exception {
    Path src = ShippedModels.dir(ShippedModels.POLICY);
    Path copy = Files.createDirectory(dir.resolve("policy-" + template.hashCode()));
    for (String f : List.of("model.onnx", "tokenizer.json", "config.json")) {
      Files.copy(src.resolve(f), copy.resolve(f));
    }
    Files.writeString(copy.resolve("chat_template.jinja"), template);
    return copy;
  }

  private static GenerateRequest greedy(String question) {
    return new GenerateRequest(1, "q", question, List.of(), List.of(), 1, 0, 0, 0, 1);
  }

  @Test
  void theFoldersTemplateRendersThePrompt() throws Exception {
    OnnxSettings settings = OnnxSettings.DEFAULT.withIntraOpThreads(1).withMaxNewTokens(64);
    Path same = copyWith("{% for m in messages %}{{ m.content }}{% endfor %}");
    TaskFormat rendering = new TaskFormat(Tasks.ARITH, HfFiles.read(same).template(), List.of());
    assertThat(rendering.completionPrompt("2*3+4", List.of(), List.of("2*3=6")))
        .isEqualTo("Q: 2*3+4\n2*3=6\n");
    GenerateReply shipped;
    try (OnnxCausalLm lm = OnnxModels.loadProposer(ShippedModels.dir(ShippedModels.POLICY), settings)) {
      shipped = lm.generate(List.of(greedy("37*4+129-56"))).get(0);
    }
    try (OnnxCausalLm lm = OnnxModels.loadProposer(same, settings, rendering)) {
      GenerateReply templated = lm.generate(List.of(greedy("37*4+129-56"))).get(0);
      assertThat(templated.continuations()).isEqualTo(shipped.continuations());
      assertThat(templated.continuations().get(0).finished()).isTrue();
    }
    Path raising = copyWith("{{ raise_exception('this model takes no system prompt') }}");
    TaskFormat refused = new TaskFormat(Tasks.ARITH, HfFiles.read(raising).template(), List.of());
    try (OnnxCausalLm lm = OnnxModels.loadProposer(raising, settings, refused)) {
      assertThatThrownBy(() -> lm.generate(List.of(greedy("1+1"))))
          .hasStackTraceContaining("this model takes no system prompt");
    }
  }
}
