package io.reckon.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.reckon.protocol.openai.ErrorResponse;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Errors, limits, back-pressure, deadlines and operations, over plain HTTP. */
class OpenAiHttpTest {
  private static ReckonServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestServers.start(TestServers.settings().withLimits(256, Duration.ofSeconds(60), 4096));
    TestServers.awaitReady(server);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static ErrorResponse.Detail error(HttpResponse<String> r) throws Exception {
    assertThat(r.headers().firstValue("Content-Type")).contains("application/json");
    assertThat(r.body()).doesNotContain("\tat ").doesNotContain("Exception");
    return Json.MAPPER.readValue(r.body(), ErrorResponse.class).error();
  }

  @Test
  void badRequestsNameTheField() throws Exception {
    HttpResponse<String> r = TestServers.post(server, "/v1/completions",
        "{\"model\":\"reckon\",\"prompt\":\"  \"}", null);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(error(r).param()).isEqualTo("prompt");

    r = TestServers.post(server, "/v1/completions",
        "{\"model\":\"reckon/beam:m=4@0\",\"prompt\":\"1+2\"}", null);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(error(r).param()).isEqualTo("model");
    assertThat(error(r).message()).contains("budget");

    r = TestServers.post(server, "/v1/chat/completions",
        "{\"model\":\"reckon\",\"messages\":[{\"role\":\"user\",\"content\":\"1+2\"}],"
            + "\"reckon\":{\"budget\":-3}}", null);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(error(r).param()).isEqualTo("reckon.budget");

    r = TestServers.post(server, "/v1/chat/completions",
        "{\"model\":\"reckon\",\"messages\":[{\"role\":\"system\",\"content\":\"hi\"}]}", null);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(error(r).param()).isEqualTo("messages");

    r = TestServers.post(server, "/v1/completions", "{\"model\":\"reckon\",\"prompt\":", null);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(error(r).message()).contains("not valid JSON");

    r = TestServers.post(server, "/v1/completions",
        "{\"model\":\"reckon\",\"prompt\":\"1+2\",\"n\":99}", null);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(error(r).param()).isEqualTo("n");
  }

  @Test
  void unknownModelIs404AndWrongMethod405() throws Exception {
    HttpResponse<String> r = TestServers.post(server, "/v1/completions",
        "{\"model\":\"gpt-4\",\"prompt\":\"1+2\"}", null);
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(error(r).code()).isEqualTo("model_not_found");
    assertThat(TestServers.get(server, "/v1/completions").statusCode()).isEqualTo(405);
    assertThat(error(TestServers.get(server, "/v1/nowhere")).code()).isEqualTo("not_found");
  }

  @Test
  void aBodyOverTheLimitIs413() throws Exception {
    String big = "{\"model\":\"reckon\",\"prompt\":\"1+2\",\"user\":\"" + "x".repeat(5000) + "\"}";
    HttpResponse<String> r = TestServers.post(server, "/v1/completions", big, null);
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(error(r).code()).isEqualTo("request_too_large");
  }

  @Test
  void stopCutsTheReturnedText() throws Exception {
    HttpResponse<String> r = TestServers.post(server, "/v1/completions",
        "{\"model\":\"reckon/best-of-n@4\",\"prompt\":\"12+7*3\",\"stop\":\"\\nA:\"}", null);
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode body = Json.MAPPER.readTree(r.body());
    assertThat(body.at("/choices/0/text").asText()).isNotEmpty().doesNotContain("A:");
  }

