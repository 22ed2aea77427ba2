package io.reckon.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.reckon.runtime.synthetic.SyntheticReasoner;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Named API keys, quotas, usage, and a client that hangs up, over real HTTP. */
class FairnessHttpTest {

  private static String hash(String secret) {
    return HexFormat.of().formatHex(ApiKeys.sha256(secret));
  }

  private static ReckonServer start(Config extra, io.reckon.runtime.Proposer proposer)
      throws Exception {
    Config config = extra.withFallback(TestServers.config());
    ServerSettings settings = ServerSettings.from(config).withAddress("127.0.0.1", 0);
    return ReckonServer.start(config, settings, new ReckonServer.Backend(proposer,
        new SyntheticReasoner(), TestServers.MODELS,
        SearchChoice.PolicySource.none("no policy in these tests"), 1));
  }

  private static HttpResponse<String> send(ReckonServer s, String method, String path,
      String json, String secret) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(TestServers.base(s) + path))
        .timeout(Duration.ofSeconds(120)).header("Content-Type", "application/json");
    b = json == null ? b.GET() : b.method(method, HttpRequest.BodyPublishers.ofString(json));
    if (secret != null) {
      b.header("Authorization", "Bearer " + secret);
    }
    return TestServers.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void keysAreNamedWeighedAndHeldToTheirDailyQuota() throws Exception {
    Path dir = Files.createTempDirectory("reckon-keys-");
    Path file = dir.resolve("keys");
    Files.writeString(file, "# name  sha256(secret)  weight  daily generations\n"
        + "alice " + hash("alice-secret-0123") + " 1 20\n"
        + "bob   " + hash("bob-secret-4567") + " 3\n");
    try (ReckonServer s = start(ConfigFactory.parseString(
        "reckon.limits.api-keys-file = \"" + file.toString().replace("\\", "/") + "\""),
        new SyntheticReasoner())) {
      TestServers.awaitReady(s);
      String body = "{\"model\":\"reckon/best-of-n@8\",\"prompt\":\"12+7*3\"}";
      assertThat(send(s, "POST", "/v1/completions", body, null).statusCode()).isEqualTo(401);
      assertThat(send(s, "POST", "/v1/completions", body, "wrong").statusCode()).isEqualTo(401);
      assertThat(send(s, "POST", "/v1/completions", body, "alice-secret-0123").statusCode())
          .isEqualTo(200);
      assertThat(send(s, "POST", "/v1/completions", body, "alice-secret-0123").statusCode())
          .isEqualTo(200);
      HttpResponse<String> over = send(s, "POST", "/v1/completions", body, "alice-secret-0123");
      assertThat(over.statusCode()).isEqualTo(429);
      assertThat(over.headers().firstValue("Retry-After")).isPresent();
      assertThat(Long.parseLong(over.headers().firstValue("Retry-After").get()))
          .isBetween(1L, 86_401L);
      JsonNode error = Json.MAPPER.readTree(over.body()).get("error");
      assertThat(error.get("code").asText()).isEqualTo("quota_exceeded");
      assertThat(error.get("message").asText()).contains("alice").contains("daily quota of 20");
      // Bob has no quota; his requests go on.
      assertThat(send(s, "POST", "/v1/completions", body, "bob-secret-4567").statusCode())
          .isEqualTo(200);

      JsonNode usage = Json.MAPPER.readTree(
          send(s, "GET", "/v1/usage", null, "alice-secret-0123").body());
      assertThat(usage.get("key").asText()).isEqualTo("alice");
      assertThat(usage.get("keys")).hasSize(1); // a key sees its own line only
      JsonNode alice = usage.get("keys").get(0);
      assertThat(alice.get("name").asText()).isEqualTo("alice");
      assertThat(alice.get("generations").asLong()).isEqualTo(16);
      assertThat(alice.get("today").asLong()).isEqualTo(16);
      assertThat(alice.get("admitted").asLong()).isEqualTo(2);
      assertThat(alice.get("refusedQuota").asLong()).isEqualTo(1);
      assertThat(alice.get("dailyQuota").asLong()).isEqualTo(20);

      String metrics = send(s, "GET", "/metrics", null, "bob-secret-4567").body();
      assertThat(metrics).contains("reckon_key_generations_total{key=\"alice\"} 16.0")
          .contains("reckon_key_generations_total{key=\"bob\"} 8.0")
          .contains("reckon_key_requests_total{key=\"alice\",outcome=\"refused_quota\"} 1.0");
    }
  }

  @Test
  void aClientThatHangsUpStopsItsSearchAndFreesItsGrant() throws Exception {
    // Each batch takes 5 s: the search of @64 runs for 20 s or more, its deadline 5 minutes.
    try (ReckonServer s = start(ConfigFactory.empty(),
        new SlowProposer(Duration.ofMillis(5000)))) {
      TestServers.awaitReady(s);
      String body = "{\"model\":\"reckon/beam:m=4@64\",\"prompt\":\"12+7*3-5*2\","
          + "\"reckon\":{\"timeout\":300}}";
      byte[] request = ("POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Content-Type: application/json\r\nContent-Length: "
          + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
          .getBytes(StandardCharsets.UTF_8);
      try (Socket socket = new Socket("127.0.0.1", s.port())) {
        OutputStream out = socket.getOutputStream();
        out.write(request);
        out.flush();
        awaitHealth(s, "admitted", v -> v == 64, "the request was admitted");
        awaitReady(s, "active", v -> v == 1, "the search started");
      } // the client hangs up
      long hungUp = System.nanoTime();
      awaitHealth(s, "admitted", v -> v == 0, "its grant was freed");
      awaitReady(s, "active", v -> v == 0, "its search stopped");
      // Well before the search could have ended by itself (four batches of 5 s at least).
      assertThat(Duration.ofNanos(System.nanoTime() - hungUp)).isLessThan(Duration.ofSeconds(10));
      JsonNode usage = Json.MAPPER.readTree(send(s, "GET", "/v1/usage", null, null).body());
      assertThat(usage.get("keys").get(0).get("cancelled").asLong()).isEqualTo(1);
      // The pool is whole again: a new request runs.
      assertThat(send(s, "POST", "/v1/completions",
          "{\"model\":\"reckon/best-of-n@2\",\"prompt\":\"1+2\"}", null).statusCode())
          .isEqualTo(200);
    }
  }

  private static void awaitHealth(ReckonServer s, String field,
      java.util.function.LongPredicate ok, String what) throws Exception {
    await(s, "/health", field, ok, what);
  }

  private static void awaitReady(ReckonServer s, String field,
      java.util.function.LongPredicate ok, String what) throws Exception {
    await(s, "/ready", field, ok, what);
  }

  private static void await(ReckonServer s, String path, String field,
      java.util.function.LongPredicate ok, String what) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    long last = -1;
    while (System.nanoTime() < end) {
      last = Json.MAPPER.readTree(TestServers.get(s, path).body()).get(field).asLong();
      if (ok.test(last)) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError(what + ": " + path + " " + field + " still " + last + " after 60 s");
  }
}
