package io.reckon.bench.adaptive;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.reckon.runtime.InputLimits;
import io.reckon.runtime.replay.Replay;
import io.reckon.runtime.replay.ReplayFile;
import io.reckon.search.adaptive.AdaptivePool;
import io.reckon.search.adaptive.ReplaySimulation;
import io.reckon.search.adaptive.ReplaySimulation.Recorded;
import io.reckon.search.adaptive.ReplaySimulation.Vote;
import io.reckon.search.adaptive.StoppingRule;
import io.reckon.search.task.Tasks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The experiment's numbers rest on the replay, the task and the simulation agreeing with a count
 * anyone can do by hand: this test reads the date file with nothing but Jackson and a few string
 * operations, and the system's majority@40 must be exactly that count.
 */
class ReplayMajorityTest {

  private static Path root() {
    String r = System.getProperty("reckon.root");
    Path p = r != null ? Path.of(r) : Path.of("").toAbsolutePath();
    while (!Files.isDirectory(p.resolve("data/recorded"))) {
      p = p.getParent();
    }
    return p;
  }

  private static final Path DATE = root().resolve("data/recorded/date.jsonl");

  /** The answer after the last "So the answer is", trimmed of spaces, case and a final period. */
  private static String byHand(String text) {
    int i = text.lastIndexOf("So the answer is");
    if (i < 0) {
      return null;
    }
    String a = text.substring(i + "So the answer is".length()).split("\n")[0].strip();
    if (a.endsWith(".")) {
      a = a.substring(0, a.length() - 1).strip();
    }
    return a.toLowerCase(Locale.ROOT);
  }

  @Test
  void dateMajorityAt40IsTheCountByHand() throws Exception {
    ObjectMapper json = new ObjectMapper();
    int right = 0;
    int questions = 0;
    for (String line : Files.readAllLines(DATE)) {
      JsonNode q = json.readTree(line);
      Map<String, Integer> votes = new LinkedHashMap<>();
      for (JsonNode s : q.get("samples")) {
        String a = byHand(s.get("final").asText());
        if (a != null) {
          votes.merge(a, 1, Integer::sum);
        }
      }
      String top = null;
      for (Map.Entry<String, Integer> e : votes.entrySet()) {
        if (top == null || e.getValue() > votes.get(top)) {
          top = e.getKey();
        }
      }
      questions++;
      if (top != null && top.equals(q.get("answer").asText().strip().toLowerCase(Locale.ROOT))) {
        right++;
      }
    }
    assertThat(questions).isEqualTo(359);
    assertThat(right).isEqualTo(277); // 77.2 %: what the README's table reports for majority@40

    ReplayFile file = ReplayFile.read(DATE, InputLimits.DEFAULTS);
    List<Recorded> qs = AdaptiveBench.recorded(file, Tasks.SHORT_ANSWER);
    int[][][] orders = ReplaySimulation.orders(qs, 3, 0, (s, q) -> Replay.order(s, q.id(), q.samples()));
    ReplaySimulation.Outcome all = ReplaySimulation.fixed(qs, orders, 40, Vote.MAJORITY);
    // With every sample in, the order can change only a tie's winner: none of these questions ties.
    assertThat(all.accuracy() * 359).isCloseTo(right, org.assertj.core.api.Assertions.within(1e-6));
  }

  @Test
  void thePoolSpendsNoMoreThanItsBudgetOnTheReplay() {
    ReplayFile file = ReplayFile.read(DATE, InputLimits.DEFAULTS);
    List<Recorded> qs = AdaptiveBench.recorded(file, Tasks.SHORT_ANSWER);
    int[][][] orders = ReplaySimulation.orders(qs, 2, 0, (s, q) -> Replay.order(s, q.id(), q.samples()));
    ReplaySimulation.Outcome pool = ReplaySimulation.pooled(qs, orders,
        new AdaptivePool.Settings(new StoppingRule.PosteriorBeta(0.95), 1, 40, 0.2), 4, Vote.MAJORITY);
    assertThat(pool.meanSamples()).isLessThanOrEqualTo(4.0);
    // The date samples agree with each other almost always: four agreeing samples settle a question.
    ReplaySimulation.Outcome ac = ReplaySimulation.independent(qs, orders,
        new StoppingRule.PosteriorBeta(0.95), 40, 1, Vote.MAJORITY);
    assertThat(ac.meanSamples()).isBetween(4.0, 40.0 / 6);
  }
}