  @Test
  void healthReadyAndMetrics() throws Exception {
    assertThat(TestServers.get(server, "/health").statusCode()).isEqualTo(200);
    HttpResponse<String> ready = TestServers.get(server, "/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(Json.MAPPER.readTree(ready.body()).get("proposers").asInt()).isEqualTo(1);
    TestServers.post(server, "/v1/completions",
        "{\"model\":\"reckon/best-of-n@2\",\"prompt\":\"2+2\"}", null);
    HttpResponse<String> metrics = TestServers.get(server, "/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body())
        .contains("reckon_http_requests_seconds_bucket{")
        .contains("reckon_questions_finished_total{source=\"openai\",status=\"ok\"}")
        .contains("reckon_tokens_total{kind=\"generated\",model=\"synthetic\"}")
        .contains("reckon_pool_generations{book=\"total\",run=\"service\"}")
        .contains("reckon_admission_limit")
        .contains("reckon_worker_batches{kind=\"proposer\",worker=\"proposer-0\"}")
        .contains("reckon_worker_batch_size{kind=\"verifier\",size=\"")
        .contains("jvm_memory_used_bytes");
  }

  @Test
  void aFloodGets429sAndEveryAcceptedRequestIsAnswered() throws Exception {
    try (ReckonServer small = TestServers.start(
        TestServers.settings().withLimits(3, Duration.ofSeconds(60), 4096),
        new SlowProposer(Duration.ofMillis(100)), 1)) {
      TestServers.awaitReady(small);
      ExecutorService pool = Executors.newFixedThreadPool(16);
      try {
        List<Future<HttpResponse<String>>> sent = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
          String q = (i % 9 + 1) + "+" + (i + 2) + "*3";
          sent.add(pool.submit(() -> TestServers.post(small, "/v1/completions",
              "{\"model\":\"reckon/best-of-n@4\",\"prompt\":\"" + q + "\"}", null)));
        }
        int ok = 0;
        int limited = 0;
        for (Future<HttpResponse<String>> f : sent) {
          HttpResponse<String> r = f.get();
          if (r.statusCode() == 429) {
            limited++;
            assertThat(r.headers().firstValue("Retry-After")).contains("1");
            assertThat(error(r).code()).isEqualTo("rate_limit_exceeded");
          } else {
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(Json.MAPPER.readTree(r.body()).at("/choices/0/text").asText()).contains("A:");
            ok++;
          }
        }
        assertThat(ok + limited).isEqualTo(24);
        assertThat(limited).isPositive();
        assertThat(ok).isGreaterThanOrEqualTo(3);
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void pastTheDeadlineTheProbesAnswerOr504() throws Exception {
    // 1 s per generation batch: the probe needs one batch, a beam search over a six-step
    // question many more, so a 2.5 s deadline falls between them and 0.3 s before both.
    try (ReckonServer slow = TestServers.start(TestServers.settings(),
        new SlowProposer(Duration.ofSeconds(1)), 1)) {
      TestServers.awaitReady(slow);
      CompletableFuture<HttpResponse<String>> cut = CompletableFuture.supplyAsync(() -> post(slow,
          "{\"model\":\"reckon/beam:m=4@16\",\"prompt\":\"48*7-19+63*2-5+11*3-8\","
              + "\"reckon\":{\"timeout\":2.5}}"));
      HttpResponse<String> none = post(slow,
          "{\"model\":\"reckon/beam:m=4@16\",\"prompt\":\"48*7-19\",\"reckon\":{\"timeout\":0.3}}");
      assertThat(none.statusCode()).isEqualTo(504);
      assertThat(error(none).code()).isEqualTo("deadline_exceeded");
      HttpResponse<String> r = cut.get();
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      JsonNode body = Json.MAPPER.readTree(r.body());
      assertThat(body.at("/choices/0/finish_reason").asText()).isEqualTo("length");
      assertThat(body.at("/choices/0/text").asText()).contains("A:");
    }
  }

  @Test
  void aTakenPortIsOneLineNotAStackTrace() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1,
        java.net.InetAddress.getLoopbackAddress())) {
      assertThatThrownBy(() -> TestServers.start(
          TestServers.settings().withAddress("127.0.0.1", taken.getLocalPort())))
          .isInstanceOf(ReckonServer.BindFailed.class)
          .hasMessageContaining("cannot bind 127.0.0.1:" + taken.getLocalPort());
    }
  }

  @Test
  void shutdownLetsARequestInFlightFinish() throws Exception {
    ReckonServer slow = TestServers.start(TestServers.settings(),
        new SlowProposer(Duration.ofMillis(500)), 1);
    TestServers.awaitReady(slow);
    CompletableFuture<HttpResponse<String>> inFlight = CompletableFuture.supplyAsync(() -> post(
        slow, "{\"model\":\"reckon/best-of-n@4\",\"prompt\":\"12+7*3\"}"));
    long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (Json.MAPPER.readTree(TestServers.get(slow, "/health").body()).get("admitted").asInt() == 0) {
      assertThat(System.nanoTime()).as("the request was admitted").isLessThan(end);
      Thread.sleep(20);
    }
    slow.close(); // what SIGTERM runs: unbind, wait for requests in flight, stop
    HttpResponse<String> r = inFlight.get();
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(Json.MAPPER.readTree(r.body()).at("/choices/0/text").asText()).contains("A: 33");
  }

  private static HttpResponse<String> post(ReckonServer s, String json) {
    try {
      return TestServers.post(s, "/v1/completions", json, null);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void withoutWorkersTheServiceAnswers503() throws Exception {
    try (ReckonServer none = TestServers.start(TestServers.settings(),
        new io.reckon.runtime.synthetic.SyntheticReasoner(), 0)) {
      assertThat(TestServers.get(none, "/ready").statusCode()).isEqualTo(503);
      HttpResponse<String> r = TestServers.post(none, "/v1/completions",
          "{\"model\":\"reckon\",\"prompt\":\"1+2\"}", null);
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(error(r).code()).isEqualTo("no_workers");
    }
  }

  private static final String TOKEN = "s3cret-s3cret-s3cret";

  @Test
  void aTokenIsRequiredOffLoopbackAndCheckedWhenSet() throws Exception {
    assertThat(TestServers.settings().withAddress("0.0.0.0", 0).refusal())
        .contains("RECKON_API_TOKEN");
    assertThat(TestServers.settings().withAddress("0.0.0.0", 0).withToken("s3cret").refusal())
        .contains("at least 16");
    assertThat(TestServers.settings().withAddress("0.0.0.0", 0).withToken(TOKEN).refusal())
        .isNull();
    assertThatThrownBy(() -> TestServers.start(TestServers.settings().withAddress("0.0.0.0", 0)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("RECKON_API_TOKEN");
    try (ReckonServer guarded = TestServers.start(TestServers.settings().withToken(TOKEN))) {
      String body = "{\"model\":\"reckon/best-of-n@2\",\"prompt\":\"1+2\"}";
      HttpResponse<String> r = TestServers.post(guarded, "/v1/completions", body, null);
      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(error(r).code()).isEqualTo("invalid_api_key");
      assertThat(TestServers.post(guarded, "/v1/completions", body,
          TOKEN.toUpperCase(java.util.Locale.ROOT)).statusCode()).isEqualTo(401);
      assertThat(TestServers.get(guarded, "/metrics").statusCode()).isEqualTo(401);
      assertThat(TestServers.get(guarded, "/health").statusCode()).isEqualTo(200);
      TestServers.awaitReady(guarded);
      assertThat(TestServers.post(guarded, "/v1/completions", body, TOKEN).statusCode())
          .isEqualTo(200);
    }
  }
}
