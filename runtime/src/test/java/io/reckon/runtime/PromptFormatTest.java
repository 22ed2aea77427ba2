package io.reckon.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PromptFormatTest {

  @Test
  void promptHoldsQuestionNewestAttemptsAndPrefix() {
    List<List<String>> attempts = List.of(
        List.of("A: 1"), List.of("A: 2"), List.of("2*3=6", "A: 3"), List.of("A: 4"), List.of("A: 5"));
    String prompt = PromptFormat.ARITH.prompt("2*3+4", attempts, List.of("2*3=6"));
    assertThat(prompt).isEqualTo(
        "Q: 2*3+4\n"
            + "P: A: 2\n"
            + "P: 2*3=6; A: 3\n"
            + "P: A: 4\n"
            + "P: A: 5\n"
            + "2*3=6\n");
    assertThat(PromptFormat.ARITH.prompt("1+1", List.of(), List.of())).isEqualTo("Q: 1+1\n");
  }

  @Test
  void answerLines() {
    assertThat(PromptFormat.ARITH.isAnswerLine("A: 10")).isTrue();
    assertThat(PromptFormat.ARITH.isAnswerLine("A:10")).isTrue();
    assertThat(PromptFormat.ARITH.isAnswerLine("6+4=10")).isFalse();
  }
}
