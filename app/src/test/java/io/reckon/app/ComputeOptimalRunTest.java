package io.reckon.app;

import static io.reckon.app.Cli.reckon;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.reckon.runtime.JsonFiles;
import io.reckon.search.policy.Policy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ComputeOptimalRunTest {
  @TempDir Path dir;
  private Policy policy;
  private Path policyFile;
  private Path data;

  @BeforeEach
  void setUp() throws IOException {
    policy = Policies.handMade(List.of("synthetic", "synthetic"));
    policyFile = dir.resolve("policy.json");
    JsonFiles.write(policyFile, policy);
    data = Cli.smallData(dir, "test.jsonl", 5);
  }

  private List<JsonNode> run(String allocation, Path out) throws IOException {
    Cli.Result r = reckon("run", "--strategy", "compute-optimal", "--policy", policyFile.toString(),
        "--allocation", allocation, "--budget", "16", "--data", data.toString(),
        "--out", out.toString(), "--seed", "3");
    assertThat(r.status()).as(r.err()).isZero();
    assertThat(r.out()).contains("compute-optimal (allocation " + allocation);
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> lines = new ArrayList<>();
    for (String line : Files.readAllLines(out)) {
      lines.add(json.readTree(line));
    }
    assertThat(lines).hasSize(30);
    return lines;
  }

  /** Every question ran the configuration its predicted bin names, and the bin is the probe's. */
  private void assertPolicyChoices(List<JsonNode> lines) {
    Set<Integer> binsSeen = new HashSet<>();
    for (JsonNode n : lines) {
      assertThat(n.get("status").asText()).isEqualTo("ok");
      int bin = n.get("bin").asInt();
      binsSeen.add(bin);
      double meanScore = 1 - n.get("difficulty").asDouble();
      assertThat(bin).as(n.toString()).isEqualTo(policy.predictedBins().bin(meanScore));
      assertThat(n.get("strategy").asText()).as(n.get("id").asText())
          .isEqualTo(Policies.CHOICE.get(bin - 1));
      assertThat(n.get("probe").asLong()).isEqualTo(4);
      assertThat(n.get("spent").asLong()).isLessThanOrEqualTo(n.get("granted").asLong());
    }
    // The shipped test questions spread over the probe's scores: more than one bin is exercised.
    assertThat(binsSeen).hasSizeGreaterThan(1);
  }

  @Test
  void fixedAllocationGivesEveryQuestionTheBudgetAndThePolicysChoice() throws IOException {
    List<JsonNode> lines = run("fixed", dir.resolve("fixed.jsonl"));
    assertPolicyChoices(lines);
    for (JsonNode n : lines) {
      assertThat(n.get("granted").asLong()).isEqualTo(16);
    }
  }

  @Test
  void gainAllocationKeepsToThePoolAndThePolicysChoice() throws IOException {
    List<JsonNode> lines = run("gain", dir.resolve("gain.jsonl"));
    assertPolicyChoices(lines);
    long spent = lines.stream().mapToLong(n -> n.get("spent").asLong()).sum();
    assertThat(spent).isLessThanOrEqualTo(16L * 30);
  }

  @Test
  void gainNeedsAPolicyAndUnknownModesAreNamed() {
    Cli.assertBadInput(reckon("run", "--strategy", "beam:m=4", "--allocation", "gain",
        "--data", data.toString(), "--out", dir.resolve("x.jsonl").toString()), "compute-optimal");
    Cli.assertBadInput(reckon("run", "--strategy", "compute-optimal", "--policy", policyFile.toString(),
        "--allocation", "psychic", "--data", data.toString(),
        "--out", dir.resolve("x.jsonl").toString()), "psychic", "gain, fixed, rule");
    Cli.assertBadInput(reckon("run", "--strategy", "compute-optimal", "--policy", policyFile.toString(),
        "--budget", "3", "--data", data.toString(),
        "--out", dir.resolve("x.jsonl").toString()), "probe of 4");
  }
}
