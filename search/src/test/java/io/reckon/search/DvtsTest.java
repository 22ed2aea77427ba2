package io.reckon.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reckon.protocol.Candidate;
import io.reckon.protocol.Continuation;
import io.reckon.protocol.GenerateRequest;
import io.reckon.protocol.Outcome;
import io.reckon.protocol.ScoreRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class DvtsTest {

  /**
   * Subtree roots are named {@code s<request id>} (the first round's requests are the subtrees, in
   * order); child j of a step {@code x} is {@code x.j}. A path of three steps then writes its
   * answer: the subtree's number.
   */
  private static final Function<GenerateRequest, List<Continuation>> PROPOSER =
      r -> {
        String parent = r.prefix().isEmpty() ? "s" + r.requestId() : r.prefix().get(r.prefix().size() - 1);
        List<Continuation> rows = new ArrayList<>();
        for (int j = 0; j < r.samples(); j++) {
          String child = parent + "." + j;
          rows.add(r.prefix().size() == 2
              ? Hand.finished(child, "A: " + parent.charAt(1))
              : Hand.open(child));
        }
        return rows;
      };

  /**
   * Subtree 1's children all outscore subtree 0's (a shared top-2 would take both from it);
   * subtree 0 ends on s0.1.0 (0.8) beside s0.1.1, subtree 1 on s1.1.1 (0.4) beside s1.1.0.
   */
  private static final Map<String, Double> TWO_SUBTREES = Map.of(
      "s0.0", 0.3, "s0.1", 0.6, "s1.0", 0.9, "s1.1", 0.95,
      "s0.1.0", 0.8, "s0.1.1", 0.2, "s1.1.0", 0.1, "s1.1.1", 0.4);

  private static boolean inSubtree(List<String> steps, int subtree) {
    return !steps.isEmpty() && steps.get(0).startsWith("s" + subtree + ".");
  }

  @Test
  void subtreesAreGreedyOnTheirOwnCandidates() {
    // subtree 1's children all outscore subtree 0's: a shared top-2 would take both from it
    Map<String, Double> prm = TWO_SUBTREES;
    Hand hand = new Hand(Hand.create("dvts:m=2,vote=best", 4), PROPOSER, Hand.table(prm, 0.5));
    Outcome o = hand.run();

    assertThat(hand.generates(0)).hasSize(2).allSatisfy(g -> {
      assertThat(g.prefix()).isEmpty();
      assertThat(g.samples()).isEqualTo(2);
      assertThat(g.maxSteps()).isEqualTo(1);
      assertThat(g.charge()).isEqualTo(2);
    });
    List<ScoreRequest> scores = hand.scores(1);
    assertThat(scores).hasSize(2);
    assertThat(scores.get(0).solutions()).containsExactly(List.of("s0.0"), List.of("s0.1"));
    assertThat(scores.get(1).solutions()).containsExactly(List.of("s1.0"), List.of("s1.1"));

    assertThat(hand.generates(2)).extracting(GenerateRequest::prefix)
        .containsExactly(List.of("s0.1"), List.of("s1.1"));
    assertThat(hand.generates(2)).allSatisfy(g -> assertThat(g.charge()).isZero());
    assertThat(hand.generates(4)).extracting(GenerateRequest::prefix)
        .containsExactly(List.of("s0.1", "s0.1.0"), List.of("s1.1", "s1.1.1"));

    // one final per subtree, its best finished child, tagged with its subtree
    assertThat(o.candidates()).hasSize(2);
    assertThat(o.candidates()).extracting(Candidate::group).containsExactly(0, 1);
    assertThat(o.candidates()).extracting(Candidate::answer).containsExactly("0", "1");
    assertThat(o.compute().generations()).isEqualTo(4);
  }

  @Test
  void oneSubtreesCandidatesNeverInfluenceAnotherSubtreesChoice() {
    // subtree 0 always sees the same scores; subtrees 1 and 2 see fresh random ones per trial
    Function<List<String>, List<Double>> fixed =
        steps -> steps.stream().map(s -> (double) (s.hashCode() & 0xffff) / 0xffff).toList();
    List<List<String>> subtree0Prefixes = new ArrayList<>();
    List<Candidate> subtree0Finals = new ArrayList<>();
    for (int trial = 0; trial < 30; trial++) {
      SplittableRandom random = new SplittableRandom(trial);
      Function<List<String>, List<Double>> verifier =
          steps -> inSubtree(steps, 0)
              ? fixed.apply(steps)
              : steps.stream().map(s -> random.nextDouble()).toList();
      Hand hand = new Hand(Hand.create("dvts:m=3,vote=best", 9), PROPOSER, verifier);
      Outcome o = hand.run();
      for (ScoreRequest s : hand.rounds.stream().flatMap(List::stream)
          .filter(ScoreRequest.class::isInstance).map(ScoreRequest.class::cast).toList()) {
        // a score request never mixes subtrees
        int subtree = s.solutions().get(0).get(0).charAt(1) - '0';
        assertThat(s.solutions()).allSatisfy(p -> assertThat(inSubtree(p, subtree)).isTrue());
      }
      List<List<String>> prefixes = hand.allGenerates().stream()
          .map(GenerateRequest::prefix).filter(p -> inSubtree(p, 0)).toList();
      Candidate final0 = o.candidates().stream().filter(c -> c.group() == 0).findFirst().orElseThrow();
      if (trial == 0) {
        subtree0Prefixes.addAll(prefixes);
        subtree0Finals.add(final0);
        assertThat(prefixes).hasSize(2);
      } else {
        assertThat(prefixes).as("trial %d", trial).isEqualTo(subtree0Prefixes);
        assertThat(final0).as("trial %d", trial).isEqualTo(subtree0Finals.get(0));
      }
      assertThat(o.candidates()).extracting(Candidate::group).containsExactlyInAnyOrder(0, 1, 2);
    }
  }

  @Test
  void theVoteCoversTheMLastStepSiblingsOfEverySubtree() {
    // subtree 0 ends on s0.1.0 (0.8) beside s0.1.1; subtree 1 on s1.1.1 (0.4) beside s1.1.0
    Map<String, Double> prm = TWO_SUBTREES;
    Hand hand = new Hand(Hand.create("dvts:m=2", 4), PROPOSER, Hand.table(prm, 0.5));
    Outcome o = hand.run();
    // N = 4 candidates: both children of each subtree's last expansion
    assertThat(o.candidates()).hasSize(4);
    assertThat(o.candidates()).extracting(Candidate::group).containsExactly(0, 0, 1, 1);
    assertThat(o.candidates()).extracting(c -> c.steps().get(c.steps().size() - 2))
        .containsExactly("s0.1.0.0", "s0.1.0.1", "s1.1.1.0", "s1.1.1.1");
    assertThat(o.compute().generations()).isEqualTo(4);
    assertThat(((StrategyConfig.Dvts) StrategyConfig.parse("dvts")).voteSiblings()).isTrue();
  }

  @Test
  void theLastRoundGeneratesToTheEnd() {
    Hand hand = new Hand(Hand.create("dvts:m=2,rounds=2", 4), PROPOSER, Hand.table(Map.of(), 0.5));
    hand.run();
    assertThat(hand.generates(0)).allSatisfy(g -> assertThat(g.maxSteps()).isEqualTo(1));
    assertThat(hand.generates(2))
        .allSatisfy(g -> assertThat(g.maxSteps()).isEqualTo(GenerateRequest.TO_END));
  }

  @Test
  void widthMustDivideTheBudget() {
    assertThatThrownBy(() -> Hand.create("dvts:m=4", 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("m=4")
        .hasMessageContaining("N=10")
        .hasMessageContaining("1, 2, 5, 10");
    assertThat(((Dvts) Hand.create("dvts:m=4", 12)).subtrees()).isEqualTo(3);
  }
}
