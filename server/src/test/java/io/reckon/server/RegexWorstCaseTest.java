package io.reckon.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.reckon.runtime.UserMessages;
import io.reckon.runtime.synthetic.Arithmetic;
import io.reckon.search.StrategyConfig;
import io.reckon.search.task.Task;
import io.reckon.search.task.Tasks;
import io.reckon.server.kafka.KafkaSettings;
import java.time.Duration;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Every pattern (and pattern-free parser) that runs on what a client sends, fed 1 MB of its worst
 * case: each must finish well inside a generous bound on a loaded machine. A quadratic one takes
 * minutes here (the synthetic backend's question check took ~10 s on 300 kB of spaces). The math
 * grader (search/task) bounds itself with GraderLimits; it is fed its worst case here too.
 */
class RegexWorstCaseTest {
  private static final int MB = 1 << 20;
  private static final Duration BOUND = Duration.ofSeconds(2);

  private static void fast(String what, Supplier<?> work) {
    work.get(); // warm up the code paths once (JIT, class loading)
    long start = System.nanoTime();
    work.get();
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(took).as(what + " took " + took.toMillis() + " ms").isLessThan(BOUND);
  }

  private static String repeat(String s, int chars) {
    return s.repeat(Math.max(1, chars / s.length()));
  }

  @Test
  void theSyntheticQuestionCheckIsLinear() {
    // Spaces after a term (the find-from-every-position case), digits without an operator,
    // a long chain of operations, and spaces alone.
    fast("spaces after a term", () -> Arithmetic.parse("1+" + repeat(" ", MB) + "x"));
    fast("spaces", () -> Arithmetic.parse("x" + repeat(" ", MB)));
    fast("digits", () -> Arithmetic.parse(repeat("9", MB) + "x"));
    fast("operations", () -> Arithmetic.parse(repeat("1 + ", MB) + "x"));
    fast("a step's result", () -> Arithmetic.result(repeat("=", MB)));
    fast("a step's result after spaces", () -> Arithmetic.result("1+1=" + repeat(" 1", MB)));
  }

  @Test
  void idsAndRunNamesAreCheckedInLinearTime() {
    fast("id", () -> RequestGuards.idProblem(repeat("a", MB)));
    fast("run name", () -> repeat("a.", MB).matches(KafkaSettings.RUN_NAME));
  }

  @Test
  void requestBoundsComeBeforeTheQuestionIsParsed() {
    java.util.function.Function<String, String> never = q -> {
      throw new AssertionError("the question was parsed before its length was checked");
    };
    String refusal = RequestGuards.bounded(com.typesafe.config.ConfigFactory.parseString(
        "reckon.limits.max-question-chars = 100"), never).apply(repeat("1+", MB));
    assertThat(refusal).contains("at most 100").contains("reckon.limits.max-question-chars");
  }

  @Test
  void modelNamesAndStrategySpecsParseInLinearTime() {
    fast("strategy spec", () -> {
      try {
        return StrategyConfig.parse("beam:" + repeat("m=4,", MB));
      } catch (IllegalArgumentException e) {
        return e.getMessage();
      }
    });
    fast("model name", () -> {
      try {
        return SearchChoice.resolve("reckon/" + repeat("1", MB), null, TestServers.settings(),
            SearchChoice.PolicySource.none("none"));
      } catch (ApiException e) {
        return e.getMessage();
      }
    });
  }

  @Test
  void errorMessagesThatQuoteInputAreScrubbedInBoundedTime() {
    fast("qualified names", () -> UserMessages.scrub(repeat("a.", MB)));
    fast("spaces", () -> UserMessages.scrub("x" + repeat(" ", MB) + "x"));
    fast("json message", () -> Json.clean(repeat("a`", MB)));
  }

  @Test
  void answerKeysOfEveryTaskAreBounded() {
    Tasks tasks = Tasks.builtin();
    for (String name : new String[] {"arith", "math", "gsm8k"}) {
      Task task = tasks.get(name);
      for (String worst : new String[] {repeat(" ", MB), repeat("1,000", MB), repeat("a.", MB),
          "\\text{" + repeat("a", MB), repeat("1.0", MB), repeat("x = ", MB)}) {
        fast(name + " key", () -> task.equivalence().key(worst));
        fast(name + " answer", () -> task.extractor().fromText(worst));
      }
    }
  }
}
