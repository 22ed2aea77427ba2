package io.reckon.runtime.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reckon.protocol.Continuation;
import io.reckon.protocol.GenerateReply;
import io.reckon.protocol.GenerateRequest;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import io.reckon.runtime.openai.StubServer.Answer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The OpenAI-compatible proposer against an in-process HTTP stub on the loopback address. */
class OpenAiCompatibleProposerTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private StubServer stub;
  private List<JsonNode> received;
  private List<String> authorizations;
  private AtomicInteger calls;
  private OpenAiCompatibleProposer proposer;

  @BeforeEach
  void start() throws IOException {
    stub = new StubServer("/v1/completions");
    received = stub.received;
    authorizations = stub.authorizations;
    calls = stub.calls;
    proposer = new OpenAiCompatibleProposer(settings());
  }

  private OpenAiSettings settings() {
    return OpenAiSettings.of(stub.baseUrl(), "arith-policy", 1_000_000)
        .withRetries(3, Duration.ofMillis(10), Duration.ofMillis(50))
        .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5))
        .withMaxTokens(64);
  }

  @AfterEach
  void stop() {
    proposer.close();
    stub.close();
  }

  /** A completions body with one choice per text, and logprobs of -0.5 per character. */
  static String completions(String[] texts, String[] finishReasons, int promptTokens) {
    ObjectNode root = JSON.createObjectNode();
    root.put("id", "cmpl-1").put("object", "text_completion").put("model", "arith-policy");
    ArrayNode choices = root.putArray("choices");
    int completion = 0;
    for (int i = 0; i < texts.length; i++) {
      ObjectNode c = choices.addObject();
      c.put("index", i).put("text", texts[i]).put("finish_reason", finishReasons[i]);
      ObjectNode lp = c.putObject("logprobs");
      ArrayNode tokens = lp.putArray("tokens");
      ArrayNode logprobs = lp.putArray("token_logprobs");
      for (char ch : texts[i].toCharArray()) {
        tokens.add(String.valueOf(ch));
        logprobs.add(-0.5);
      }
      completion += texts[i].length();
    }
    root.putObject("usage")
        .put("prompt_tokens", promptTokens)
        .put("completion_tokens", completion)
        .put("total_tokens", promptTokens + completion);
    return root.toString();
  }

  static String completions(String... texts) {
    String[] stop = new String[texts.length];
    Arrays.fill(stop, "stop");
    return completions(texts, stop, 10);
  }

  private static GenerateRequest request(long id, int samples, int maxSteps, double temperature) {
    return new GenerateRequest(
        id, "q" + id, "12*3+5", List.of(), List.of("12*3=36"), samples, maxSteps, temperature, 7, samples);
  }

  @Test
  void asksForNSamplesAndCutsTheTextIntoSteps() {
    stub.script = (body, n) -> Answer.ok(completions("36+5=41\nA: 41\n", "36+5=42\nA: 42\nQ: junk\n"));
    GenerateReply reply = proposer.generate(List.of(request(1, 2, 0, 0.8))).get(0);
    JsonNode sent = received.get(0);
    assertThat(sent.get("model").asText()).isEqualTo("arith-policy");
    assertThat(sent.get("prompt").asText()).isEqualTo("Q: 12*3+5\n12*3=36\n");
    assertThat(sent.get("n").asInt()).isEqualTo(2);
    assertThat(sent.get("temperature").asDouble()).isEqualTo(0.8);
    assertThat(sent.get("seed").asLong()).isEqualTo(7);
    assertThat(sent.get("max_tokens").asInt()).isEqualTo(64);
    assertThat(sent.get("logprobs").asInt()).isEqualTo(1);
    assertThat(sent.has("stop")).isFalse();
    assertThat(authorizations.get(0)).isEqualTo("null");

    assertThat(reply.requestId()).isEqualTo(1);
    assertThat(reply.continuations())
        .containsExactly(
            new Continuation(List.of("36+5=41", "A: 41"), true, 14, -7.0),
            new Continuation(List.of("36+5=42", "A: 42"), true, 22, -11.0));
    assertThat(reply.promptTokens()).isEqualTo(20);
    assertThat(reply.generatedTokens()).isEqualTo(36);
    assertThat(reply.flops()).isEqualTo(2.0 * 1_000_000 * (20 + 36));
  }

  @Test
  void oneStepIsAskedForWithTheDelimiterAsStopSequence() {
    stub.script = (body, n) -> Answer.ok(completions("36+5=41"));
    Continuation c = proposer.generate(List.of(request(1, 1, 1, 0.5))).get(0).continuations().get(0);
    assertThat(received.get(0).get("stop")).hasSize(1);
    assertThat(received.get(0).get("stop").get(0).asText()).isEqualTo("\n");
    assertThat(c.steps()).containsExactly("36+5=41");
    assertThat(c.finished()).isFalse();
  }

  @Test
  void maxStepsAndTheTokenLimitCutClientSide() {
    stub.script =
        (body, n) ->
            Answer.ok(
                completions(
                    new String[] {"36+5=41\nA: 41\n", "36+5=41\nA: 4"},
                    new String[] {"stop", "length"},
                    10));
    GenerateRequest twoSteps = request(1, 2, 0, 1.0);
    List<Continuation> rows = proposer.generate(List.of(twoSteps)).get(0).continuations();
    assertThat(rows.get(0).steps()).containsExactly("36+5=41", "A: 41");
    assertThat(rows.get(1).steps()).containsExactly("36+5=41");
    assertThat(rows.get(1).finished()).isFalse();
    stub.script = (body, n) -> Answer.ok(completions("36+5=41\n41+0=41\nA: 41\n", "A: 41"));
    List<Continuation> cut = proposer.generate(List.of(request(2, 2, 1 + 1, 1.0))).get(0).continuations();
    assertThat(cut.get(0).steps()).containsExactly("36+5=41", "41+0=41");
    assertThat(cut.get(0).finished()).isFalse();
    assertThat(cut.get(1).steps()).containsExactly("A: 41");
    assertThat(cut.get(1).finished()).isTrue();
  }

  @Test
  void greedyAsksOnceAndCopiesTheRow() {
    stub.script = (body, n) -> Answer.ok(completions("36+5=41\nA: 41\n"));
    GenerateReply reply = proposer.generate(List.of(request(1, 3, 0, 0))).get(0);
    assertThat(received.get(0).get("n").asInt()).isEqualTo(1);
    assertThat(received.get(0).has("top_p")).isFalse();
    assertThat(reply.continuations()).hasSize(3).containsOnly(reply.continuations().get(0));
    assertThat(reply.generatedTokens()).isEqualTo(14);
  }

  @Test
  void aServerErrorIsRetriedAndThenSucceeds() {
    stub.script =
        (body, n) ->
            n == 1
                ? new Answer(500, "{\"error\": \"overloaded\"}", 0, null)
                : Answer.ok(completions("36+5=41\nA: 41\n"));
    GenerateReply reply = proposer.generate(List.of(request(1, 1, 0, 0.7))).get(0);
    assertThat(calls.get()).isEqualTo(2);
    assertThat(reply.continuations().get(0).steps()).containsExactly("36+5=41", "A: 41");
  }

  @Test
  void tooManyRequestsIsRetriedAfterTheServersPause() {
    stub.script =
        (body, n) ->
            n <= 2
                ? new Answer(429, "{\"error\": \"slow down\"}", 0, "0.01")
                : Answer.ok(completions("A: 41\n"));
    assertThat(proposer.generate(List.of(request(1, 1, 0, 0.7))).get(0).continuations().get(0).finished())
        .isTrue();
    assertThat(calls.get()).isEqualTo(3);
  }

  @Test
  void persistentServerErrorsFailAfterTheLastRetry() {
    stub.script = (body, n) -> new Answer(503, "unavailable", 0, null);
    assertThatThrownBy(() -> proposer.generate(List.of(request(1, 1, 0, 0.7))))
        .isInstanceOf(OpenAiException.class)
        .hasMessageContaining("failed after 4 tries")
        .hasMessageContaining("HTTP 503: unavailable")
        .hasMessageContaining("/v1/completions");
    assertThat(calls.get()).isEqualTo(4);
  }

  @Test
  void aClientErrorIsNotRetried() {
    stub.script = (body, n) -> new Answer(400, "{\"error\": \"bad model\"}", 0, null);
    assertThatThrownBy(() -> proposer.generate(List.of(request(1, 1, 0, 0.7))))
        .isInstanceOf(OpenAiException.class)
        .hasMessageContaining("refused (not retried): HTTP 400");
    assertThat(calls.get()).isEqualTo(1);
  }

  @Test
  void aTimeoutIsRetriedAndFailsClearlyWhenItPersists() {
    proposer.close();
    proposer =
        new OpenAiCompatibleProposer(
            settings()
                .withTimeouts(Duration.ofSeconds(2), Duration.ofMillis(150))
                .withRetries(1, Duration.ofMillis(10), Duration.ofMillis(10)));
    stub.script = (body, n) -> new Answer(200, completions("A: 41\n"), n == 1 ? 1500 : 0, null);
    assertThat(proposer.generate(List.of(request(1, 1, 0, 0.7))).get(0).continuations().get(0).steps())
        .containsExactly("A: 41");
    assertThat(calls.get()).isEqualTo(2);

    stub.script = (body, n) -> new Answer(200, completions("A: 41\n"), 1500, null);
    assertThatThrownBy(() -> proposer.generate(List.of(request(2, 1, 0, 0.7))))
        .isInstanceOf(OpenAiException.class)
        .hasMessageContaining("failed after 2 tries")
        .hasMessageContaining("timed out");
  }

  @Test
  void aMalformedBodyFailsAtOnceWithTheBodyInTheMessage() {
    stub.script = (body, n) -> Answer.ok("<html>gateway</html>");
    assertThatThrownBy(() -> proposer.generate(List.of(request(1, 1, 0, 0.7))))
        .isInstanceOf(OpenAiException.class)
        .hasMessageContaining("malformed body")
        .hasMessageContaining("<html>gateway</html>");
    assertThat(calls.get()).isEqualTo(1);
    stub.script = (body, n) -> Answer.ok("{\"object\": \"text_completion\"}");
    assertThatThrownBy(() -> proposer.generate(List.of(request(2, 1, 0, 0.7))))
        .hasMessageContaining("expected a JSON object with 'choices'");
    stub.script = (body, n) -> Answer.ok(completions("A: 1\n"));
    assertThatThrownBy(() -> proposer.generate(List.of(request(3, 2, 0, 0.7))))
        .hasMessageContaining("asked for n = 2 completions but got 1");
  }

  @Test
  void aBatchRunsConcurrentlyAndRepliesInRequestOrder() {
    stub.script =
        (body, n) -> {
          String prompt = body.get("prompt").asText();
          // Later requests answer sooner, so that order comes from the proposer, not the server.
          long delay = prompt.contains("9+") ? 200 : prompt.contains("5+") ? 100 : 0;
          String q = prompt.substring(3, prompt.indexOf('\n'));
          return new Answer(200, completions("A: " + q + "\n"), delay, null);
        };
    List<GenerateRequest> batch = List.of(
        new GenerateRequest(1, "a", "9+1", List.of(), List.of(), 1, 0, 0.5, 1, 1),
        new GenerateRequest(2, "b", "5+1", List.of(), List.of(), 1, 0, 0.5, 1, 1),
        new GenerateRequest(3, "c", "1+1", List.of(), List.of(), 1, 0, 0.5, 1, 1));
    List<GenerateReply> replies = proposer.generate(batch);
    assertThat(replies).extracting(GenerateReply::requestId).containsExactly(1L, 2L, 3L);
    assertThat(replies.get(0).continuations().get(0).steps()).containsExactly("A: 9+1");
    assertThat(replies.get(2).continuations().get(0).steps()).containsExactly("A: 1+1");
  }

  @Test
  void theApiKeyIsSentAsABearerToken() {
    proposer.close();
    proposer = new OpenAiCompatibleProposer(settings().withApiKey("sk-test"));
    stub.script = (body, n) -> Answer.ok(completions("A: 41\n"));
    proposer.generate(List.of(request(1, 1, 0, 0.7)));
    assertThat(authorizations.get(0)).isEqualTo("Bearer sk-test");
  }

  @Test
  void backOffDoublesWithJitterAndIsCapped() {
    OpenAiCompatibleProposer p =
        new OpenAiCompatibleProposer(settings().withRetries(5, Duration.ofMillis(100), Duration.ofMillis(300)));
    try {
      for (int i = 0; i < 20; i++) {
        assertThat(p.backoff(0, null).toMillis()).isBetween(50L, 100L);
        assertThat(p.backoff(1, null).toMillis()).isBetween(100L, 200L);
        assertThat(p.backoff(6, null).toMillis()).isBetween(150L, 300L);
      }
      assertThat(p.backoff(0, Duration.ofSeconds(60)).toMillis()).isEqualTo(300L);
    } finally {
      p.close();
    }
  }

  @Test
  void logProbsAreSummedPerRow() {
    stub.script = (body, n) -> Answer.ok(completions("A: 41\n"));
    Continuation c = proposer.generate(List.of(request(1, 1, 0, 0.7))).get(0).continuations().get(0);
    assertThat(c.logProb()).isCloseTo(-3.0, within(1e-9));
    assertThat(c.tokens()).isEqualTo(6);
  }

  @Test
  void aRetryAfterDateIsHonouredAndCappedByMaxBackoff() {
    String soon = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(
        java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusSeconds(30));
    assertThat(HttpJsonClient.retryAfter(soon).toSeconds()).isBetween(25L, 30L);
    assertThat(HttpJsonClient.retryAfter("2")).isEqualTo(Duration.ofSeconds(2));
    assertThat(HttpJsonClient.retryAfter("soon")).isNull();
    stub.script =
        (body, n) ->
            n == 1 ? new Answer(429, "{}", 0, soon) : Answer.ok(completions("A: 41\n"));
    // max-backoff (50 ms here) caps the server's 30 s.
    assertThat(proposer.generate(List.of(request(1, 1, 0, 0.7))).get(0).continuations()).hasSize(1);
    assertThat(calls.get()).isEqualTo(2);
  }

  @Test
  void theConcurrencyLimitHoldsAcrossClientsOfOneServer() {
    proposer.close();
    OpenAiSettings limited =
        settings().withServer(settings().server().withMaxConcurrentRequests(2));
    proposer = new OpenAiCompatibleProposer(limited);
    OpenAiCompatibleProposer second = new OpenAiCompatibleProposer(limited);
    stub.script = (body, n) -> new Answer(200, completions("A: 1\n"), 60, null);
    List<GenerateRequest> batch = new java.util.ArrayList<>();
    for (int i = 0; i < 6; i++) {
      batch.add(request(i, 1, 0, 0.7));
    }
    try {
      java.util.concurrent.CompletableFuture<?> other =
          java.util.concurrent.CompletableFuture.runAsync(() -> second.generate(batch));
      assertThat(proposer.generate(batch)).hasSize(6);
      other.join();
    } finally {
      second.close();
    }
    assertThat(calls.get()).isEqualTo(12);
    assertThat(stub.maxInFlight.get()).isLessThanOrEqualTo(2);
  }

  @Test
  void chatOnlyServersGetMessagesAndContinueTheSteps() throws IOException {
    try (StubServer chat = new StubServer("/v1/chat/completions")) {
      chat.script =
          (body, n) ->
              Answer.ok(
                  "{\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":"
                      + "{\"role\":\"assistant\",\"content\":\"36+5=41\\nA: 41\"},\"finish_reason\":\"stop\","
                      + "\"logprobs\":{\"content\":[{\"token\":\"36\",\"logprob\":-0.25},"
                      + "{\"token\":\"+5\",\"logprob\":-0.5}]}}],"
                      + "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":2,\"total_tokens\":14}}");
      OpenAiCompatibleProposer p =
          new OpenAiCompatibleProposer(
              OpenAiSettings.of(chat.baseUrl(), "chat-model", 0).withApi(OpenAiSettings.Api.CHAT));
      try {
        GenerateReply reply = p.generate(List.of(request(1, 1, 0, 0.7))).get(0);
        JsonNode sent = chat.received.get(0);
        assertThat(sent.has("prompt")).isFalse();
        assertThat(sent.get("messages").get(0).get("role").asText()).isEqualTo("user");
        assertThat(sent.get("messages").get(0).get("content").asText()).isEqualTo("Q: 12*3+5\n");
        assertThat(sent.get("messages").get(1).get("role").asText()).isEqualTo("assistant");
        assertThat(sent.get("messages").get(1).get("content").asText()).isEqualTo("12*3=36\n");
        assertThat(sent.get("continue_final_message").asBoolean()).isTrue();
        assertThat(sent.get("add_generation_prompt").asBoolean()).isFalse();
        assertThat(sent.get("logprobs").asBoolean()).isTrue();
        Continuation c = reply.continuations().get(0);
        assertThat(c.steps()).containsExactly("36+5=41", "A: 41");
        assertThat(c.logProb()).isCloseTo(-0.75, within(1e-9));
        assertThat(reply.promptTokens()).isEqualTo(12);
        assertThat(reply.flops()).as("parameters unknown").isZero();
      } finally {
        p.close();
      }
    }
  }

  @Test
  void theKeyNeverAppearsInTheSettingsText() {
    assertThat(settings().withApiKey("sk-secret").toString()).doesNotContain("sk-secret").contains("(set)");
  }
}
