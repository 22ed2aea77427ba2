package io.reckon.actors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.reckon.search.task.GraderLimits;
import io.reckon.search.task.Task;
import io.reckon.search.task.Tasks;
import org.junit.jupiter.api.Test;

/** config/tasks.conf read into the registry: the shipped tasks exactly, user tasks, errors. */
class TaskSettingsTest {

  private static Tasks read(String hocon) {
    Config c = ConfigFactory.parseString(hocon).withFallback(ConfigFactory.load()).resolve();
    return TaskSettings.from(c);
  }

  @Test
  void theShippedConfigDefinesTheShippedTasksExactly() {
    Tasks tasks = TaskSettings.from(ConfigFactory.load());
    assertThat(tasks.names()).containsExactly("arith", "gsm8k", "math", "short-answer");
    assertThat(tasks.defaultTask()).isEqualTo(Tasks.ARITH);
    // the same definitions (and digests) as the code's constants: arith's behaviour is unchanged
    assertThat(tasks.get("arith")).isEqualTo(Tasks.ARITH);
    assertThat(tasks.get("math")).isEqualTo(Tasks.MATH);
    assertThat(tasks.get("gsm8k")).isEqualTo(Tasks.GSM8K);
    assertThat(tasks.get("short-answer")).isEqualTo(Tasks.SHORT_ANSWER);
    assertThat(tasks.get("math").digest()).isEqualTo(Tasks.MATH.digest());
  }

  @Test
  void aUserTaskAndTheDefault() {
    Tasks tasks = read("""
        reckon.tasks.default = aime
        reckon.tasks.grader.max-work = 500
        reckon.tasks.aime {
          step-delimiter = "\\n\\n"
          answer = boxed
          equivalence = math
          prompt { user = "Problem: {question}", few-shot = [ { question = "1+1?", solution = "\\\\boxed{2}" } ] }
        }
        """);
    Task aime = tasks.defaultTask();
    assertThat(aime.name()).isEqualTo("aime");
    assertThat(aime.prompt().userMessage("x")).isEqualTo("Problem: x");
    assertThat(aime.prompt().fewShot()).hasSize(1);
    assertThat(aime.extract("so \\boxed{7}")).isEqualTo("7");
    assertThat(aime.equivalent("7", "7.0")).isTrue();
    assertThat(tasks.get("math").digest()).as("the grader's bounds are part of the definition")
        .isNotEqualTo(Tasks.MATH.digest());
    assertThat(GraderLimits.DEFAULTS.maxWork()).isNotEqualTo(500);
  }

  @Test
  void everyMistakeNamesItsKey() {
    assertThatThrownBy(() -> read("reckon.tasks.default = nope"))
        .hasMessage("reckon.tasks.default (env RECKON_TASK): unknown task 'nope': known tasks are "
            + "arith, gsm8k, math, short-answer");
    assertThatThrownBy(() -> read("reckon.tasks.x { step-delimiter = \"\\n\", answer = last, "
        + "equivalence = math, prompt { user = \"{question}\" } }"))
        .hasMessageStartingWith("reckon.tasks.x.answer: unknown answer extraction 'last'");
    assertThatThrownBy(() -> read("reckon.tasks.x { step-delimiter = \"\\n\", answer = boxed, "
        + "equivalence = exact, prompt { user = \"{question}\" } }"))
        .hasMessageStartingWith("reckon.tasks.x.equivalence: unknown answer equivalence 'exact'");
    assertThatThrownBy(() -> read("reckon.tasks.x { step-delimiter = \"\\n\", answer = boxed, "
        + "equivalence = math, prompt { user = \"Q:\" } }"))
        .hasMessageContaining("reckon.tasks.x.prompt").hasMessageContaining("{question}");
    assertThatThrownBy(() -> read("reckon.tasks.x { answer = boxed, equivalence = math, "
        + "prompt { user = \"{question}\" } }"))
        .hasMessageStartingWith("reckon.tasks.x.step-delimiter is required");
    assertThatThrownBy(() -> read("reckon.tasks.x { step-delimiter = \"\\n\", answer = answer-line, "
        + "equivalence = integer, prompt { user = \"{question}\" } }"))
        .hasMessageContaining("reckon.tasks.x.answer").hasMessageContaining("answer marker");
    assertThatThrownBy(() -> read("reckon.tasks.grader.max-work = 0"))
        .hasMessageContaining("reckon.tasks.grader.max-work must be >= 1");
    assertThatThrownBy(() -> read("reckon.tasks.x = 3"))
        .hasMessageContaining("reckon.tasks.x must be a task definition");
  }
}
