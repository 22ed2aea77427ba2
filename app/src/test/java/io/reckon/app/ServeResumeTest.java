package io.reckon.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code reckon serve} process killed with SIGKILL in the middle of a run submitted over HTTP
 * resumes that run by itself when it is started again on the same store, and no question is
 * answered twice.
 */
class ServeResumeTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");
  private static final int QUESTIONS = 20;

  @TempDir Path dir;

  private record Server(Process process, int port) {}

  private Server start(Path store, Path log) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        "io.reckon.app.Main", "serve", "--backend", "synthetic", "--port", "0");
    pb.environment().put("RECKON_STORE_DIR", store.toString());
    // Slow enough that the run is still going when the process is killed.
    pb.environment().put("RECKON_CONCURRENCY", "2");
    pb.environment().put("RECKON_LINGER", "30ms");
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    Process p = pb.start();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < end) {
      Matcher m = LISTENING.matcher(Files.readString(log, StandardCharsets.UTF_8));
      if (m.find()) {
        return new Server(p, Integer.parseInt(m.group(1)));
      }
      if (!p.isAlive()) {
        throw new AssertionError("reckon serve exited: " + Files.readString(log));
      }
      Thread.sleep(100);
    }
    p.destroyForcibly();
    throw new AssertionError("reckon serve did not start in 60 s: " + Files.readString(log));
  }

  private static JsonNode get(Server s, String path) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + s.port() + path)).timeout(Duration.ofSeconds(30))
        .GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  @Test
  void aKilledServerResumesTheRunItWasGivenOverHttp() throws Exception {
    Path store = dir.resolve("store");
    Server first = start(store, dir.resolve("first.log"));
    String runId;
    try {
      StringBuilder qs = new StringBuilder("[");
      for (int i = 0; i < QUESTIONS; i++) {
        qs.append(i == 0 ? "" : ",").append("{\"id\":\"k").append(i).append("\",\"question\":\"")
            .append(11 + i).append("*3-").append(i).append("+4\"}");
      }
      String body = "{\"questions\":" + qs + "],\"strategy\":\"beam:m=4\",\"budget\":8,"
          + "\"allocation\":\"fixed\"}";
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + first.port() + "/v1/runs"))
          .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
      runId = JSON.readTree(r.body()).get("id").asText();
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      int done = 0;
      while (done < 3 && System.nanoTime() < end) {
        Thread.sleep(100);
        done = get(first, "/v1/runs/" + runId).at("/status/done").asInt();
      }
      assertThat(done).as("questions done before the kill").isBetween(3, QUESTIONS - 1);
    } finally {
      first.process().destroyForcibly(); // SIGKILL: no shutdown hook, no goodbye
      first.process().waitFor(30, TimeUnit.SECONDS);
    }

    Server second = start(store, dir.resolve("second.log"));
    try {
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      JsonNode view = get(second, "/v1/runs/" + runId);
      while (!view.at("/status/state").asText().equals("finished") && System.nanoTime() < end) {
        Thread.sleep(200);
        view = get(second, "/v1/runs/" + runId);
      }
      assertThat(view.at("/status/state").asText()).isEqualTo("finished");
      assertThat(view.at("/status/done").asInt()).isEqualTo(QUESTIONS);
      HttpResponse<String> results = HTTP.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + second.port() + "/v1/runs/" + runId + "/results"))
          .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
      String[] lines = results.body().split("\n");
      Set<String> ids = new HashSet<>();
      for (String line : lines) {
        ids.add(JSON.readTree(line).get("id").asText());
      }
      assertThat(lines).hasSize(QUESTIONS);
      assertThat(ids).hasSize(QUESTIONS);
    } finally {
      second.process().destroy();
      second.process().waitFor(30, TimeUnit.SECONDS);
    }
  }
}
