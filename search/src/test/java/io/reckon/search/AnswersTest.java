package io.reckon.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AnswersTest {

  @Test
  void extractsTheAnswerOfTheLastLine() {
    assertThat(Answers.extract(List.of("37*4=148", "148+129=277", "277-56=221", "A: 221")))
        .isEqualTo("221");
    assertThat(Answers.extract(List.of("A: -3"))).isEqualTo("-3");
    assertThat(Answers.extract(List.of("  A:   42  "))).isEqualTo("42");
    assertThat(Answers.extract(List.of("A:7"))).isEqualTo("7");
    assertThat(Answers.extract(List.of("x", "A: 1 2"))).isEqualTo("1 2");
  }

  @Test
  void nonAnswerLinesGiveNoAnswer() {
    assertThat(Answers.extract(List.of())).isNull();
    assertThat(Answers.extract(List.of("37*4=148"))).isNull();
    // an answer line that is not the last line does not end the solution
    assertThat(Answers.extract(List.of("A: 5", "5+1=6"))).isNull();
    assertThat(Answers.extract(List.of("A:"))).isNull();
    assertThat(Answers.extract(List.of("A:    "))).isNull();
    assertThat(Answers.extract(List.of("Answer 5"))).isNull();
    assertThat(Answers.extract(List.of("Q: 2+3"))).isNull();
    assertThat(Answers.extract(List.of("The answer is", "5"))).isNull();
  }

  @Test
  void customMarker() {
    assertThat(Answers.extract(List.of("so", "#### 12"), "####")).isEqualTo("12");
    assertThat(Answers.extract(List.of("so", "A: 12"), "####")).isNull();
  }

  @Test
  void answerLines() {
    assertThat(Answers.isAnswerLine("A: 5")).isTrue();
    assertThat(Answers.isAnswerLine("  A: 5")).isTrue();
    assertThat(Answers.isAnswerLine("5+A=3")).isFalse();
    assertThat(Answers.isAnswerLine("a: 5")).isFalse();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "7|7",
        "007|7",
        "+7|7",
        "' 7 '|7",
        "-0|0",
        "-007|-7",
        "'- 7'|-7",
        "1 000|1000",
        "123456789012345678901234567890|123456789012345678901234567890",
        "x = 3|x=3",
        "3.50|3.50",
        "abc|abc",
      })
  void canonicalForm(String answer, String canonical) {
    assertThat(Answers.canonical(answer)).isEqualTo(canonical);
  }

  @Test
  void equivalence() {
    assertThat(Answers.equivalent("221", " 221")).isTrue();
    assertThat(Answers.equivalent("0221", "+221")).isTrue();
    assertThat(Answers.equivalent("-5", "- 5")).isTrue();
    assertThat(Answers.equivalent("221", "222")).isFalse();
    assertThat(Answers.equivalent("-5", "5")).isFalse();
    assertThat(Answers.equivalent("3.5", "3.50")).isFalse(); // only integers compare numerically
    assertThat(Answers.equivalent(null, "5")).isFalse();
    assertThat(Answers.equivalent("5", null)).isFalse();
    assertThat(Answers.equivalent(null, null)).isFalse();
    assertThat(Answers.canonical(null)).isNull();
  }
}
