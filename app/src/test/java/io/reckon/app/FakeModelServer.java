package io.reckon.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.reckon.protocol.Continuation;
import io.reckon.protocol.GenerateReply;
import io.reckon.protocol.GenerateRequest;
import io.reckon.protocol.ScoreRequest;
import io.reckon.runtime.synthetic.SyntheticReasoner;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A model server for end-to-end tests on the loopback address (port 0): the synthetic reasoner
 * behind the OpenAI completions API ({@code /v1/completions}, the shipped prompt format) and vLLM's
 * pooling API ({@code /pooling}, Qwen2.5-Math-PRM's default template and {@code <extra_0>}
 * separator, rows of {@code [P(bad), P(good)]}), answering in the documented shapes. Every
 * fifth completions call is first refused with 429 and {@code Retry-After: 0}, so that a run
 * goes through the retry path too.
 */
final class FakeModelServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String USER = "<|im_start|>user\n";
  private static final String ASSISTANT = "<|im_end|>\n<|im_start|>assistant\n";
  private static final String END = "<|im_end|><|endoftext|>";

  private final HttpServer server;
  private final ExecutorService threads = Executors.newFixedThreadPool(8);
  private final SyntheticReasoner model = new SyntheticReasoner();
  final AtomicInteger completions = new AtomicInteger();
  final AtomicInteger poolings = new AtomicInteger();
  final AtomicInteger refused = new AtomicInteger();
  private final AtomicInteger requestIds = new AtomicInteger();

  FakeModelServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(threads);
    server.createContext("/v1/completions", this::complete);
    server.createContext("/pooling", this::pool);
    server.start();
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private void complete(HttpExchange exchange) throws IOException {
    JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
    if (completions.incrementAndGet() % 5 == 0) {
      refused.incrementAndGet();
      exchange.getResponseHeaders().add("Retry-After", "0");
      answer(exchange, 429, "{\"error\": {\"message\": \"busy\"}}");
      return;
    }
    String prompt = body.get("prompt").asText();
    List<String> lines = new ArrayList<>(Arrays.asList(prompt.split("\n")));
    String question = lines.remove(0).substring("Q: ".length());
    boolean oneStep = body.has("stop");
    GenerateRequest r = new GenerateRequest(
        requestIds.incrementAndGet(), "q", question, List.of(), lines, body.get("n").asInt(),
        oneStep ? 1 : 0, body.get("temperature").asDouble(), body.get("seed").asLong(), 1);
    GenerateReply reply = model.generate(List.of(r)).get(0);
    ObjectNode root = JSON.createObjectNode();
    root.put("id", "cmpl-" + r.requestId()).put("object", "text_completion").put("model", body.get("model").asText());
    ArrayNode choices = root.putArray("choices");
    long completion = 0;
    for (int i = 0; i < reply.continuations().size(); i++) {
      Continuation c = reply.continuations().get(i);
      ObjectNode choice = choices.addObject();
      String text = String.join("\n", c.steps());
      choice.put("index", i).put("text", oneStep && !c.finished() ? text : text + "\n");
      choice.put("finish_reason", "stop");
      if (oneStep && !c.finished()) {
        choice.put("stop_reason", "\n");
      } else {
        choice.putNull("stop_reason");
      }
      choice.putNull("logprobs");
      completion += c.tokens();
    }
    root.putObject("usage")
        .put("prompt_tokens", prompt.length())
        .put("completion_tokens", completion)
        .put("total_tokens", prompt.length() + completion);
    answer(exchange, 200, root.toString());
  }

  private void pool(HttpExchange exchange) throws IOException {
    poolings.incrementAndGet();
    JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
    ObjectNode root = JSON.createObjectNode();
    root.put("id", "pool-1").put("object", "list").put("created", 0).put("model", body.get("model").asText());
    ArrayNode data = root.putArray("data");
    long tokens = 0;
    JsonNode input = body.get("input");
    for (int i = 0; i < input.size(); i++) {
      String text = input.get(i).asText();
      int q = text.indexOf(USER) + USER.length();
      int a = text.indexOf(ASSISTANT);
      String question = text.substring(q, a);
      String steps = text.substring(a + ASSISTANT.length(), text.length() - END.length());
      List<String> list = new ArrayList<>(Arrays.asList(steps.split("<extra_0>", -1)));
      list.remove(list.size() - 1);
      List<Double> scores =
          model.score(List.of(new ScoreRequest(i, "q", question, List.of(list)))).get(0).scores().get(0);
      ObjectNode entry = data.addObject();
      entry.put("index", i).put("object", "pooling");
      ArrayNode rows = entry.putArray("data");
      for (double p : scores) {
        rows.addArray().add(1 - p).add(p);
      }
      tokens += text.length();
    }
    root.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens).put("completion_tokens", 0);
    answer(exchange, 200, root.toString());
  }

  private static void answer(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
