package io.reckon.app;

import static io.reckon.app.Cli.reckon;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped ONNX models through the whole pipeline: what `reckon run` does by default. */
class OnnxDefaultRunTest {

  private static Cli.Result runShipped(Path data, Path out, String strategy, String budget) {
    return reckon("run", "--backend", "onnx",
        "--model", Cli.root().resolve("models/arith-policy").toString(),
        "--prm", Cli.root().resolve("models/arith-prm").toString(),
        "--data", data.toString(), "--strategy", strategy, "--budget", budget,
        "--out", out.toString());
  }

  @Test
  void shippedModelsAnswerEveryQuestionThroughTheActors(@TempDir Path dir) throws Exception {
    Path data = Cli.smallData(dir, "test.jsonl", 1);
    Path out = dir.resolve("out.jsonl");
    Cli.Result r = runShipped(data, out, "beam:m=2", "8");

    assertThat(r.status()).as(r.err()).isZero();
    List<String> lines = Files.readAllLines(out);
    assertThat(lines).hasSize(6);
    ObjectMapper json = new ObjectMapper();
    for (String line : lines) {
      JsonNode q = json.readTree(line);
      assertThat(q.get("status").asText()).isEqualTo("ok");
      assertThat(q.get("spent").asInt()).isBetween(1, q.get("granted").asInt());
      // Real models report real compute: tokens on both sides, FLOPs = 2 * params * tokens.
      assertThat(q.at("/compute/generatedTokens").asLong()).isPositive();
      assertThat(q.at("/compute/verifierTokens").asLong()).isPositive();
      assertThat(q.at("/compute/proposerFlops").asDouble()).isPositive();
      assertThat(q.get("candidates").size()).isPositive();
    }
    // Beam rounds extend their prefixes: the proposer's numbers say the prefix cache was used.
    assertThat(r.err()).containsPattern("proposer: [0-9,]+ decode steps")
        .containsPattern("prefix cache [0-9.]+ % hits")
        .doesNotContain("prefix cache 0.0 % hits");
  }

  /** A prompt the model cannot read is a failed question with the reason, counted, exit 3. */
  @Test
  void aPromptLongerThanTheContextFailsThatQuestion(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("q.jsonl");
    Files.writeString(data, "{\"id\": \"short\", \"question\": \"1+2\", \"answer\": \"3\"}\n"
        + "{\"id\": \"long\", \"question\": \"" + "1+".repeat(400) + "1\", \"answer\": \"401\"}\n");
    Path out = dir.resolve("out.jsonl");
    Cli.Result r = runShipped(data, out, "best-of-n", "4");

    assertThat(r.status()).as(r.err()).isEqualTo(Main.QUESTIONS_FAILED);
    assertThat(r.out()).contains("refused     1 question");
    ObjectMapper json = new ObjectMapper();
    JsonNode refused = null;
    for (String line : Files.readAllLines(out)) {
      JsonNode q = json.readTree(line);
      if (q.get("id").asText().equals("long")) {
        refused = q;
      } else {
        assertThat(q.get("status").asText()).isEqualTo("ok");
      }
    }
    assertThat(refused).isNotNull();
    assertThat(refused.get("status").asText()).isEqualTo("failed");
    assertThat(refused.get("error").asText()).contains("max_positions").contains("640");
  }

  @Test
  void aMissingModelFolderIsBadInputNamingIt(@TempDir Path dir) throws Exception {
    Cli.Result r = reckon("run", "--backend", "onnx", "--model", dir.resolve("nowhere").toString(),
        "--data", Cli.smallData(dir, "test.jsonl", 1).toString(), "--out", dir.resolve("o.jsonl").toString());
    Cli.assertBadInput(r, "nowhere");
    assertThat(dir.resolve("o.jsonl")).doesNotExist();
  }
}
