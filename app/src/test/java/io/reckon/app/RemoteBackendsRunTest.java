package io.reckon.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whole {@code reckon run}s through the remote backends, against an in-process model server. */
class RemoteBackendsRunTest {
  @TempDir Path dir;
  private FakeModelServer server;

  @BeforeEach
  void start() throws IOException {
    server = new FakeModelServer();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private List<JsonNode> results(Path out) throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> nodes = new java.util.ArrayList<>();
    for (String line : Files.readAllLines(out)) {
      nodes.add(json.readTree(line));
    }
    return nodes;
  }

  @Test
  void remotePolicyAndRemotePrmAnswerEveryQuestion() throws IOException {
    Path data = Cli.smallData(dir, "test.jsonl", 2);
    Path out = dir.resolve("out.jsonl");
    Cli.Result r = Cli.reckon("run", "--data", data.toString(), "--strategy", "beam:m=4", "--budget", "8",
        "--backend", "openai", "--base-url", server.baseUrl(), "--model", "fake-policy",
        "--prm-backend", "pooling", "--prm-base-url", server.baseUrl() + "/v1", "--prm", "fake-prm",
        "--out", out.toString(), "--seed", "3");
    assertThat(r.status()).as(r.err()).isZero();
    List<JsonNode> lines = results(out);
    assertThat(lines).hasSize(12);
    for (JsonNode n : lines) {
      assertThat(n.get("status").asText()).as(n.toString()).isEqualTo("ok");
      assertThat(n.get("tokens").asLong()).isPositive();
      assertThat(n.get("flops").asDouble()).as("parameters unknown").isZero();
      assertThat(n.get("candidates").get(0).get("stepScores").size()).isPositive();
    }
    assertThat(lines.stream().filter(n -> n.get("correct").asBoolean()).count())
        .as("the synthetic model behind the server solves the easy levels")
        .isGreaterThanOrEqualTo(4);
    assertThat(server.completions.get()).isPositive();
    assertThat(server.poolings.get()).isPositive();
    assertThat(server.refused.get()).as("429s were retried, not failed").isPositive();
    assertThat(r.err()).contains("policy's parameter count is unknown", "PRM's parameter count is unknown");
  }

  @Test
  void remotePolicyWithTheLocalOnnxPrm() throws IOException {
    Path data = Cli.smallData(dir, "test.jsonl", 1);
    Path out = dir.resolve("out.jsonl");
    Cli.Result r = Cli.reckon("run", "--data", data.toString(), "--strategy", "best-of-n", "--budget", "4",
        "--backend", "openai", "--base-url", server.baseUrl(), "--model", "fake-policy",
        "--prm-backend", "onnx", "--prm", Cli.root().resolve("models/arith-prm").toString(),
        "--out", out.toString());
    assertThat(r.status()).as(r.err()).isZero();
    assertThat(results(out)).hasSize(6).allMatch(n -> n.get("status").asText().equals("ok"));
    assertThat(server.poolings.get()).isZero();
  }

  @Test
  void localPolicyWithTheRemotePrm() throws IOException {
    Path data = Cli.smallData(dir, "test.jsonl", 1);
    Path out = dir.resolve("out.jsonl");
    Cli.Result r = Cli.reckon("run", "--data", data.toString(), "--strategy", "best-of-n", "--budget", "4",
        "--backend", "synthetic", "--prm-backend", "pooling", "--prm-base-url", server.baseUrl(),
        "--prm", "fake-prm", "--out", out.toString());
    assertThat(r.status()).as(r.err()).isZero();
    assertThat(results(out)).hasSize(6).allMatch(n -> n.get("status").asText().equals("ok"));
    assertThat(server.completions.get()).isZero();
    assertThat(server.poolings.get()).isPositive();
  }

  @Test
  void missingOrMisplacedServerOptionsAreBadInput() throws IOException {
    Path data = Cli.smallData(dir, "test.jsonl", 1);
    String out = dir.resolve("out.jsonl").toString();
    Cli.assertBadInput(
        Cli.reckon("run", "--data", data.toString(), "--backend", "openai", "--out", out),
        "reckon.models.openai.base-url is required", "--base-url URL --model NAME");
    Cli.assertBadInput(
        Cli.reckon("run", "--data", data.toString(), "--backend", "openai", "--base-url", "ftp://x",
            "--model", "m", "--out", out),
        "http(s) URL");
    Cli.assertBadInput(
        Cli.reckon("run", "--data", data.toString(), "--base-url", server.baseUrl(), "--out", out),
        "--base-url is for --backend openai");
    Cli.assertBadInput(
        Cli.reckon("run", "--data", data.toString(), "--prm-backend", "remote", "--out", out),
        "unknown PRM backend 'remote'", "pooling");
    assertThat(Files.exists(dir.resolve("out.jsonl"))).isFalse();
  }
}
