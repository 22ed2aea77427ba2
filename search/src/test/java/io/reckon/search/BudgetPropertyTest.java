package io.reckon.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reckon.protocol.Compute;
import io.reckon.protocol.GenerateReply;
import io.reckon.protocol.GenerateRequest;
import io.reckon.protocol.Outcome;
import io.reckon.protocol.Question;
import io.reckon.protocol.ScoreReply;
import io.reckon.protocol.ScoreRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Over many random configurations, budgets, seeds and mid-run grant raises: no strategy ever has
 * more generations charged than its grant, and its ledger equals the sum of what it emitted (the
 * charges) and what it received (tokens and FLOPs), measured independently by wrapping the models.
 */
class BudgetPropertyTest {
  private static final int TRIALS = 400;

  static StrategyConfig randomConfig(SplittableRandom r) {
    Aggregation agg = Aggregation.values()[r.nextInt(3)];
    double temp = new double[] {0, 0.5, 0.8, 1.2}[r.nextInt(4)];
    int rounds = 1 + r.nextInt(StrategyConfig.MAX_ROUNDS);
    return switch (r.nextInt(6)) {
      case 0 -> new StrategyConfig.BestOfN(Selection.values()[r.nextInt(3)], agg, temp);
      case 1 -> new StrategyConfig.Beam(r.nextInt(5), r.nextInt(3) == 0 ? 0 : r.nextInt(4), agg, temp, rounds);
      case 2 -> new StrategyConfig.Revisions(
          new int[] {0, 1, 2, 3, 4, 5, 8}[r.nextInt(7)],
          r.nextBoolean() ? Selection.WEIGHTED : Selection.MAJORITY, agg, temp);
      case 3 -> new StrategyConfig.Dvts(1 + r.nextInt(5), agg, temp, rounds);
      case 4 -> new StrategyConfig.Rebase(new double[] {0.05, 0.1, 0.5, 2}[r.nextInt(4)], agg, temp, rounds);
      default -> new StrategyConfig.ParticleFilter(new double[] {0.05, 0.1, 0.5, 2}[r.nextInt(4)], agg, temp, rounds);
    };
  }

  /** What the wrapped models saw for one question. */
  private static final class Meter {
    long charged;
    long promptTokens;
    long generatedTokens;
    long verifierTokens;
    double proposerFlops;
    double verifierFlops;
    int maxCharge;

    Compute compute() {
      return new Compute(charged, promptTokens, generatedTokens, verifierTokens, proposerFlops, verifierFlops);
    }
  }

