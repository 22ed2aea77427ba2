package io.reckon.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reckon.protocol.GenerateRequest;
import io.reckon.protocol.Outcome;
import io.reckon.protocol.Question;
import io.reckon.protocol.ScoreRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SyncDriverTest {
  private static final Map<String, long[]> TRUTHS =
      Map.of("toy-a", new long[] {12, 3}, "toy-b", new long[] {-4, 5}, "toy-c", new long[] {99, 2});
  private static final ToyReasoner MODEL = new ToyReasoner(TRUTHS);
  private static final List<String> SPECS = List.of("weighted-bon", "beam:m=2", "dvts:m=2");

  private static List<SearchStrategy> strategies() {
    List<SearchStrategy> out = new ArrayList<>();
    String[] texts = {"toy-a", "toy-b", "toy-c"};
    for (int i = 0; i < 3; i++) {
      Question q = new Question("q" + i, texts[i], Long.toString(TRUTHS.get(texts[i])[0]), 1);
      out.add(StrategyConfig.parse(SPECS.get(i)).create(StrategyContext.of(q, 8, 100 + i)));
    }
    return out;
  }

  private static final class Recorder {
    final List<List<GenerateRequest>> generateCalls = new ArrayList<>();
    final List<List<ScoreRequest>> scoreCalls = new ArrayList<>();

    SyncDriver driver() {
      return new SyncDriver(
          batch -> {
            generateCalls.add(batch);
            return MODEL.generate(batch);
          },
          batch -> {
            scoreCalls.add(batch);
            return MODEL.score(batch);
          });
    }
  }

  @Test
  void batchesTheRequestsOfSeveralStrategiesIntoOneCallPerModel() {
    List<Outcome> alone = new ArrayList<>();
    int maxGenerateCalls = 0;
    int maxScoreCalls = 0;
    for (SearchStrategy s : strategies()) {
      Recorder r = new Recorder();
      alone.add(r.driver().run(s));
      maxGenerateCalls = Math.max(maxGenerateCalls, r.generateCalls.size());
      maxScoreCalls = Math.max(maxScoreCalls, r.scoreCalls.size());
    }
    Recorder together = new Recorder();
    List<Outcome> outcomes = together.driver().runAll(strategies());

    // the first call carries every strategy's first requests
    Set<String> firstBatch = together.generateCalls.get(0).stream()
        .map(GenerateRequest::questionId).collect(Collectors.toSet());
    assertThat(firstBatch).containsExactlyInAnyOrder("q0", "q1", "q2");
    Set<String> firstScores = together.scoreCalls.get(0).stream()
        .map(ScoreRequest::questionId).collect(Collectors.toSet());
    assertThat(firstScores).containsExactlyInAnyOrder("q0", "q1", "q2");
    // rounds run side by side: as many calls as the longest strategy needs, not their sum
    assertThat(together.generateCalls).hasSize(maxGenerateCalls);
    assertThat(together.scoreCalls).hasSize(maxScoreCalls);
    // and batching changes nothing in the results
    assertThat(outcomes).isEqualTo(alone);
    assertThat(outcomes).extracting(Outcome::questionId).containsExactly("q0", "q1", "q2");
  }

  @Test
  void aModelThatLosesRepliesIsAnError() {
    SyncDriver lossy = new SyncDriver(
        batch -> MODEL.generate(batch).subList(0, batch.size() - 1), MODEL::score);
    assertThatThrownBy(() -> lossy.runAll(strategies()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("model answered 5 of 6 requests"); // 1 + 1 + 4 DVTS subtrees
  }
}
