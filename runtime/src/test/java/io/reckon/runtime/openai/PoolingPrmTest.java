package io.reckon.runtime.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reckon.protocol.ScoreReply;
import io.reckon.protocol.ScoreRequest;
import io.reckon.runtime.openai.StubServer.Answer;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The pooling PRM against a stub that answers as vLLM's {@code /pooling} does for a STEP-pooling
 * reward model (Qwen2.5-Math-PRM): per input, one {@code [P(bad), P(good)]} row per separator.
 */
class PoolingPrmTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private StubServer stub;
  private PoolingPrm prm;

  @BeforeEach
  void start() throws IOException {
    stub = new StubServer("/pooling");
    prm = new PoolingPrm(settings());
  }

  private PoolingSettings settings() {
    return PoolingSettings.of(stub.baseUrl() + "/v1", "Qwen/Qwen2.5-Math-PRM-7B", 7_000_000_000L)
        .withServer(
            ServerSettings.of(stub.baseUrl())
                .withRetries(2, Duration.ofMillis(10), Duration.ofMillis(40))
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5)));
  }

  @AfterEach
  void stop() {
    prm.close();
    stub.close();
  }

  /**
   * vLLM's PoolingResponse: {"id","object":"list","created","model","data":[{"index","object":
   * "pooling","data":[[p_bad,p_good],...]}],"usage":{...}}, scoring each input's separators with
   * P(good) = 0.9, 0.8, ... in order.
   */
  static Answer steps(JsonNode request, int extraRows) {
    ObjectNode root = JSON.createObjectNode();
    root.put("id", "pool-1").put("object", "list").put("created", 1).put("model", "prm");
    ArrayNode data = root.putArray("data");
    int tokens = 0;
    JsonNode input = request.get("input");
    for (int i = 0; i < input.size(); i++) {
      String text = input.get(i).asText();
      int separators = text.split("<extra_0>", -1).length - 1 + extraRows;
      ObjectNode entry = data.addObject();
      entry.put("index", i).put("object", "pooling");
      ArrayNode rows = entry.putArray("data");
      for (int s = 0; s < separators; s++) {
        double good = 0.9 - 0.1 * s;
        rows.addArray().add(1 - good).add(good);
      }
      tokens += text.length();
    }
    root.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens).put("completion_tokens", 0);
    return Answer.ok(root.toString());
  }

  private static ScoreRequest request(long id, List<List<String>> solutions) {
    return new ScoreRequest(id, "q" + id, "12*3+5", solutions);
  }

  @Test
  void scoresEveryStepAtItsSeparatorFromTheDocumentedShape() {
    stub.script = (body, n) -> steps(body, 0);
    ScoreReply reply =
        prm.score(List.of(request(4, List.of(List.of("12*3=36", "36+5=41", "A: 41"), List.of(), List.of("A: 42")))))
            .get(0);
    JsonNode sent = stub.received.get(0);
    assertThat(stub.calls.get()).isEqualTo(1);
    assertThat(sent.get("model").asText()).isEqualTo("Qwen/Qwen2.5-Math-PRM-7B");
    assertThat(sent.has("task")).isFalse();
    assertThat(sent.get("input")).hasSize(2);
    String first = sent.get("input").get(0).asText();
    assertThat(first)
        .contains("<|im_start|>user\n12*3+5<|im_end|>")
        .contains("<|im_start|>assistant\n12*3=36<extra_0>36+5=41<extra_0>A: 41<extra_0><|im_end|>");
    assertThat(reply.requestId()).isEqualTo(4);
    assertThat(reply.scores()).hasSize(3);
    assertThat(reply.scores().get(0)).containsExactly(0.9, 0.8, 0.7);
    assertThat(reply.scores().get(1)).isEmpty();
    assertThat(reply.scores().get(2)).containsExactly(0.9);
    long tokens = first.length() + sent.get("input").get(1).asText().length();
    assertThat(reply.tokens()).isEqualTo(tokens);
    assertThat(reply.flops()).isEqualTo(2.0 * 7_000_000_000L * tokens);
  }

  @Test
  void aWrongNumberOfScoresFailsNamingTheSeparator() {
    stub.script = (body, n) -> steps(body, 1);
    assertThatThrownBy(() -> prm.score(List.of(request(1, List.of(List.of("a", "b"))))))
        .isInstanceOf(OpenAiException.class)
        .hasMessageContaining("has 2 steps but the server returned 3 scores")
        .hasMessageContaining("<extra_0>");
    stub.script = (body, n) -> Answer.ok("{\"object\":\"list\",\"data\":[],\"usage\":{}}");
    assertThatThrownBy(() -> prm.score(List.of(request(2, List.of(List.of("a"))))))
        .hasMessageContaining("sent 1 inputs but got 0 results");
  }

  @Test
  void errorsRetriesAndTimeoutsFollowTheSharedClient() {
    stub.script =
        (body, n) -> n == 1 ? new Answer(429, "{\"error\":\"busy\"}", 0, "0") : steps(body, 0);
    assertThat(prm.score(List.of(request(1, List.of(List.of("a"))))).get(0).scores().get(0)).containsExactly(0.9);
    assertThat(stub.calls.get()).isEqualTo(2);

    stub.script = (body, n) -> new Answer(400, "{\"error\":\"model does not support pooling\"}", 0, null);
    assertThatThrownBy(() -> prm.score(List.of(request(2, List.of(List.of("a"))))))
        .hasMessageContaining("refused (not retried): HTTP 400")
        .hasMessageContaining("/pooling");

    prm.close();
    prm = new PoolingPrm(settings().withServer(settings().server().withTimeouts(Duration.ofSeconds(1), Duration.ofMillis(100))));
    stub.script = (body, n) -> new Answer(200, "{}", 1000, null);
    assertThatThrownBy(() -> prm.score(List.of(request(3, List.of(List.of("a"))))))
        .hasMessageContaining("failed after 3 tries")
        .hasMessageContaining("timed out");
  }

  @Test
  void theScoreMappingIsConfigurable() {
    stub.script =
        (body, n) ->
            Answer.ok("{\"object\":\"list\",\"data\":[{\"index\":0,\"object\":\"pooling\",\"data\":[[0.0, 2.0],[0.75, 0.25]]}],"
                + "\"usage\":{\"prompt_tokens\":9}}");
    List<List<String>> two = List.of(List.of("a", "b"));
    prm.close();
    prm = new PoolingPrm(settings().withMapping(PoolingSettings.Mapping.SIGMOID, 0).withTask("token_classify"));
    assertThat(prm.score(List.of(request(1, two))).get(0).scores().get(0).get(1))
        .isCloseTo(1 / (1 + Math.exp(-0.75)), within(1e-12));
    assertThat(stub.received.get(0).get("task").asText()).isEqualTo("token_classify");
    prm.close();
    prm = new PoolingPrm(settings().withMapping(PoolingSettings.Mapping.DIFFERENCE, 1));
    assertThatThrownBy(() -> prm.score(List.of(request(2, two))))
        .as("(2 - 0 + 1) / 2 is no probability")
        .hasMessageContaining("not a probability");
    prm.close();
    prm = new PoolingPrm(settings().withMapping(PoolingSettings.Mapping.PROBABILITY, 1));
    assertThatThrownBy(() -> prm.score(List.of(request(3, two))))
        .hasMessageContaining("scored 2.0, not a probability")
        .hasMessageContaining("score-mapping = sigmoid");
    prm.close();
    prm = new PoolingPrm(settings().withMapping(PoolingSettings.Mapping.PROBABILITY, 5));
    assertThatThrownBy(() -> prm.score(List.of(request(4, two))))
        .hasMessageContaining("without a number at score-index 5");
  }

  @Test
  void settingsAreReadFromConfigurationWithTheKeyFromTheEnvironment() {
    PoolingSettings s =
        PoolingSettings.fromMap(
            Map.of(
                "base-url", "http://127.0.0.1:8001/v1",
                "model", "prm",
                "parameters", 1000,
                "step-separator", "\n\n",
                "template", "Q: {question}\n{steps}",
                "score-mapping", "difference",
                "api-key-env", "PRM_KEY"),
            name -> name.equals("PRM_KEY") ? "secret" : null);
    assertThat(s.poolingUri().toString()).isEqualTo("http://127.0.0.1:8001/pooling");
    assertThat(s.text("1+1", List.of("1+1=2", "A: 2"))).isEqualTo("Q: 1+1\n1+1=2\n\nA: 2\n\n");
    assertThat(s.server().apiKey()).isEqualTo("secret");
    assertThat(s.toString()).doesNotContain("secret");
    assertThatThrownBy(() -> PoolingSettings.fromMap(Map.of("base-url", "http://h", "model", "m", "template", "{question}"), n -> null))
        .hasMessageContaining("template must contain {steps}");
    assertThatThrownBy(() -> PoolingSettings.fromMap(Map.of("base-url", "http://h", "model", "m", "score-mapping", "max"), n -> null))
        .hasMessageContaining("probability, sigmoid or difference");
    assertThatThrownBy(() -> PoolingSettings.fromMap(Map.of("base-url", "http://h", "model", "m", "separator", "x"), n -> null))
        .hasMessageContaining("unknown setting reckon.models.pooling.separator");
  }
}
