package io.reckon.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A run's view (GET /v1/runs/ID) folds on from where the last view of the run left off: polled
 * while the run runs, several at once, each question is still counted exactly once.
 */
class RunViewTest {
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

  private static JsonNode view(String id) {
    try {
      HttpResponse<String> r = TestServers.get(server, "/v1/runs/" + id);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      return Json.MAPPER.readTree(r.body());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static long sum(JsonNode slices, String field) {
    long n = 0;
    for (Iterator<JsonNode> it = slices.elements(); it.hasNext(); ) {
      n += it.next().get(field).asLong();
    }
    return n;
  }

  @Test
  void viewsPolledWhileTheRunRunsCountEachQuestionOnce() throws Exception {
    String id = RunsApiTest.submit(server, "{\"questions\":" + RunsApiTest.questions(60)
        + ",\"strategy\":\"best-of-n\",\"budget\":4,\"seed\":11}");
    JsonNode v = view(id);
    int polls = 0;
    while (!"finished".equals(v.at("/status/state").asText()) && polls++ < 2000) {
      // Three at once: they fold the same run's tally one after another.
      List<CompletableFuture<JsonNode>> at = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        at.add(CompletableFuture.supplyAsync(() -> view(id)));
      }
      for (CompletableFuture<JsonNode> f : at) {
        JsonNode seen = f.get();
        // Never more counted than finished: a question folded twice would show here.
        assertThat(sum(seen.get("levels"), "done")).isLessThanOrEqualTo(60);
      }
      v = view(id);
    }
    assertThat(v.at("/status/state").asText()).isEqualTo("finished");
    assertThat(v.at("/status/done").asInt()).isEqualTo(60);
    assertThat(sum(v.get("levels"), "done")).isEqualTo(60);
    assertThat(sum(v.get("bins"), "done")).isEqualTo(60);
    assertThat(v.at("/pool/total").asLong()).isEqualTo(240);
    // Viewed again, unchanged.
    assertThat(view(id)).isEqualTo(v);
  }
}
