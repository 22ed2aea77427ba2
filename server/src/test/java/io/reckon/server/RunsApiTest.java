package io.reckon.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.reckon.protocol.openai.ErrorResponse;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The runs API over durable runs: submit, watch (SSE with resume), results, cancel, errors. */
class RunsApiTest {
  private static ReckonServer server;

  @BeforeAll
  static void start() throws Exception {
    Path data = Path.of(System.getProperty("reckon.root", ".."), "data");
    server = TestServers.start(TestServers.settings().withDataDir(data));
    TestServers.awaitReady(server);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static String questions(int n) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < n; i++) {
      int x = 3 + i;
      b.append(i == 0 ? "" : ",").append("{\"id\":\"t").append(i).append("\",\"question\":\"")
          .append(x).append("*7+").append(i).append("\",\"answer\":\"").append(x * 7 + i)
          .append("\",\"level\":").append(1 + i % 3).append('}');
    }
    return b.append(']').toString();
  }

  static String submit(ReckonServer s, String body) throws Exception {
    HttpResponse<String> r = TestServers.post(s, "/v1/runs", body, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    return Json.MAPPER.readTree(r.body()).get("id").asText();
  }

  /** One SSE event: its id (-1 for none), name and data. */
  record Sse(long id, String event, String data) {}

  /** Reads events until {@code stopAfter} journal events (or the end); closes the stream. */
  static List<Sse> read(ReckonServer s, String runId, Long lastEventId, int stopAfter)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(
            URI.create(TestServers.base(s) + "/v1/runs/" + runId + "/events"))
        .timeout(Duration.ofSeconds(60)).GET();
    if (lastEventId != null) {
      b.header("Last-Event-ID", Long.toString(lastEventId));
    }
    HttpResponse<Stream<String>> r = TestServers.HTTP.send(b.build(),
        HttpResponse.BodyHandlers.ofLines());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
    List<Sse> out = new ArrayList<>();
    try (Stream<String> lines = r.body()) {
      Iterator<String> it = lines.iterator();
      long id = -1;
      String event = null;
      int journal = 0;
      while (it.hasNext()) {
        String line = it.next();
        if (line.startsWith("id: ")) {
          id = Long.parseLong(line.substring(4));
        } else if (line.startsWith("event: ")) {
          event = line.substring(7);
        } else if (line.startsWith("data: ")) {
          out.add(new Sse(id, event, line.substring(6)));
          if (id >= 0 && ++journal >= stopAfter) {
            break;
          }
          id = -1;
          event = null;
        }
      }
    }
    return out;
  }

  @Test
  void aRunsEventsResumeAfterADisconnectWithoutGapsOrRepeats() throws Exception {
    String id = submit(server, "{\"questions\":" + questions(40) + ",\"strategy\":\"best-of-n\","
        + "\"budget\":4,\"seed\":7}");
    List<Sse> first = read(server, id, null, 6);
    assertThat(first.get(0).event()).isEqualTo("progress");
    List<Long> ids = new ArrayList<>();
    first.stream().filter(e -> e.id() >= 0).forEach(e -> ids.add(e.id()));
    assertThat(ids).hasSize(6).startsWith(1L);
    List<Sse> rest = read(server, id, ids.get(ids.size() - 1), Integer.MAX_VALUE);
    rest.stream().filter(e -> e.id() >= 0).forEach(e -> ids.add(e.id()));
    // 1 started + 40 questions + 1 finished, each once, in order.
    List<Long> expected = new ArrayList<>();
    for (long i = 1; i <= 42; i++) {
      expected.add(i);
    }
    assertThat(ids).isEqualTo(expected);
    Sse last = rest.get(rest.size() - 1);
    assertThat(last.event()).isEqualTo("finished");
    List<Sse> all = new ArrayList<>(first);
    all.addAll(rest);
    assertThat(all.stream().filter(e -> "question".equals(e.event()))
        .map(e -> field(e.data(), "id")).distinct().count())
        .isEqualTo(40);

    HttpResponse<String> results = TestServers.get(server, "/v1/runs/" + id + "/results");
    assertThat(results.statusCode()).isEqualTo(200);
    assertThat(results.headers().firstValue("Content-Type").orElse("")).contains("ndjson");
    String[] lines = results.body().split("\n");
    assertThat(lines).hasSize(40);
    assertThat(Json.MAPPER.readTree(lines[0]).get("answer")).isNotNull();

    JsonNode view = Json.MAPPER.readTree(TestServers.get(server, "/v1/runs/" + id).body());
    assertThat(view.at("/status/state").asText()).isEqualTo("finished");
    assertThat(view.at("/status/done").asInt()).isEqualTo(40);
    assertThat(view.get("levels").size()).isEqualTo(3);
    assertThat(view.at("/pool/total").asLong()).isEqualTo(160);
    assertThat(view.at("/pool/spent").asLong()).isLessThanOrEqualTo(160);
    assertThat(view.get("accuracy").asDouble()).isGreaterThan(0.5);

    JsonNode list = Json.MAPPER.readTree(TestServers.get(server, "/v1/runs").body());
    assertThat(list.get("runs").findValuesAsText("runId")).contains(id);
  }

  private static String field(String json, String name) {
    try {
      return Json.MAPPER.readTree(json).get(name).asText();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void aServerSideFileMustLieUnderTheDataDirectory() throws Exception {
    for (String path : List.of("../pom.xml", "/etc/passwd", "arith/../../pom.xml", "nope.jsonl")) {
      HttpResponse<String> r = TestServers.post(server, "/v1/runs",
          "{\"data\":\"" + path + "\"}", null);
      assertThat(r.statusCode()).as(path).isEqualTo(400);
      assertThat(Json.MAPPER.readValue(r.body(), ErrorResponse.class).error().param())
          .isEqualTo("data");
    }
    String id = submit(server, "{\"data\":\"arith/validation.jsonl\",\"strategy\":\"best-of-n\","
        + "\"budget\":1}");
    HttpResponse<String> cancelled = delete(id);
    assertThat(cancelled.statusCode()).isIn(200, 409); // 409 only if it finished first
    JsonNode view = Json.MAPPER.readTree(TestServers.get(server, "/v1/runs/" + id).body());
    assertThat(view.at("/status/state").asText()).isIn("cancelled", "finished");
  }

  private static HttpResponse<String> delete(String id) throws Exception {
    return TestServers.HTTP.send(HttpRequest.newBuilder(
            URI.create(TestServers.base(server) + "/v1/runs/" + id)).DELETE()
        .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void badSubmissionsAndUnknownRuns() throws Exception {
    HttpResponse<String> r = TestServers.post(server, "/v1/runs",
        "{\"questions\":[{\"question\":\"1+\"}]}", null);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(Json.MAPPER.readValue(r.body(), ErrorResponse.class).error().param())
        .isEqualTo("questions[0].question");
    r = TestServers.post(server, "/v1/runs", "{\"questions\":[{\"question\":\"1+2\"}],"
        + "\"strategy\":\"nope\"}", null);
    assertThat(r.statusCode()).isEqualTo(400);
    r = TestServers.post(server, "/v1/runs", "{\"questions\":[{\"question\":\"1+2\"}],"
        + "\"allocation\":\"gain\"}", null);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(TestServers.get(server, "/v1/runs/260101-000000-none").statusCode())
        .isEqualTo(404);
    assertThat(TestServers.get(server, "/v1/runs/260101-000000-none/events").statusCode())
        .isEqualTo(404);
    assertThat(TestServers.get(server, "/v1/runs/260101-000000-none/results").statusCode())
        .isEqualTo(404);
  }
}
