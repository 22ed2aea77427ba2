package io.reckon.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.reckon.search.task.Tasks;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code reckon serve --preset qwen2.5-math} (the served task is math) in its own process, its
 * policy and PRM the {@link MathStandIn} in this one: an OpenAI chat request with a MATH-500
 * question is answered through the stand-in, and the reply's content is the winning solution as
 * the model wrote it, steps joined by the blank line, the boxed answer in it.
 */
class ServeMathStandInTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");

  @TempDir Path dir;

  @Test
  void aChatRequestIsAnsweredWithTheBoxedAnswerAsTheModelWroteIt() throws Exception {
    List<MathStandIn.Item> items = MathStandIn.items(5, 0, Tasks.MATH);
    MathStandIn.Item item = items.get(0);
    assertThat(item.kind()).isEqualTo(MathStandIn.Kind.RIGHT);
    try (MathStandIn standIn = new MathStandIn(MathStandIn.Family.QWEN, items)) {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Path log = dir.resolve("serve.log");
      ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
          "io.reckon.app.Main", "serve", "--port", "0", "--backend", "openai",
          "--base-url", standIn.baseUrl(), "--model", "policy", "--preset", "qwen2.5-math",
          "--prm-preset", "qwen2.5-math-prm", "--prm-base-url", standIn.baseUrl(), "--prm", "prm");
      pb.environment().put("RECKON_STORE_DIR", dir.resolve("store").toString());
      pb.redirectErrorStream(true).redirectOutput(log.toFile());
      Process p = pb.start();
      try {
        int port = port(p, log);
        String body = JSON.createObjectNode().put("model", "reckon")
            .set("messages", JSON.createArrayNode().add(JSON.createObjectNode()
                .put("role", "user").put("content", item.question()))).toString();
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
            .header("Content-Type", "application/json").timeout(Duration.ofSeconds(120))
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body() + "\n" + Files.readString(log)).isEqualTo(200);
        String content = JSON.readTree(r.body()).at("/choices/0/message/content").asText();
        assertThat(standIn.violations).as("requests that did not fit the preset").isEmpty();
        assertThat(content).as(r.body()).contains("\\boxed{")
            .startsWith("To solve this problem, we first list what is given.\nThen we decide how to combine it.\n\n")
            .endsWith("}$.");
        assertThat(Tasks.MATH.equivalent(Tasks.MATH.extract(content), item.answer()))
            .as("the boxed answer of %s is %s", content, item.answer()).isTrue();
        assertThat(standIn.poolingCalls.get()).as("the PRM scored the candidates").isPositive();
      } finally {
        p.destroy();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
    }
  }

  private static int port(Process p, Path log) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < end) {
      String text = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
      Matcher m = LISTENING.matcher(text);
      if (m.find()) {
        return Integer.parseInt(m.group(1));
      }
      if (!p.isAlive()) {
        throw new AssertionError("reckon serve exited: " + text);
      }
      Thread.sleep(100);
    }
    p.destroyForcibly();
    throw new AssertionError("reckon serve did not start in 90 s: " + Files.readString(log));
  }
}
