package io.reckon.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import io.reckon.protocol.Candidate;
import io.reckon.protocol.Compute;
import io.reckon.protocol.QuestionResult;
import io.reckon.protocol.openai.ReckonOptions;
import io.reckon.search.task.Tasks;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A request's task: chosen by reckon.task or the served model's default, used by the reply. */
class TaskChoiceTest {
  private static final ServerSettings ARITH_SERVER = ServerSettings.from(ConfigFactory.load());
  private static final ServerSettings MATH_SERVER = ServerSettings.from(
      ConfigFactory.parseString("reckon.serve.task = math").withFallback(ConfigFactory.load())
          .resolve());
  private static final SearchChoice.PolicySource NO_POLICY = SearchChoice.PolicySource.none("-");

  @Test
  void theFieldWinsOverTheServedModelsDefault() {
    assertThat(SearchChoice.resolve("reckon", null, ARITH_SERVER, NO_POLICY).task())
        .isSameAs(ARITH_SERVER.tasks().get("arith"));
    assertThat(SearchChoice.resolve("reckon", null, MATH_SERVER, NO_POLICY).task().name())
        .isEqualTo("math");
    ReckonOptions gsm8k = new ReckonOptions(null, null, null, null, "gsm8k");
    assertThat(SearchChoice.resolve("reckon/best-of-n@8", gsm8k, MATH_SERVER, NO_POLICY).task()
        .name()).isEqualTo("gsm8k");
  }

  @Test
  void anUnknownTaskIsABadRequestNamingTheField() {
    ReckonOptions aime = new ReckonOptions(null, null, null, null, "aime");
    assertThatThrownBy(() -> SearchChoice.resolve("reckon", aime, ARITH_SERVER, NO_POLICY))
        .isInstanceOfSatisfying(ApiException.class, e -> {
          assertThat(e.status()).isEqualTo(400);
          assertThat(e.body().error().param()).isEqualTo("reckon.task");
        })
        .hasMessageContaining("unknown task 'aime': known tasks are arith, gsm8k, math");
  }

  @Test
  void anUnknownServedTaskIsAConfigurationErrorNamingTheKey() {
    assertThatThrownBy(() -> ServerSettings.from(ConfigFactory.parseString(
            "reckon.serve.task = aime").withFallback(ConfigFactory.load()).resolve()))
        .hasMessageContaining("reckon.serve.task")
        .hasMessageContaining("unknown task 'aime'");
  }

  @Test
  void aReplysDistinctAnswersAreDistinctUnderTheTask() {
    List<Candidate> candidates = List.of(
        candidate(List.of("## Step 1: halve", "So $\\boxed{\\frac{1}{2}}$."), "\\frac{1}{2}", 0.4),
        candidate(List.of("Compute.", "\\boxed{0.5}"), "0.5", 0.9),
        candidate(List.of("Guess.", "\\boxed{2}"), "2", 0.8));
    QuestionResult r = new QuestionResult("q", null, "\\frac{1}{2}", null, null,
        QuestionResult.OK, null, "best-of-n", null, 0, 3, 3, 0, 0, null, null, 0, Compute.ZERO,
        candidates);
    List<Replies.Ranked> math = Replies.top(r, 5, List.of(), Tasks.MATH);
    assertThat(math).extracting(Replies.Ranked::answer).containsExactly("0.5", "2");
    assertThat(math.get(0).weight()).isEqualTo(1.3, org.assertj.core.data.Offset.offset(1e-9));
    // the winning solution as the model wrote it: steps joined by the task's blank line
    assertThat(math.get(0).text()).isEqualTo("Compute.\n\n\\boxed{0.5}");
    // as text the three are three answers
    assertThat(Replies.top(r, 5, List.of(), Tasks.ARITH)).hasSize(3);
  }

  private static Candidate candidate(List<String> steps, String answer, double score) {
    return new Candidate(steps, answer, List.of(score), score, 0, "test");
  }
}
