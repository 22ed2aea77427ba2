package io.reckon.app;

import static io.reckon.app.Cli.reckon;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report on a small synthetic sweep: its sections and summary keys, never its accuracies. */
class ReportCommandTest {
  @TempDir static Path dir;
  static Path policy;
  static Path testSweep;
  static Path fixed;
  static Path gain;
  static Path greedy;
  static Path small;
  static Path large;

  private static void ok(Cli.Result r) {
    assertThat(r.status()).as(r.err()).isZero();
  }

  @BeforeAll
  static void pipeline() throws IOException {
    String grid = "weighted-bon;majority;beam:m=2;revisions:len=1;revisions:len=all;dvts:m=2";
    policy = dir.resolve("policy.json");
    ok(reckon("sweep", "--data", Cli.smallData(dir, "validation.jsonl", 3).toString(),
        "--budgets", "1,2,4", "--grid", grid, "--bins", "3", "--probe", "2",
        "--out", policy.toString(), "--sweep-out", dir.resolve("val-sweep.json").toString()));
    Path test = Cli.smallData(dir, "test.jsonl", 3);
    testSweep = dir.resolve("test-sweep.json");
    ok(reckon("sweep", "--data", test.toString(), "--budgets", "1,2,4", "--grid", grid, "--probe", "2",
        "--sweep-out", testSweep.toString(), "--seed", "1"));
    fixed = dir.resolve("fixed.jsonl");
    gain = dir.resolve("gain.jsonl");
    for (Path out : List.of(fixed, gain)) {
      ok(reckon("run", "--strategy", "compute-optimal", "--policy", policy.toString(), "--budget", "4",
          "--allocation", out == fixed ? "fixed" : "gain", "--data", test.toString(),
          "--out", out.toString()));
    }
    greedy = dir.resolve("greedy.jsonl");
    ok(reckon("run", "--strategy", "best-of-n:temp=0", "--budget", "1", "--data", test.toString(),
        "--out", greedy.toString()));
    small = Files.createDirectories(dir.resolve("small"));
    large = Files.createDirectories(dir.resolve("large"));
    Files.writeString(small.resolve("config.json"),
        "{\"name\": \"small\", \"parameters\": 1000000, \"training_tokens\": 200000000}");
    Files.writeString(large.resolve("config.json"),
        "{\"name\": \"large\", \"parameters\": 9000000, \"training_tokens\": 200000000}");
  }

  private static JsonNode report(Path out, String... extra) throws IOException {
    List<String> args = new ArrayList<>(List.of("report", "--sweep", testSweep.toString(),
        "--policy", policy.toString(), "--out", out.toString()));
    args.addAll(List.of(extra));
    Cli.Result r = reckon(args.toArray(String[]::new));
    ok(r);
    assertThat(r.out()).contains("summary.json");
    return new ObjectMapper().readTree(out.resolveSibling("summary.json").toFile());
  }

  @Test
  void everySectionAndEveryHeadlineKey() throws IOException {
    Path out = Files.createDirectories(dir.resolve("full")).resolve("report.html");
    JsonNode s = report(out, "--runs", "fixed:4=" + fixed, "scheduler:4=" + gain,
        "--large-greedy", greedy.toString(), "--small-model", small.toString(),
        "--large-model", large.toString(), "--verifier-model", small.toString());

    String html = Files.readString(out);
    assertThat(html).startsWith("<!DOCTYPE html>").endsWith("</html>\n");
    for (String id : List.of("headline", "accuracy", "difficulty", "bins", "revisions", "efficiency",
        "scheduler", "flops", "method")) {
      assertThat(html).contains("<section id=\"" + id + "\">");
    }
    assertThat(html).contains("data:image/png;base64,").doesNotContain("src=\"http");
    assertThat(html).contains("compute-optimal, predicted bins (2-fold CV)", "oracle bins");

    assertThat(s.fieldNames()).toIterable().containsExactly("inputs", "budgets", "accuracy",
        "computeOptimal", "difficulty", "perBin", "revisions", "efficiency", "runs", "scheduler",
        "flopsMatched", "targets");
    assertThat(s.get("accuracy").has("best-of-n:sel=weighted,agg=last")).isTrue();
    // every headline number carries its 95 % interval, the value inside it
    for (JsonNode cell : s.get("accuracy").get("best-of-n:sel=weighted,agg=last")) {
      assertThat(cell.fieldNames()).toIterable().containsExactly("value", "low", "high");
      assertThat(cell.get("low").asDouble()).isLessThanOrEqualTo(cell.get("value").asDouble());
      assertThat(cell.get("high").asDouble()).isGreaterThanOrEqualTo(cell.get("value").asDouble());
    }
    assertThat(html).containsPattern("\\d+\\.\\d% \\[\\d+\\.\\d, \\d+\\.\\d\\]");
    JsonNode gain = s.get("scheduler").get(0);
    assertThat(gain.get("gainPoints").has("low")).isTrue();
    assertThat(gain.get("verdict").asText()).isIn("gain", "loss", ReportSummary.NOT_DISTINGUISHABLE);
    if (gain.get("gainPoints").get("low").asDouble() <= 0 && gain.get("gainPoints").get("high").asDouble() >= 0) {
      assertThat(gain.get("verdict").asText()).isEqualTo(ReportSummary.NOT_DISTINGUISHABLE);
    }
    assertThat(s.get("difficulty").get("confusion")).hasSize(3);
    assertThat(s.get("difficulty").get("spearman").has("value")).isTrue();
    assertThat(s.get("inputs").get("difficultyGenerations").asDouble()).isPositive();
    assertThat(s.get("flopsMatched").get("readAt").asText()).contains("log scale")
        .contains("verifier").contains("predicted bins").contains("Oracle bins");
    assertThat(s.get("computeOptimal").get("predictedBins").get("accuracy")).hasSize(3);
    assertThat(s.get("computeOptimal").get("oracleBins").get("perBin")).hasSize(3);
    assertThat(s.get("perBin").get("bins")).hasSize(3);
    assertThat(s.get("revisions").get("available").asBoolean()).isTrue();
    assertThat(s.get("scheduler")).hasSize(1);
    assertThat(s.get("scheduler").get(0).has("gainPoints")).isTrue();
    JsonNode flops = s.get("flopsMatched");
    assertThat(flops.get("available").asBoolean()).isTrue();
    assertThat(flops.get("ratios")).hasSize(3);
    assertThat(flops.get("ratios").get(0).get("r").asDouble()).isEqualTo(0.16);
    assertThat(flops.get("ratios").get(2).get("bins")).hasSize(4); // 3 bins and all
    assertThat(s.get("targets").get("schedulerGain").get("met").isBoolean()).isTrue();
    assertThat(s.get("targets").has("fourTimesFewerGenerations")).isTrue();
  }

