package io.reckon.runtime.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

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
 * The token-probability PRM: the exact texts it sends (RLHFlow's conversation, Math-Shepherd's
 * tagged steps), one request per score request, scores read at the right tokens, and replies
 * that do not fit refused with what was expected.
 */
class LogprobPrmTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private StubServer stub;

  @BeforeEach
  void start() throws IOException {
    stub = new StubServer("/v1/completions");
  }

  @AfterEach
  void stop() {
    stub.close();
  }

  private LogprobSettings settings(Map<String, Object> extra) {
    java.util.Map<String, Object> values = new java.util.HashMap<>(Map.of(
        "base-url", stub.baseUrl(), "model", "prm", "max-retries", 0));
    values.putAll(extra);
    return LogprobSettings.fromMap(values, k -> null);
  }

  /** An echo reply whose tokens are the given pieces of the prompt, with their top logprobs. */
  private static String echo(List<String> tokens, List<Map<String, Double>> tops) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode c = root.putArray("choices").addObject();
    c.put("index", 0).put("text", String.join("", tokens));
    ObjectNode lp = c.putObject("logprobs");
    ArrayNode ts = lp.putArray("tokens");
    ArrayNode vs = lp.putArray("token_logprobs");
    ArrayNode tp = lp.putArray("top_logprobs");
    ArrayNode off = lp.putArray("text_offset");
    int at = 0;
    for (int i = 0; i < tokens.size(); i++) {
      ts.add(tokens.get(i));
      off.add(at);
      at += tokens.get(i).length();
      Map<String, Double> top = tops.get(i);
      if (top == null) {
        vs.addNull();
        tp.addNull();
      } else {
        vs.add(top.getOrDefault(tokens.get(i).strip(), -1.0));
        ObjectNode t = tp.addObject();
        top.forEach(t::put);
      }
    }
    root.putObject("usage").put("prompt_tokens", tokens.size());
    return root.toString();
  }

  @Test
  void mathShepherdTagsEveryStepAndReadsPlusAgainstMinusAfterTheTag() {
    LogprobPrm prm = new LogprobPrm(settings(Map.of("style", "math-shepherd",
        "template", "{question}\n {steps}", "step-tag", "ки", "joiner", "\n\n")));
    String text = "Q?\n a ки\n\nb ки";
    assertThat(prm.layout("Q?", List.of("a", "b")).text()).isEqualTo(text);
    stub.script = (body, n) -> Answer.ok(echo(
        List.of("Q", "?", "\n", " a", " ки", "\n\n", "b", " ки", "\n"),
        java.util.Arrays.asList(null, Map.of("?", -1.0), Map.of("\n", -1.0), Map.of("a", -1.0),
            Map.of("ки", -0.1), Map.of("+", Math.log(0.3), "-", Math.log(0.1)), Map.of("b", -1.0),
            Map.of("ки", -0.1), Map.of(" +", Math.log(0.05), "-", Math.log(0.15)))));
    ScoreReply reply = prm.score(List.of(new ScoreRequest(1, "q", "Q?", List.of(List.of("a", "b"))))).get(0);
    assertThat(reply.scores().get(0).get(0)).isCloseTo(0.75, within(1e-9));
    assertThat(reply.scores().get(0).get(1)).isCloseTo(0.25, within(1e-9));
    assertThat(stub.calls.get()).isEqualTo(1);
    assertThat(stub.received.get(0).get("echo").asBoolean()).isTrue();
    assertThat(stub.received.get(0).get("max_tokens").asInt()).isEqualTo(1);
    assertThat(stub.received.get(0).get("prompt").get(0).asText()).isEqualTo(text);
    prm.close();
  }

  @Test
  void rlhflowMakesEachStepAUserTurnAnsweredByPlus() {
    LogprobPrm prm = new LogprobPrm(settings(Map.of("style", "rlhflow", "chat-template", "llama-3")));
    LogprobPrm.Layout layout = prm.layout("Q?", List.of("a", "b"));
    String head = "<|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\n"
        + "Today Date: 26 Jul 2024\n\n<|eot_id|>";
    String turn1 = "<|start_header_id|>user<|end_header_id|>\n\nQ? a<|eot_id|>"
        + "<|start_header_id|>assistant<|end_header_id|>\n\n";
    String turn2 = "+<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nb<|eot_id|>"
        + "<|start_header_id|>assistant<|end_header_id|>\n\n";
    assertThat(layout.text()).isEqualTo(head + turn1 + turn2 + "+<|eot_id|>");
    assertThat(layout.offsets()).containsExactly((head + turn1).length(), (head + turn1 + turn2).length());
    stub.script = (body, n) -> Answer.ok(echo(
        List.of(head + turn1, "+", turn2.substring(1), "+", "<|eot_id|>", "\n"),
        java.util.Arrays.asList(null, Map.of("+", Math.log(0.6), "-", Math.log(0.2)), Map.of("x", -1.0),
            Map.of("+", Math.log(0.5)), Map.of("<|eot_id|>", -0.1), Map.of("\n", -1.0))));
    ScoreReply reply = prm.score(List.of(new ScoreRequest(1, "q", "Q?", List.of(List.of("a", "b"))))).get(0);
    assertThat(reply.scores().get(0).get(0)).as("P(+) normalised against P(-)").isCloseTo(0.75, within(1e-9));
    assertThat(reply.scores().get(0).get(1)).as("P(+) alone when P(-) is not listed").isCloseTo(0.5, within(1e-9));
    prm.close();
  }

  @Test
  void aReplyThatDoesNotFitSaysWhatWasExpected() {
    LogprobPrm prm = new LogprobPrm(settings(Map.of("style", "math-shepherd",
        "template", "{question} {steps}", "step-tag", "ки")));
    ScoreRequest request = new ScoreRequest(1, "q", "Q", List.of(List.of("a")));
    // The tag merged into its neighbours: no token 'ки' where it was written.
    stub.script = (body, n) -> Answer.ok(echo(List.of("Q", " a ки", "\n"),
        java.util.Arrays.asList(null, Map.of("a", -1.0), Map.of("+", -1.0))));
    assertThatThrownBy(() -> prm.score(List.of(request))).isInstanceOf(OpenAiException.class)
        .hasMessageContaining("expected the token 'ки'");
    // Neither + nor - among the alternatives after the tag.
    stub.script = (body, n) -> Answer.ok(echo(List.of("Q", " a", " ки", "\n"),
        java.util.Arrays.asList(null, Map.of("a", -1.0), Map.of("ки", -1.0), Map.of("\n", -0.1))));
    assertThatThrownBy(() -> prm.score(List.of(request))).isInstanceOf(OpenAiException.class)
        .hasMessageContaining("expected '+' or '-' among the top 5 tokens after the step tag 'ки'");
    // No echo at all (a server without echo support).
    stub.script = (body, n) -> Answer.ok("{\"choices\": [{\"index\": 0, \"text\": \"+\", \"logprobs\": null}]}");
    assertThatThrownBy(() -> prm.score(List.of(request))).isInstanceOf(OpenAiException.class)
        .hasMessageContaining("text_offset");
    prm.close();
  }

  @Test
  void settingsAreChecked() {
    assertThatThrownBy(() -> settings(Map.of("style", "shepherd")))
        .hasMessageContaining("style must be rlhflow or math-shepherd");
    assertThatThrownBy(() -> settings(Map.of("good-token", "+", "bad-token", " + ")))
        .hasMessageContaining("two different");
    assertThatThrownBy(() -> settings(Map.of("top-logprobs", 50))).hasMessageContaining("[2, 20]");
    assertThatThrownBy(() -> settings(Map.of("tag", "x"))).hasMessageContaining("unknown setting");
  }
}
