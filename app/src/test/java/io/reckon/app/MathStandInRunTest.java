package io.reckon.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.reckon.search.task.Task;
import io.reckon.search.task.Tasks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole {@code reckon run --task math} runs over 50 MATH-500 questions through {@link
 * MathStandIn}, an OpenAI-compatible stand-in that answers as Llama-3.x-Instruct or
 * Qwen2.5-Math-Instruct would, with each PRM adapter (pooling, RLHFlow, Math-Shepherd): the
 * prompts carry the preset's system prompt and template (the stand-in refuses anything else),
 * steps are cut at the blank line, every answer is extracted, grading matches the stand-in's
 * truth table, and the vote merges {@code \frac12}, {@code 0.5} and {@code \dfrac{1}{2}}.
 */
class MathStandInRunTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Task MATH = Tasks.MATH;
  private static final int QUESTIONS = 50;

  @TempDir Path dir;

  private Path data(int count) throws IOException {
    Path file = dir.resolve("math500-" + count + ".jsonl");
    Files.write(file, Files.readAllLines(Cli.root().resolve("data/math500/test.jsonl")).subList(0, count));
    return file;
  }

  private static List<JsonNode> results(Path out) throws IOException {
    List<JsonNode> nodes = new ArrayList<>();
    for (String line : Files.readAllLines(out)) {
      nodes.add(JSON.readTree(line));
    }
    return nodes;
  }

  private record Run(Cli.Result cli, List<JsonNode> lines, MathStandIn standIn) {}

  private Run run(MathStandIn.Family family, int count, String strategy, String... extra) throws IOException {
    List<MathStandIn.Item> items = MathStandIn.items(count, count >= QUESTIONS ? 4 : 1, MATH);
    MathStandIn standIn = new MathStandIn(family, items);
    try {
      Path out = dir.resolve("out-" + family + "-" + String.join("", extra).hashCode() + ".jsonl");
      List<String> args = new ArrayList<>(List.of("run", "--data", data(count).toString(),
          "--strategy", strategy, "--budget", "8", "--allocation", "fixed", "--backend", "openai",
          "--base-url", standIn.baseUrl(), "--model", "policy", "--prm", "prm",
          "--prm-base-url", standIn.baseUrl(), "--out", out.toString(), "--seed", "7",
          "--preset", family == MathStandIn.Family.LLAMA ? "llama-3-math" : "qwen2.5-math"));
      // "--durable" journals the run (the preset's system prompt must not change the task's
      // digest that a durable run records); the others run in memory.
      List<String> rest = new ArrayList<>(List.of(extra));
      if (!rest.remove("--durable")) {
        args.add("--no-store");
      }
      args.addAll(rest);
      Cli.Result r = Cli.reckon(args.toArray(String[]::new));
      assertThat(standIn.violations).as("requests that did not fit the preset").isEmpty();
      assertThat(r.status()).as(r.err()).isZero();
      return new Run(r, results(out), standIn);
    } finally {
      standIn.close();
    }
  }

  /** Grading equals the truth table; every answer is extracted; scores are the PRM's own. */
  private static void assertGradedAsTheTruth(Run run, int count) {
    assertThat(run.lines()).hasSize(count);
    int merged = 0;
    for (JsonNode n : run.lines()) {
      MathStandIn.Item item = run.standIn().item(n.get("id").asText());
      assertThat(n.get("status").asText()).as(n.toString()).isEqualTo("ok");
      assertThat(n.get("correct").asBoolean()).as("graded %s (%s): %s", item.id(), item.kind(), n.get("answer"))
          .isEqualTo(item.correct());
      for (JsonNode c : n.get("candidates")) {
        assertThat(c.get("answer").isNull()).as("every answer extracted: %s", c).isFalse();
        assertThat(c.get("steps")).as("three steps, each of two lines: %s", c).hasSize(3);
        for (JsonNode step : c.get("steps")) {
          assertThat(step.asText()).doesNotContain("\n\n");
        }
        assertThat(c.get("steps").get(0).asText()).contains("\n");
        JsonNode scores = c.get("stepScores");
        if (scores.size() > 0) {
          assertThat(scores).as("the PRM's step scores, read at the right tokens").hasSize(3);
          for (int k = 0; k < 3; k++) {
            assertThat(scores.get(k).asDouble()).isCloseTo(0.9 - 0.1 * k, within(1e-6));
          }
        }
      }
      if (item.kind() == MathStandIn.Kind.MERGE) {
        merged++;
        assertThat(run.standIn().written.get(item.id()))
            .as("the right answer was written in several ways, each outnumbered by the wrong one")
            .hasSizeGreaterThanOrEqualTo(3);
      }
    }
    long right = run.lines().stream().filter(n -> n.get("correct").asBoolean()).count();
    long expected = run.lines().stream()
        .filter(n -> run.standIn().item(n.get("id").asText()).correct()).count();
    assertThat(right).isEqualTo(expected);
    assertThat(merged).as("questions whose vote must merge equivalent answers").isPositive();
  }

  @Test
  void llamaCompletionsWithTheRlhflowPrm() throws IOException {
    Run run = run(MathStandIn.Family.LLAMA, QUESTIONS, "best-of-n:sel=weighted",
        "--prm-preset", "rlhflow-llama3.1-8b-prm", "--durable");
    assertGradedAsTheTruth(run, QUESTIONS);
    assertThat(run.standIn().policyCalls.get()).isPositive();
    assertThat(run.standIn().rlhflowCalls.get()).isPositive();
    assertThat(run.standIn().scoredSteps.get()).isPositive();
  }

  @Test
  void qwenCompletionsWithThePoolingPrm() throws IOException {
    Run run = run(MathStandIn.Family.QWEN, QUESTIONS, "best-of-n:sel=weighted",
        "--prm-preset", "qwen2.5-math-prm", "--durable");
    assertGradedAsTheTruth(run, QUESTIONS);
    assertThat(run.standIn().poolingCalls.get()).isPositive();
  }

  @Test
  void llamaChatWithTheMathShepherdPrm() throws IOException {
    Run run = run(MathStandIn.Family.LLAMA, QUESTIONS, "best-of-n:sel=weighted", "--api", "chat",
        "--prm-preset", "math-shepherd");
    assertGradedAsTheTruth(run, QUESTIONS);
    assertThat(run.standIn().chatCalls.get()).isPositive();
    assertThat(run.standIn().policyCalls.get()).as("chat only").isZero();
    assertThat(run.standIn().shepherdCalls.get()).isPositive();
  }

  /** Beam search: one step per call (the blank line as the stop string), the prefix continued. */
  @Test
  void beamSearchContinuesStepsCutAtTheBlankLine() throws IOException {
    Run completions = run(MathStandIn.Family.QWEN, 10, "beam:m=4", "--prm-preset", "qwen2.5-math-prm");
    assertGradedAsTheTruth(completions, 10);
    assertThat(completions.standIn().oneStepCalls.get()).isPositive();
    Run chat = run(MathStandIn.Family.LLAMA, 10, "beam:m=4", "--api", "chat",
        "--prm-preset", "rlhflow-llama3.1-8b-prm");
    assertGradedAsTheTruth(chat, 10);
    assertThat(chat.standIn().oneStepCalls.get()).isPositive();
  }

  @Test
  void unknownPresetsAndMismatchedPrmBackendsAreBadInput() throws IOException {
    String data = data(2).toString();
    Cli.assertBadInput(Cli.reckon("run", "--data", data, "--preset", "mistral", "--no-store",
        "--out", dir.resolve("x.jsonl").toString()), "--preset 'mistral'", "llama-3-math", "qwen2.5-math");
    Cli.assertBadInput(Cli.reckon("run", "--data", data, "--backend", "openai",
        "--base-url", "http://127.0.0.1:9", "--model", "m", "--prm-preset", "math-shepherd", "--prm-backend", "pooling",
        "--no-store", "--out", dir.resolve("x.jsonl").toString()), "math-shepherd is a logprob PRM");
    List<String> known = MathStandIn.items(QUESTIONS, 4, MATH).stream()
        .map(MathStandIn.Item::kind).map(Enum::name).collect(Collectors.toList());
    assertThat(known).contains("RIGHT", "WRONG", "MERGE");
  }
}