  @Test
  void aWidenedModelCountsThePretrainingFlopsItsCardGives() throws IOException {
    // 1e8 tokens at 1M parameters before widening, 1e8 more at 9M: 6.0e14 + 5.4e15 FLOPs
    Path widened = Files.createDirectories(dir.resolve("widened"));
    Files.writeString(widened.resolve("config.json"), "{\"name\": \"widened\", \"parameters\": 9000000, "
        + "\"training_tokens\": 200000000, \"pretraining_flops\": 6.0e15}");
    Path out = Files.createDirectories(dir.resolve("widened-report")).resolve("r.html");
    JsonNode s = report(out, "--large-greedy", greedy.toString(), "--small-model", small.toString(),
        "--large-model", widened.toString(), "--verifier-model", small.toString());
    JsonNode card = s.get("flopsMatched").get("large");
    assertThat(card.get("trainingTokens").asDouble()).isCloseTo(6.0e15 / (6 * 9e6), within(1.0));
    Files.writeString(widened.resolve("config.json"), "{\"name\": \"widened\", \"parameters\": 9000000, "
        + "\"training_tokens\": 200000000, \"pretraining_flops\": -1}");
    Cli.assertBadInput(reckon("report", "--sweep", testSweep.toString(), "--policy", policy.toString(),
        "--large-greedy", greedy.toString(), "--small-model", small.toString(),
        "--large-model", widened.toString(), "--out", out.toString()), "pretraining_flops");
  }

  @Test
  void aSweepLimitedBySearchMaxComparesRevisionRatiosAtItsLimit() throws IOException {
    Path limited = dir.resolve("limited-sweep.json");
    ok(reckon("sweep", "--data", Cli.smallData(dir, "test.jsonl", 3).toString(), "--budgets", "1,2,4",
        "--grid", "weighted-bon;revisions:len=1;revisions:len=all", "--probe", "2", "--search-max", "2",
        "--sweep-out", limited.toString(), "--seed", "1"));
    Path out = Files.createDirectories(dir.resolve("limited")).resolve("r.html");
    Cli.Result r = reckon("report", "--sweep", limited.toString(), "--policy", policy.toString(),
        "--out", out.toString());
    ok(r);
    JsonNode rev = new ObjectMapper().readTree(out.resolveSibling("summary.json").toFile()).get("revisions");
    assertThat(rev.get("available").asBoolean()).isTrue();
    assertThat(rev.get("budget").asInt()).isEqualTo(2);
  }

  @Test
  void withoutTheLargerModelTheFlopsSectionSaysSo() throws IOException {
    Path out = Files.createDirectories(dir.resolve("bare")).resolve("r.html");
    JsonNode s = report(out);
    assertThat(s.get("flopsMatched").get("available").asBoolean()).isFalse();
    assertThat(s.get("scheduler")).isEmpty();
    assertThat(s.get("targets").get("schedulerGain").get("met").isNull()).isTrue();
    assertThat(Files.readString(out)).contains("Not available: no greedy results of the larger model");
  }

  @Test
  void badInputIsOneLine() {
    Path out = dir.resolve("x.html");
    Cli.assertBadInput(reckon("report", "--sweep", dir.resolve("none.json").toString(),
        "--policy", policy.toString(), "--out", out.toString()), "none.json", "not found");
    Cli.assertBadInput(reckon("report", "--sweep", testSweep.toString(), "--policy", policy.toString(),
        "--runs", "weird=" + fixed, "--out", out.toString()), "KIND:N=FILE");
    Cli.assertBadInput(reckon("report", "--sweep", testSweep.toString(), "--policy", policy.toString(),
        "--runs", "fixed:1=" + fixed, "--out", out.toString()), "not a fixed run at N=1");
    Cli.assertBadInput(reckon("report", "--sweep", policy.toString(), "--policy", policy.toString(),
        "--out", out.toString()), "missing field 'settings'");
    assertThat(out).doesNotExist();
  }
}
