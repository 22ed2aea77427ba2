package io.reckon.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.reckon.protocol.Candidate;
import io.reckon.search.task.Tasks;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SelectionTest {

  private static Candidate c(String answer, double score) {
    List<String> steps = answer == null ? List.of("1+1=2") : List.of("A: " + answer);
    return new Candidate(steps, answer, Double.isNaN(score) ? List.of() : List.of(score), score, 0, "t");
  }

  @Test
  void eachSelectionByItsOwnRule() {
    List<Candidate> pool = List.of(
        c("11", 0.95), c("22", 0.4), c("22", 0.4), c("22", 0.4),
        c("33", 0.1), c("33", 0.1), c("33", 0.1), c("33", 0.1));
    assertThat(Selection.NAIVE.select(pool, Tasks.ARITH)).isEqualTo("11");
    assertThat(Selection.WEIGHTED.select(pool, Tasks.ARITH)).isEqualTo("22");
    assertThat(Selection.MAJORITY.select(pool, Tasks.ARITH)).isEqualTo("33");
  }

  @Test
  void candidatesWithoutAnAnswerNeverWin() {
    List<Candidate> pool = List.of(c(null, 0.99), c(null, 0.99), c("4", 0.01));
    for (Selection s : Selection.values()) {
      assertThat(s.select(pool, Tasks.ARITH)).as(s.label()).isEqualTo("4");
      assertThat(s.select(List.of(c(null, 0.9)), Tasks.ARITH)).isNull();
      assertThat(s.select(List.of(), Tasks.ARITH)).isNull();
    }
  }

  @Test
  void equivalentAnswersVoteTogether() {
    List<Candidate> pool = List.of(c("7", 0.3), c("007", 0.3), c("+7", 0.3), c("8", 0.8));
    assertThat(Answers.canonical(Selection.WEIGHTED.select(pool, Tasks.ARITH))).isEqualTo("7");
    assertThat(Selection.tally(pool, Tasks.ARITH)).extracting(t -> t.answer).containsExactly("7", "8");
    Selection.Tally seven = Selection.tally(pool, Tasks.ARITH).get(0);
    assertThat(seven.count).isEqualTo(3);
    assertThat(seven.weight).isCloseTo(0.9, within(1e-12));
    assertThat(seven.best).isEqualTo(0.3);
    assertThat(seven.answer).isEqualTo("7"); // as first written
  }

  @Test
  void tiesAreBrokenDeterministically() {
    // weighted: equal sums, more votes wins; then first seen
    assertThat(Selection.WEIGHTED.select(List.of(c("1", 0.6), c("2", 0.3), c("2", 0.3)), Tasks.ARITH)).isEqualTo("2");
    assertThat(Selection.WEIGHTED.select(List.of(c("1", 0.5), c("2", 0.5)), Tasks.ARITH)).isEqualTo("1");
    assertThat(Selection.WEIGHTED.select(List.of(c("2", 0.5), c("1", 0.5)), Tasks.ARITH)).isEqualTo("2");
    // majority: equal votes, larger sum wins
    assertThat(Selection.MAJORITY.select(List.of(c("1", 0.2), c("2", 0.7)), Tasks.ARITH)).isEqualTo("2");
    assertThat(Selection.MAJORITY.select(List.of(c("1", 0.2), c("2", 0.2)), Tasks.ARITH)).isEqualTo("1");
    // naive: first of equal bests
    assertThat(Selection.NAIVE.select(List.of(c("1", 0.5), c("2", 0.5)), Tasks.ARITH)).isEqualTo("1");
  }

  @Test
  void unscoredCandidatesCountAsZeroScore() {
    List<Candidate> pool = new ArrayList<>(List.of(c("1", Double.NaN), c("1", Double.NaN), c("2", 0.1)));
    assertThat(Selection.WEIGHTED.select(pool, Tasks.ARITH)).isEqualTo("2");
    assertThat(Selection.MAJORITY.select(pool, Tasks.ARITH)).isEqualTo("1");
  }

  @Test
  void parsing() {
    assertThat(Selection.parse(" Weighted ")).isEqualTo(Selection.WEIGHTED);
    assertThat(Selection.parse("naive")).isEqualTo(Selection.NAIVE);
    assertThat(Selection.MAJORITY.needsScores()).isFalse();
    assertThat(Selection.NAIVE.needsScores()).isTrue();
    assertThat(Selection.WEIGHTED.needsScores()).isTrue();
    assertThatThrownBy(() -> Selection.parse("top"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown selection 'top': allowed values are naive, weighted, majority");
  }

  @Test
  void mathAnswersVoteByEquivalenceNotText() {
    // three ways to write one half outvote the single higher-scored 2
    List<Candidate> pool = List.of(
        c("\\frac{1}{2}", 0.3), c("0.5", 0.3), c("2", 0.8), c("\\dfrac12", 0.3));
    assertThat(Selection.WEIGHTED.select(pool, Tasks.MATH)).isEqualTo("\\frac{1}{2}");
    assertThat(Selection.MAJORITY.select(pool, Tasks.MATH)).isEqualTo("\\frac{1}{2}");
    assertThat(Selection.tally(pool, Tasks.MATH)).hasSize(2);
    // as strings (arith's keys) they are four answers and the 2 wins
    assertThat(Selection.WEIGHTED.select(pool, Tasks.ARITH)).isEqualTo("2");
  }
}
