package io.reckon.runtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.reckon.runtime.PromptFormat;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineAssemblerTest {
  private static final long EOS = 1;

  /** A toy vocabulary: token 1 is end of text, the others are the strings below. */
  private static final String[] VOCAB = {"<pad>", "<eos>", "12", "*3=36", "\n", "36+5=41\nA", ": 41", "\n\n", "x"};

  private static String decode(long[] ids) {
    StringBuilder sb = new StringBuilder();
    for (long id : ids) {
      if (id > 1) {
        sb.append(VOCAB[(int) id]);
      }
    }
    return sb.toString();
  }

  private static LineAssembler assembler(int maxSteps, List<long[]> decoded) {
    return new LineAssembler(
        PromptFormat.ARITH,
        maxSteps,
        EOS,
        ids -> {
          decoded.add(ids);
          return decode(ids);
        },
        t -> t > 1 && VOCAB[(int) t].contains("\n"));
  }

  private static boolean feed(LineAssembler a, long... tokens) {
    for (long t : tokens) {
      if (a.accept(t)) {
        return true;
      }
    }
    return false;
  }

  @Test
  void writesLinesUntilTheAnswerLineEnds() {
    List<long[]> decoded = new ArrayList<>();
    LineAssembler a = assembler(0, decoded);
    assertThat(feed(a, 2, 3, 4)).isFalse();
    assertThat(feed(a, 5)).isFalse(); // ends "36+5=41", the answer line is still open
    assertThat(feed(a, 6, 4)).isTrue();
    assertThat(a.steps()).containsExactly("12*3=36", "36+5=41", "A: 41");
    assertThat(a.finished()).isTrue();
    // Decoding happens only when a token may end a line, not once per token.
    assertThat(decoded).hasSize(3);
  }

  @Test
  void stopsAfterMaxStepsUnfinished() {
    LineAssembler a = assembler(1, new ArrayList<>());
    assertThat(feed(a, 2, 3, 4)).isTrue();
    assertThat(a.steps()).containsExactly("12*3=36");
    assertThat(a.finished()).isFalse();
  }

  @Test
  void theAnswerLineFinishesEvenWhenItIsTheLastAllowedStep() {
    LineAssembler a = assembler(2, new ArrayList<>());
    assertThat(feed(a, 2, 3, 4, 5)).isTrue();
    assertThat(a.steps()).containsExactly("12*3=36", "36+5=41");
    assertThat(a.finished()).isFalse();
    LineAssembler b = assembler(3, new ArrayList<>());
    assertThat(feed(b, 2, 3, 4, 5, 6, 4)).isTrue();
    assertThat(b.finished()).isTrue();
  }

  @Test
  void endOfTextKeepsTheOpenLineAndFinishes() {
    LineAssembler a = assembler(0, new ArrayList<>());
    assertThat(feed(a, 2, 3, 4, 2, EOS)).isTrue();
    assertThat(a.steps()).containsExactly("12*3=36", "12");
    assertThat(a.finished()).isTrue();
  }

  @Test
  void blankLinesAreNoSteps() {
    LineAssembler a = assembler(2, new ArrayList<>());
    assertThat(feed(a, 2, 7, 7, 8, 4)).isTrue();
    assertThat(a.steps()).containsExactly("12", "x");
  }

  @Test
  void aCutOffDropsTheOpenLine() {
    LineAssembler a = assembler(0, new ArrayList<>());
    feed(a, 2, 3, 4, 2, 3);
    a.cutOff();
    assertThat(a.done()).isTrue();
    assertThat(a.finished()).isFalse();
    assertThat(a.steps()).containsExactly("12*3=36");
  }
}