  @Test
  void noStrategyEverExceedsItsGrantAndTheLedgerAddsUp() {
    // five shipped validation questions of each level
    List<Question> questions = new ArrayList<>();
    Map<String, long[]> truths = new HashMap<>();
    Map<Integer, Integer> perLevel = new HashMap<>();
    for (Question q : Repo.questions("validation.jsonl")) {
      if (perLevel.merge(q.level(), 1, Integer::sum) <= 5) {
        questions.add(q);
        truths.put(q.text(), new long[] {Long.parseLong(q.answer()), q.level()});
      }
    }
    assertThat(questions).hasSize(30);
    ToyReasoner model = new ToyReasoner(truths);
    int ran = 0;
    int rejected = 0;
    int raised = 0;
    for (int trial = 0; trial < TRIALS; trial++) {
      SplittableRandom r = new SplittableRandom(trial);
      int count = 1 + r.nextInt(3);
      List<SearchStrategy> strategies = new ArrayList<>();
      List<Integer> budgets = new ArrayList<>();
      Map<String, Meter> meters = new HashMap<>();
      Map<String, SearchStrategy> byQuestion = new HashMap<>();
      for (int s = 0; s < count; s++) {
        StrategyConfig config = randomConfig(r);
        int wanted = 1 + r.nextInt(48);
        Question base = questions.get(r.nextInt(questions.size()));
        Question q = new Question(base.id() + "#" + trial + "." + s, base.text(), base.answer(), base.level());
        int budget = config.usableBudget(wanted);
        if (budget != wanted) {
          rejected++;
          assertThatThrownBy(() -> config.create(StrategyContext.of(q, wanted, 1)))
              .as("%s at budget %d", config.name(), wanted)
              .isInstanceOf(IllegalArgumentException.class);
        }
        if (budget == 0) {
          continue;
        }
        SearchStrategy strategy = config.create(
            new StrategyContext(q, budget, r.nextLong(), List.of(), r.nextInt(1000)));
        strategies.add(strategy);
        budgets.add(budget);
        meters.put(q.id(), new Meter());
        byQuestion.put(q.id(), strategy);
      }
      if (strategies.isEmpty()) {
        continue;
      }
      // raise some grants at a random model call (before its replies are delivered)
      int raiseAt = r.nextBoolean() ? r.nextInt(6) : -1;
      int[] extra = new int[strategies.size()];
      for (int s = 0; s < extra.length; s++) {
        extra[s] = r.nextInt(13);
      }
      int[] calls = {0};
      Runnable maybeRaise = () -> {
        if (calls[0]++ == raiseAt) {
          for (int s = 0; s < strategies.size(); s++) {
            SearchStrategy st = strategies.get(s);
            if (!st.isDone()) {
              st.raiseGrant(st.granted() + extra[s]);
            }
          }
        }
      };
      SyncDriver driver = new SyncDriver(
          batch -> {
            for (GenerateRequest g : batch) {
              Meter m = meters.get(g.questionId());
              m.charged += g.charge();
              m.maxCharge = Math.max(m.maxCharge, g.charge());
              SearchStrategy owner = byQuestion.get(g.questionId());
              assertThat(m.charged)
                  .as("%s: generations charged vs grant", owner.name())
                  .isLessThanOrEqualTo(owner.granted());
            }
            maybeRaise.run();
            List<GenerateReply> replies = model.generate(batch);
            for (int i = 0; i < batch.size(); i++) {
              Meter m = meters.get(batch.get(i).questionId());
              GenerateReply g = replies.get(i);
              m.promptTokens += g.promptTokens();
              m.generatedTokens += g.generatedTokens();
              m.proposerFlops += g.flops();
            }
            return replies;
          },
          batch -> {
            maybeRaise.run();
            List<ScoreReply> replies = model.score(batch);
            for (int i = 0; i < batch.size(); i++) {
              ScoreRequest req = batch.get(i);
              ScoreReply s = replies.get(i);
              Meter m = meters.get(req.questionId());
              m.verifierTokens += s.tokens();
              m.verifierFlops += s.flops();
            }
            return replies;
          });
      List<Outcome> outcomes = driver.runAll(strategies);
      for (int s = 0; s < strategies.size(); s++) {
        SearchStrategy st = strategies.get(s);
        Outcome o = outcomes.get(s);
        Meter m = meters.get(o.questionId());
        String what = "trial " + trial + ": " + st.name() + " at " + budgets.get(s);
        assertThat(o.compute()).as(what).isEqualTo(m.compute());
        assertThat(st.spent()).as(what).isEqualTo(o.compute());
        assertThat(o.granted()).as(what).isEqualTo(st.granted());
        assertThat(o.compute().generations()).as(what).isLessThanOrEqualTo(o.granted());
        assertThat(o.compute().generations()).as(what).isGreaterThanOrEqualTo(budgets.get(s));
        if (st.granted() == budgets.get(s)) {
          // every configuration spends exactly a usable budget
          assertThat(o.compute().generations()).as(what).isEqualTo((long) budgets.get(s));
        } else {
          raised++;
        }
        assertThat(o.strategy()).isEqualTo(st.name());
        assertThat(o.compute().generatedTokens()).as(what).isPositive();
        assertThat(o.candidates()).as(what).isNotEmpty().allSatisfy(c -> {
          assertThat(c.source()).isEqualTo(st.name());
          if (c.answer() != null) {
            assertThat(Answers.extract(c.steps())).isEqualTo(c.answer());
          }
        });
        ran++;
      }
    }
    // the property must have been exercised, not skipped
    assertThat(ran).isGreaterThan(TRIALS);
    assertThat(rejected).isPositive();
    assertThat(raised).isPositive();
  }

  @Test
  void anEmittedRequestPastTheGrantFailsLoudly() {
    // a subclass that plans past its grant is caught by the shared round machinery
    AbstractStrategy greedy = new AbstractStrategy("greedy", StrategyContext.of(Hand.Q, 3, 1)) {
      @Override
      protected List<io.reckon.protocol.ModelRequest> begin() {
        return List.of(generate(List.of(), List.of(), 4, 0, 0.8, 4));
      }

      @Override
      protected List<io.reckon.protocol.ModelRequest> advance(
          List<io.reckon.protocol.ModelReply> replies) {
        return List.of();
      }

      @Override
      protected List<io.reckon.protocol.Candidate> finals() {
        return List.of();
      }
    };
    assertThatThrownBy(greedy::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("would spend 4 generations of a grant of 3");
  }
}
