package io.reckon.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reckon.protocol.Candidate;
import io.reckon.protocol.Continuation;
import io.reckon.protocol.GenerateRequest;
import io.reckon.protocol.ModelRequest;
import io.reckon.protocol.Outcome;
import io.reckon.protocol.ScoreRequest;
import io.reckon.search.task.Tasks;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class RevisionsTest {

  /**
   * Drives revisions round by round, writing attempt j of chain c as given by {@code attempt},
   * and records what each request showed the model.
   */
  private static final class Chains {
    final SearchStrategy strategy;
    final List<List<List<String>>> written = new ArrayList<>();
    final List<List<GenerateRequest>> rounds = new ArrayList<>();
    final Map<String, Double> prm = new HashMap<>();
    Function<List<String>, List<Double>> verifier = Hand.table(prm, 0.5);

    Chains(String spec, int budget) {
      strategy = Hand.create(spec, budget);
    }

    Outcome run(AttemptWriter attempt) {
      List<ModelRequest> pending = strategy.start();
      int round = 0;
      while (!pending.isEmpty()) {
        List<ModelRequest> next = new ArrayList<>();
        List<GenerateRequest> gens = new ArrayList<>();
        for (int c = 0; c < pending.size(); c++) {
          ModelRequest r = pending.get(c);
          if (r instanceof GenerateRequest g) {
            gens.add(g);
            while (written.size() <= c) {
              written.add(new ArrayList<>());
            }
            Continuation cont = attempt.write(c, round);
            written.get(c).add(cont.steps());
            next.addAll(strategy.onReply(Hand.reply(g, List.of(cont))));
          } else {
            next.addAll(strategy.onReply(Hand.reply((ScoreRequest) r, verifier)));
          }
        }
        if (!gens.isEmpty()) {
          rounds.add(gens);
        }
        pending = next;
        round++;
      }
      return strategy.outcome();
    }
  }

  interface AttemptWriter {
    Continuation write(int chain, int index);
  }

  @Test
  void eachRevisionSeesAtMostTheFourMostRecentAttemptsOfItsOwnChain() {
    Chains chains = new Chains("revisions:len=7", 14); // P = 2 chains of L = 7
    chains.run((c, j) -> Hand.finished("chain " + c + " attempt " + j, "A: " + (10 * c + j)));

    assertThat(chains.rounds).hasSize(7);
    for (int j = 0; j < 7; j++) {
      List<GenerateRequest> round = chains.rounds.get(j);
      assertThat(round).hasSize(2);
      for (int c = 0; c < 2; c++) {
        GenerateRequest g = round.get(c);
        List<List<String>> before = chains.written.get(c).subList(0, j);
        List<List<String>> expected = before.subList(Math.max(0, j - 4), j);
        assertThat(g.attempts()).as("chain %d attempt %d", c, j).isEqualTo(expected);
        assertThat(g.attempts()).hasSizeLessThanOrEqualTo(Revisions.CONTEXT);
        assertThat(g.prefix()).isEmpty();
        assertThat(g.samples()).isEqualTo(1);
        assertThat(g.charge()).isEqualTo(1);
        assertThat(g.maxSteps()).isEqualTo(GenerateRequest.TO_END);
      }
    }
    Outcome o = chains.strategy.outcome();
    assertThat(o.compute().generations()).isEqualTo(14);
    assertThat(o.candidates()).hasSize(14);
    assertThat(o.candidates().stream().filter(c -> c.group() == 1).count()).isEqualTo(7);
  }

  /**
   * Three chains of three. Chain 0 says 7 three times (0.6 each); chains 1 and 2 each say 8 twice
   * (0.9) and 7 once (0.95). Within chains: 7 1.8, 8 1.8, 8 1.8; across: 8 3.6 > 7 1.8. A flat
   * majority says 7 (5 votes to 4), and so would a flat weighted vote (7 3.7 > 8 3.6): only the
   * hierarchical selection says 8.
   */
  private static Outcome runHierarchyCase(String selection) {
    Chains chains = new Chains("revisions:len=3,sel=" + selection, 9);
    String[][] answers = {{"7", "7", "7"}, {"8", "8", "7"}, {"8", "8", "7"}};
    // an attempt is ("chain c", "A: answer"); its score depends on its chain and its answer
    chains.verifier =
        steps -> {
          boolean chain0 = steps.get(0).equals("chain 0");
          double s = steps.get(1).equals("A: 8") ? 0.9 : chain0 ? 0.6 : 0.95;
          return List.of(s, s);
        };
    return chains.run((c, j) -> Hand.finished("chain " + c, "A: " + answers[c][j]));
  }

  @Test
  void hierarchicalSelectionDiffersFromFlatMajority() {
    Outcome hierarchical = runHierarchyCase("weighted");
    Outcome majority = runHierarchyCase("majority");
    assertThat(hierarchical.answer()).isEqualTo("8");
    assertThat(majority.answer()).isEqualTo("7");
    assertThat(majority.candidates()).allSatisfy(c -> assertThat(c.scored()).isFalse());
    assertThat(hierarchical.candidates()).allSatisfy(c -> assertThat(c.scored()).isTrue());
    assertThat(hierarchical.candidates()).extracting(Candidate::group)
        .containsExactly(0, 0, 0, 1, 1, 1, 2, 2, 2);
    // the flat weighted vote over the same scored attempts would say 7: 3.7 > 3.6
    assertThat(Selection.WEIGHTED.select(hierarchical.candidates(), Tasks.ARITH)).isEqualTo("7");
  }

  @Test
  void hierarchicalSelectionOnCandidates() {
    List<Candidate> pool = new ArrayList<>();
    String[][] answers = {{"7", "7", "7"}, {"8", "8", "7"}, {"8", "8", "7"}};
    double[][] scores = {{0.6, 0.6, 0.6}, {0.9, 0.9, 0.95}, {0.9, 0.9, 0.95}};
    for (int c = 0; c < 3; c++) {
      for (int j = 0; j < 3; j++) {
        pool.add(new Candidate(List.of("A: " + answers[c][j]), answers[c][j],
            List.of(scores[c][j]), scores[c][j], c, "revisions"));
      }
    }
    assertThat(Revisions.hierarchical(pool, Tasks.ARITH)).isEqualTo("8");
    assertThat(Selection.MAJORITY.select(pool, Tasks.ARITH)).isEqualTo("7"); // 5 votes to 4
    assertThat(Selection.WEIGHTED.select(pool, Tasks.ARITH)).isEqualTo("7"); // 3.7 > 3.6
  }

  @Test
  void carriedCandidatesFormTheirOwnGroupInTheHierarchy() {
    List<Candidate> pool = new ArrayList<>();
    // the probe (group 0, like chain 0) must not be merged into chain 0
    pool.add(new Candidate(List.of("A: 1"), "1", List.of(0.5), 0.5, 0, "probe"));
    pool.add(new Candidate(List.of("A: 1"), "1", List.of(0.5), 0.5, 0, "probe"));
    pool.add(new Candidate(List.of("A: 2"), "2", List.of(0.9), 0.9, 0, "revisions"));
    assertThat(Revisions.hierarchical(pool, Tasks.ARITH)).isEqualTo("1"); // winners 1 (1.0) and 2 (0.9)
    pool.add(new Candidate(List.of("A: 2"), "2", List.of(0.2), 0.2, 1, "revisions"));
    // apart: winners 1 (1.0), 2 (0.9), 2 (0.2) give 2; merged with chain 0, the probe would make
    // that chain's winner 1 (1.0 > 0.9) and the answer 1
    assertThat(Revisions.hierarchical(pool, Tasks.ARITH)).isEqualTo("2");
  }

  @Test
  void oneChainOfTheWholeBudgetWithLenAll() {
    Chains chains = new Chains("revisions:len=all", 5);
    chains.run((c, j) -> Hand.finished("A: " + j));
    assertThat(chains.rounds).hasSize(5).allSatisfy(r -> assertThat(r).hasSize(1));
    assertThat(chains.rounds.get(4).get(0).attempts()).hasSize(4);
  }

  @Test
  void chainLengthMustDivideTheBudget() {
    assertThatThrownBy(() -> Hand.create("revisions:len=4", 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("len=4")
        .hasMessageContaining("N=10")
        .hasMessageContaining("1, 2, 5, 10");
    assertThatThrownBy(() -> StrategyConfig.parse("revisions:sel=naive"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("weighted")
        .hasMessageContaining("majority");
  }
}
