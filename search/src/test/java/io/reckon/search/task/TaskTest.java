package io.reckon.search.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TaskTest {

  @Test
  void arithReadsTheLastAnswerLine() {
    Task t = Tasks.ARITH;
    assertThat(t.stepDelimiter()).isEqualTo("\n");
    assertThat(t.extract(List.of("37*4=148", "148+129=277", "277-56=221", "A: 221")))
        .isEqualTo("221");
    assertThat(t.extract(List.of("A: 5", "5+1=6"))).isNull();
    assertThat(t.extract("Q: 2+3\n2+3=5\nA: 5\n")).isEqualTo("5");
    assertThat(t.finishes("A: 5")).isTrue();
    assertThat(t.finishes("5+A=3")).isFalse();
    assertThat(t.equivalent("007", "+7")).isTrue();
    assertThat(t.equivalent("7", "8")).isFalse();
    assertThat(t.equivalent(null, "8")).isFalse();
    assertThat(t.key(" 1 000 ")).isEqualTo("1000");
    assertThat(t.prompt().userMessage("2+3")).isEqualTo("Q: 2+3\n");
    assertThat(t.prompt().hasSystem()).isFalse();
  }

  @Test
  void mathReadsTheLastBalancedBox() {
    Task t = Tasks.MATH;
    assertThat(t.stepDelimiter()).isEqualTo("\n\n");
    assertThat(t.extract(List.of("## Step 1: x\nso $x=\\boxed{1}$", "## Step 2: y\n"
        + "Therefore, the final answer is: $\\boxed{\\frac{1}{2}}$. I hope it is correct.")))
        .isEqualTo("\\frac{1}{2}");
    assertThat(t.extract("\\fbox{3} then \\boxed {\\{1, 2\\}}")).isEqualTo("\\{1, 2\\}");
    assertThat(t.extract("the answer is \\boxed 5$.")).isEqualTo("5");
    assertThat(t.extract("truncated \\boxed{\\frac{1}{2}")).isNull();
    assertThat(t.extract("empty \\boxed{}")).isNull();
    assertThat(t.extract("no box at all")).isNull();
    assertThat(t.finishes("so \\boxed{4}.")).isTrue();
    assertThat(t.finishes("## Step 1: think")).isFalse();
    assertThat(t.prompt().system()).contains("\\boxed{}");
  }

  @Test
  void gsm8kReadsHashesThenBoxThenPhrase() {
    Task t = Tasks.GSM8K;
    assertThat(t.extract("Janet sells 16 - 3 - 4 = <<16-3-4=9>>9 eggs.\n#### 18")).isEqualTo("18");
    assertThat(t.extract("so $\\boxed{1,000}$")).isEqualTo("1,000");
    assertThat(t.extract("Adding up. The answer is 42.")).isEqualTo("42");
    assertThat(t.extract("nothing here")).isNull();
  }

  @Test
  void shortAnswerReadsThePhrase() {
    Task t = Tasks.SHORT_ANSWER;
    assertThat(t.extract(List.of("Today is 05/01/2021.", "So the answer is (B)."))).isEqualTo("(B)");
    assertThat(t.extract("so the answer is: 05/02/2021.")).isEqualTo("05/02/2021");
    assertThat(t.equivalent("(B)", " (b). ")).isTrue();
    assertThat(t.equivalent("Two  words", "two words")).isTrue();
    assertThat(t.equivalent("05/01/2021", "5/1/2021")).isFalse();
  }

  @Test
  void classesGroupEquivalentAnswersOnce() {
    AnswerClasses c = Tasks.ARITH.classes(Arrays.asList("7", null, "007", "8", "+7"));
    assertThat(c.count()).isEqualTo(2);
    assertThat(c.classOf(0)).isEqualTo(0);
    assertThat(c.classOf(1)).isEqualTo(-1);
    assertThat(c.classOf(2)).isEqualTo(0);
    assertThat(c.classOf(3)).isEqualTo(1);
    assertThat(c.classOf(4)).isEqualTo(0);
    assertThat(c.representative(0)).isEqualTo("7");
    assertThat(c.size(0)).isEqualTo(3);
  }

  @Test
  void registryNamesTheKnownTasks() {
    Tasks tasks = Tasks.builtin();
    assertThat(tasks.defaultTask()).isSameAs(Tasks.ARITH);
    assertThat(tasks.resolve(null)).isSameAs(Tasks.ARITH);
    assertThat(tasks.resolve(" MATH ")).isSameAs(Tasks.MATH);
    assertThat(tasks.names()).containsExactly("arith", "gsm8k", "math", "short-answer");
    assertThatThrownBy(() -> tasks.get("aime"))
        .isInstanceOf(Tasks.UnknownTaskException.class)
        .hasMessage("unknown task 'aime': known tasks are arith, gsm8k, math, short-answer");
    assertThatThrownBy(() -> new Tasks(Tasks.builtins(GraderLimits.DEFAULTS), "nope"))
        .hasMessageContaining("unknown task 'nope'");
  }

  @Test
  void badDefinitionsAreRefusedWithTheField() {
    assertThatThrownBy(() -> AnswerExtractor.of("last-line", "A:", null))
        .hasMessage("unknown answer extraction 'last-line': allowed values are "
            + "answer-line, boxed, gsm8k, phrase");
    assertThatThrownBy(() -> AnswerEquivalence.of("exact", GraderLimits.DEFAULTS))
        .hasMessage("unknown answer equivalence 'exact': allowed values are integer, math, text");
    assertThatThrownBy(() -> TaskPrompt.user("Q: "))
        .hasMessageContaining("must contain {question}");
    assertThatThrownBy(() -> new Task("Bad Name", "", "\n", new AnswerExtractor.Boxed(),
        TextEquivalence.INSTANCE, TaskPrompt.user("{question}"), 1))
        .hasMessageContaining("task name 'Bad Name'");
  }
}
