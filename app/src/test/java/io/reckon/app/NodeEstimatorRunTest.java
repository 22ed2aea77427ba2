package io.reckon.app;

import static io.reckon.app.Cli.reckon;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.reckon.actors.EstimatorFile;
import io.reckon.runtime.JsonFiles;
import io.reckon.search.ProbeFeatures;
import io.reckon.search.policy.DifficultyEstimator;
import io.reckon.search.policy.Policy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run without a policy reads each question's difficulty with the node's estimator (issue 13:
 * the probe's mean PRM score put hopeless questions mid-range, where the rule weights them most).
 */
class NodeEstimatorRunTest {
  @TempDir Path dir;

  // Reads only the vote's agreement: p = sigmoid(4 (agreement - 0.5) / 0.25 - 3). A probe that
  // agrees fully is predicted easy (0.993); one split four ways hopeless (below 0.05).
  private static final DifficultyEstimator ON_AGREEMENT = new DifficultyEstimator(
      DifficultyEstimator.LOGISTIC, ProbeFeatures.NAMES, List.of(0.5, 0.5, 0.5, 1.0, 0.5),
      List.of(1.0, 1.0, 0.25, 1.0, 1.0), List.of(0.0, 0.0, 4.0, 0.0, 0.0), -3, 0.05).validate();

  @AfterEach
  void clear() {
    System.clearProperty(EstimatorFile.KEY);
    ConfigFactory.invalidateCaches();
  }

  private Path policyFor(List<String> models) throws IOException {
    Policy hand = Policies.handMade(models);
    Policy p = new Policy(hand.models(), hand.budgets(), hand.oracleBins(), hand.predictedBins(),
        ON_AGREEMENT, hand.probeSize(), hand.bins()).validate();
    Path file = dir.resolve("policy-" + models.get(0) + ".json");
    JsonFiles.write(file, p);
    return file;
  }

  private List<JsonNode> run(Path estimator) throws IOException {
    if (estimator != null) {
      System.setProperty(EstimatorFile.KEY, estimator.toString());
    }
    ConfigFactory.invalidateCaches();
    Path out = dir.resolve("out-" + System.nanoTime() + ".jsonl");
    Cli.Result r = reckon("run", "--strategy", "best-of-n", "--budget", "8", "--no-store",
        "--data", Cli.smallData(dir, "test.jsonl", 3).toString(), "--out", out.toString(),
        "--seed", "5");
    assertThat(r.status()).as(r.err()).isZero();
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> lines = new ArrayList<>();
    for (String line : Files.readAllLines(out)) {
      lines.add(json.readTree(line));
    }
    assertThat(lines).hasSize(18);
    return lines;
  }

  private static double predicted(double agreement) {
    return 1 / (1 + Math.exp(-(4 * (agreement - 0.5) / 0.25 - 3)));
  }

  @Test
  void theRuleReadsTheNodesEstimatorWhenItWasLearnedOnTheseModels() throws IOException {
    List<JsonNode> lines = run(policyFor(List.of("synthetic", "synthetic")));
    for (JsonNode n : lines) {
      double agreement = n.get("confidence").asDouble();
      assertThat(n.get("difficulty").asDouble()).as(n.toString())
          .isCloseTo(1 - predicted(agreement), within(1e-9));
    }
  }

  @Test
  void otherModelsOrNoFileLeaveTheMeanPrmScore() throws IOException {
    List<JsonNode> meanScore = run(null);
    List<JsonNode> otherModels = run(policyFor(List.of("arith-policy", "arith-prm")));
    // Lines come in the order questions finish: compare by id.
    Map<String, Double> byId = new HashMap<>();
    meanScore.forEach(n -> byId.put(n.get("id").asText(), n.get("difficulty").asDouble()));
    assertThat(byId).hasSize(18);
    for (JsonNode n : otherModels) {
      assertThat(n.get("difficulty").asDouble()).as(n.get("id").asText())
          .isEqualTo(byId.get(n.get("id").asText()));
    }
    // ... and that is not what the estimator would have said: the first test is not vacuous.
    assertThat(meanScore).anySatisfy(n -> assertThat(n.get("difficulty").asDouble())
        .isNotCloseTo(1 - predicted(n.get("confidence").asDouble()), within(1e-3)));
  }

  @Test
  void aFileThatIsNotAPolicyIsOneLine() throws IOException {
    Path bad = Files.writeString(dir.resolve("bad.json"), "{\"models\": 3}");
    System.setProperty(EstimatorFile.KEY, bad.toString());
    ConfigFactory.invalidateCaches();
    Cli.assertBadInput(reckon("run", "--strategy", "best-of-n", "--budget", "8", "--no-store",
        "--data", Cli.smallData(dir, "test.jsonl", 1).toString(),
        "--out", dir.resolve("x.jsonl").toString()), EstimatorFile.KEY);
  }

  @Test
  @Timeout(120)
  void serveRefusesAFileThatIsNotAPolicyInOneLine() throws IOException {
    Path bad = Files.writeString(dir.resolve("bad.json"), "{\"models\": 3}");
    System.setProperty(EstimatorFile.KEY, bad.toString());
    ConfigFactory.invalidateCaches();
    Cli.assertBadInput(reckon("serve", "--backend", "synthetic", "--port", "0"), EstimatorFile.KEY);
  }
}
