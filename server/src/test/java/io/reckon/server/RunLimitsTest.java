package io.reckon.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.reckon.runtime.Proposer;
import io.reckon.runtime.synthetic.SyntheticReasoner;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Event streams that end, are capped and end on shutdown; max-runs taken atomically. */
class RunLimitsTest {

  private static ReckonServer start(String extra, Proposer proposer) throws Exception {
    Config config = ConfigFactory.parseString(extra).withFallback(TestServers.config());
    ServerSettings settings = ServerSettings.from(config).withAddress("127.0.0.1", 0);
    return ReckonServer.start(config, settings, new ReckonServer.Backend(proposer,
        new SyntheticReasoner(), TestServers.MODELS,
        SearchChoice.PolicySource.none("no policy in these tests"), 1));
  }

  private static HttpResponse<String> events(ReckonServer s, String id, String lastEventId)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(
        URI.create(TestServers.base(s) + "/v1/runs/" + id + "/events"))
        .timeout(Duration.ofSeconds(60)).GET();
    if (lastEventId != null) {
      b.header("Last-Event-ID", lastEventId);
    }
    return TestServers.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void awaitState(ReckonServer s, String id, String state) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < end) {
      String body = TestServers.get(s, "/v1/runs/" + id).body();
      if (Json.MAPPER.readTree(body).at("/status/state").asText().equals(state)
          || Json.MAPPER.readTree(body).at("/state").asText().equals(state)) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("run " + id + " not " + state + " in 90 s");
  }

  @Test
  void lastEventIdOfEveryKindEndsTheStreamOfAFinishedRun() throws Exception {
    try (ReckonServer s = start("", new SyntheticReasoner())) {
      TestServers.awaitReady(s);
      String id = RunsApiTest.submit(s, "{\"questions\":" + RunsApiTest.questions(3)
          + ",\"strategy\":\"best-of-n\",\"budget\":2}");
      awaitState(s, id, "finished");
      // 1 started + 3 questions + 1 finished: the last event is 5.
      HttpResponse<String> all = events(s, id, null);
      assertThat(all.body()).contains("id: 5\nevent: finished");
      for (String last : List.of("5", "6", "1000000", "9223372036854775807",
          "99999999999999999999")) {
        HttpResponse<String> r = events(s, id, last); // completes: the stream ended
        assertThat(r.statusCode()).as(last).isEqualTo(200);
        assertThat(r.body()).as(last).contains("event: progress").doesNotContain("id: ");
      }
      HttpResponse<String> fromFour = events(s, id, "4");
      assertThat(fromFour.body()).contains("id: 5\nevent: finished").doesNotContain("id: 4");
      HttpResponse<String> negative = events(s, id, "-3");
      assertThat(negative.body()).contains("id: 1\nevent: started").contains("id: 5\n");
      assertThat(events(s, id, "garbage").statusCode()).isEqualTo(400);
      assertThat(events(s, id, "1e3").statusCode()).isEqualTo(400);
    }
    assertThat(EventStreams.from(Optional.of("9223372036854775807"))).isEqualTo(Long.MAX_VALUE);
    assertThat(EventStreams.from(Optional.of("9223372036854775806"))).isEqualTo(Long.MAX_VALUE);
    assertThat(EventStreams.from(Optional.of("-9223372036854775808"))).isEqualTo(1);
    assertThatThrownBy(() -> EventStreams.from(Optional.of("1".repeat(40))))
        .isInstanceOf(ApiException.class);
  }

  @Test
  void aStreamResumedPastTheEndOfARunningRunEndsWhenTheRunDoes() throws Exception {
    try (ReckonServer s = start("", new SlowProposer(Duration.ofMillis(300)))) {
      TestServers.awaitReady(s);
      String id = RunsApiTest.submit(s, "{\"questions\":" + RunsApiTest.questions(3)
          + ",\"strategy\":\"best-of-n\",\"budget\":2}");
      HttpResponse<String> r = events(s, id, "1000"); // returns once the stream has ended
      assertThat(r.body()).contains("event: progress").doesNotContain("id: ");
      assertThat(Json.MAPPER.readTree(TestServers.get(s, "/v1/runs/" + id).body())
          .at("/status/state").asText()).isIn("finished", "");
    }
  }

  @Test
  void eventStreamsAreCappedAndEndOnShutdown() throws Exception {
    // The run holds its first batch until the test is over: its streams must end with the
    // server, not with the run. (A fixed delay per batch did not do: 20 questions are one
    // batch, so at 8 s a batch the run could end during the dropped streams below; the capped
    // streams of an ended run send its events and end at once, and a third was admitted.)
    CountDownLatch gate = new CountDownLatch(1);
    ReckonServer s = start("reckon.limits.max-event-streams = 2",
        SlowProposer.until(gate, Duration.ofMinutes(3)));
    List<CompletableFuture<Void>> ends = new ArrayList<>();
    try {
      TestServers.awaitReady(s);
      String id = RunsApiTest.submit(s, "{\"questions\":" + RunsApiTest.questions(20)
          + ",\"strategy\":\"best-of-n\",\"budget\":4}");
      // Streams that clients drop give their places back (once the server's next write to the
      // closed connection fails: within a progress tick or two).
      for (int i = 0; i < 6; i++) {
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        HttpResponse<InputStream> dropped;
        while (true) {
          dropped = TestServers.HTTP.send(HttpRequest.newBuilder(
                  URI.create(TestServers.base(s) + "/v1/runs/" + id + "/events")).GET().build(),
              HttpResponse.BodyHandlers.ofInputStream());
          if (dropped.statusCode() == 200 || System.nanoTime() > until) {
            break;
          }
          dropped.body().close();
          Thread.sleep(200);
        }
        assertThat(dropped.statusCode()).as("stream " + i).isEqualTo(200);
        try (InputStream in = dropped.body()) {
          in.read(new byte[64]);
        }
      }
      // All six dropped: both places free again.
      long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (openStreams(s) > 0 && System.nanoTime() < until) {
        Thread.sleep(200);
      }
      assertThat(openStreams(s)).isZero();
      CountDownLatch opened = new CountDownLatch(2);
      for (int i = 0; i < 2; i++) {
        HttpRequest req = HttpRequest.newBuilder(
            URI.create(TestServers.base(s) + "/v1/runs/" + id + "/events")).GET().build();
        ends.add(TestServers.HTTP.sendAsync(req, HttpResponse.BodyHandlers.ofInputStream())
            .thenAccept(resp -> {
              assertThat(resp.statusCode()).isEqualTo(200);
              opened.countDown();
              try (InputStream in = resp.body()) {
                in.readAllBytes(); // until the server ends the stream
              } catch (Exception e) {
                // a reset connection ends it too
              }
            }));
      }
      assertThat(opened.await(60, TimeUnit.SECONDS)).isTrue();
      // A stream holds its place from when its body starts running, which may come a moment
      // after the client has its 200.
      long held = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (openStreams(s) < 2 && System.nanoTime() < held) {
        Thread.sleep(50);
      }
      assertThat(openStreams(s)).isEqualTo(2.0);
      HttpResponse<String> third = events(s, id, null);
      assertThat(third.statusCode()).isEqualTo(503);
      assertThat(third.headers().firstValue("Retry-After")).isPresent();
      assertThat(third.body()).contains("max-event-streams");
    } finally {
      // The server's shutdown waits (up to its phase's timeout) for the held batch; the streams
      // must not: they end as the shutdown starts, while the run is still held.
      CompletableFuture<Void> closed = CompletableFuture.runAsync(s::close);
      try {
        CompletableFuture.allOf(ends.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
      } finally {
        gate.countDown();
        closed.get(60, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void aBurstOfStreamRequestsCannotOvershootTheCap() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    ReckonServer s = start("reckon.limits.max-event-streams = 2",
        SlowProposer.until(gate, Duration.ofMinutes(3)));
    List<HttpResponse<InputStream>> responses = new ArrayList<>();
    try {
      TestServers.awaitReady(s);
      String id = RunsApiTest.submit(s, "{\"questions\":" + RunsApiTest.questions(4)
          + ",\"strategy\":\"best-of-n\",\"budget\":4}");
      // Twelve at once, none open before: the cap is taken at the check, so exactly two pass.
      HttpRequest req = HttpRequest.newBuilder(
          URI.create(TestServers.base(s) + "/v1/runs/" + id + "/events")).GET().build();
      List<CompletableFuture<HttpResponse<InputStream>>> all = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        all.add(TestServers.HTTP.sendAsync(req, HttpResponse.BodyHandlers.ofInputStream()));
      }
      for (CompletableFuture<HttpResponse<InputStream>> f : all) {
        responses.add(f.get(60, TimeUnit.SECONDS));
      }
      List<Integer> codes = responses.stream().map(HttpResponse::statusCode).toList();
      assertThat(codes).as("statuses").containsOnly(200, 503);
      assertThat(codes.stream().filter(c -> c == 200).count()).as("admitted of " + codes)
          .isEqualTo(2);
      long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (openStreams(s) != 2 && System.nanoTime() < until) {
        Thread.sleep(50);
      }
      assertThat(openStreams(s)).isEqualTo(2.0);
    } finally {
      for (HttpResponse<InputStream> r : responses) {
        r.body().close();
      }
      CompletableFuture<Void> closed = CompletableFuture.runAsync(s::close);
      gate.countDown();
      closed.get(60, TimeUnit.SECONDS);
    }
  }

  private static double openStreams(ReckonServer s) throws Exception {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile(
        "(?m)^reckon_event_streams_open (\\S+)$").matcher(TestServers.get(s, "/metrics").body());
    assertThat(m.find()).as("reckon_event_streams_open in /metrics").isTrue();
    return Double.parseDouble(m.group(1));
  }

  @Test
  void maxRunsHoldsUnderConcurrentSubmissions() throws Exception {
    try (ReckonServer s = start("reckon.serve.max-runs = 2",
        new SlowProposer(Duration.ofMillis(1000)))) {
      TestServers.awaitReady(s);
      String body = "{\"questions\":" + RunsApiTest.questions(8)
          + ",\"strategy\":\"best-of-n\",\"budget\":2}";
      List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
      HttpRequest req = HttpRequest.newBuilder(URI.create(TestServers.base(s) + "/v1/runs"))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build();
      for (int i = 0; i < 12; i++) {
        all.add(TestServers.HTTP.sendAsync(req, HttpResponse.BodyHandlers.ofString()));
      }
      int accepted = 0;
      int refused = 0;
      for (CompletableFuture<HttpResponse<String>> f : all) {
        HttpResponse<String> r = f.get(120, TimeUnit.SECONDS);
        if (r.statusCode() == 202) {
          accepted++;
        } else {
          assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
          assertThat(r.headers().firstValue("Retry-After")).isPresent();
          assertThat(r.body()).contains("max-runs");
          refused++;
        }
      }
      assertThat(accepted).isEqualTo(2);
      assertThat(refused).isEqualTo(10);
    }
  }
}
