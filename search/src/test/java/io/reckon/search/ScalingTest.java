package io.reckon.search;

import static org.assertj.core.api.Assertions.assertThat;

import io.reckon.protocol.Outcome;
import io.reckon.protocol.Question;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Test-time compute pays: on medium questions, weighted best-of-N gets better as N grows. */
class ScalingTest {

  private static double accuracy(List<Question> questions, ToyReasoner model, String spec, int n) {
    StrategyConfig config = StrategyConfig.parse(spec);
    List<SearchStrategy> strategies = questions.stream()
        .map(q -> config.create(StrategyContext.of(q, n, Seeds.mix(2024, q.id().hashCode()))))
        .toList();
    List<Outcome> outcomes = new SyncDriver(model::generate, model::score).runAll(strategies);
    long right = 0;
    for (int i = 0; i < questions.size(); i++) {
      if (Answers.equivalent(outcomes.get(i).answer(), questions.get(i).answer())) {
        right++;
      }
    }
    return (double) right / questions.size();
  }

  @Test
  void weightedBestOfNAccuracyRisesWithNOnMediumQuestions() {
    List<Question> medium = Repo.questions("validation.jsonl").stream()
        .filter(q -> q.level() == 3 || q.level() == 4)
        .toList();
    assertThat(medium).hasSizeGreaterThanOrEqualTo(150);
    Map<String, long[]> truths = new HashMap<>();
    medium.forEach(q -> truths.put(q.text(), new long[] {Long.parseLong(q.answer()), q.level()}));
    ToyReasoner model = new ToyReasoner(truths);

    double n1 = accuracy(medium, model, "weighted-bon", 1);
    double n4 = accuracy(medium, model, "weighted-bon", 4);
    double n16 = accuracy(medium, model, "weighted-bon", 16);
    // margins are several standard errors wide at 200 questions, so the rise is no accident
    assertThat(n4).as("N=4 vs N=1 (%.3f, %.3f, %.3f)", n1, n4, n16).isGreaterThan(n1 + 0.1);
    assertThat(n16).as("N=16 vs N=4 (%.3f, %.3f, %.3f)", n1, n4, n16).isGreaterThan(n4 + 0.05);
    // and the verifier earns its keep: weighted beats a plain majority vote at N=16
    assertThat(n16).isGreaterThanOrEqualTo(accuracy(medium, model, "majority", 16));
  }
}
