package io.reckon.runtime.synthetic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reckon.protocol.Question;
import io.reckon.runtime.Dataset;
import io.reckon.runtime.Repo;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ArithmeticTest {

  @Test
  void theDesignsWorkedExample() {
    assertThat(Arithmetic.solve("37*4+129-56"))
        .containsExactly("37*4=148", "148+129=277", "277-56=221", "A: 221");
  }

  @ParameterizedTest
  @CsvSource({
    "2+3*4, 14",
    "2*3*4-5*6, -6",
    "10-2-3, 5",
    "100-3*3+1, 92",
    "7, 7",
    "Q: 6*7, 42",
    "' 1 + 2 * 3 ', 7",
  })
  void precedenceAndLeftToRight(String question, long value) {
    assertThat(Arithmetic.evaluate(question)).isEqualTo(value);
  }

  @Test
  void productsFirstLeftmostFirstThenLeftToRight() {
    assertThat(Arithmetic.solve("2*3*4-5*6"))
        .containsExactly("2*3=6", "6*4=24", "5*6=30", "24-30=-6", "A: -6");
    assertThat(Arithmetic.solve("1-9+3")).containsExactly("1-9=-8", "-8+3=-5", "A: -5");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "abc", "2+", "2++3", "+2", "2+3=5", "2/3", "2^3"})
  void notAQuestionOfThisTask(String question) {
    assertThat(Arithmetic.parse(question)).isNull();
    assertThat(Arithmetic.evaluate(question)).isNull();
    assertThatThrownBy(() -> Arithmetic.solve(question))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not an arithmetic question");
  }

  @Test
  void stepResults() {
    assertThat(Arithmetic.result("37*4=148")).isEqualTo(148L);
    assertThat(Arithmetic.result("24-30=-6")).isEqualTo(-6L);
    assertThat(Arithmetic.result("2+2 = 4 ")).isEqualTo(4L);
    assertThat(Arithmetic.result("A: 5")).isNull();
    assertThat(Arithmetic.result("2+2=")).isNull();
  }

  @Test
  void aWrongResultIsCarriedForward() {
    Arithmetic.State s = Arithmetic.parse("2*3+4");
    Arithmetic.Step step = s.nextStep();
    assertThat(step).isEqualTo(new Arithmetic.Step(2, '*', 3, 6));
    s = s.apply(7);
    assertThat(s.nextStep()).isEqualTo(new Arithmetic.Step(7, '+', 4, 11));
    s = s.apply(11);
    assertThat(s.done()).isTrue();
    assertThat(s.value()).isEqualTo(11);
    assertThat(step.line(7)).isEqualTo("2*3=7");
  }

  @Test
  void solveAndEvaluateAgreeWithEveryShippedTestAnswer() {
    List<Question> questions = Dataset.read(Repo.arith("test.jsonl"));
    assertThat(questions).hasSizeGreaterThan(600);
    for (Question q : questions) {
      long answer = Long.parseLong(q.answer());
      assertThat(Arithmetic.evaluate(q.text())).as(q.id()).isEqualTo(answer);
      List<String> solution = Arithmetic.solve(q.text());
      assertThat(solution.get(solution.size() - 1)).as(q.id()).isEqualTo("A: " + answer);
      // one operation per line, as many lines as operators, each line's claim replays right
      Arithmetic.State s = Arithmetic.parse(q.text());
      assertThat(solution).as(q.id()).hasSize(s.ops.size() + 1);
      for (String line : solution.subList(0, solution.size() - 1)) {
        Arithmetic.Step step = s.nextStep();
        assertThat(line).as(q.id()).isEqualTo(step.line(step.result()));
        s = s.apply(Arithmetic.result(line));
      }
      assertThat(s.done()).isTrue();
      // the level is the number of operations
      assertThat(solution.size() - 1).as(q.id()).isEqualTo(q.level());
    }
  }
}
