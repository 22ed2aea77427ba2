package io.reckon.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.reckon.protocol.Continuation;
import io.reckon.protocol.GenerateRequest;
import io.reckon.protocol.ModelRequest;
import io.reckon.protocol.Outcome;
import io.reckon.protocol.Question;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class ParticleFilterTest {

  /** Child j of a step x is x.j; paths of three steps write their answer. */
  private static final Function<GenerateRequest, List<Continuation>> PROPOSER =
      r -> {
        String parent = r.prefix().isEmpty() ? "p" : r.prefix().get(r.prefix().size() - 1);
        List<Continuation> rows = new ArrayList<>();
        for (int j = 0; j < r.samples(); j++) {
          String child = parent + "." + j;
          rows.add(r.prefix().size() == 2 ? Hand.finished(child, "A: " + child.charAt(2)) : Hand.open(child));
        }
        return rows;
      };

  @Test
  void resamplesTowardsTheHighScoringParticleKeepingThePopulation() {
    // tp = 0.05: p.2 (0.9) outweighs each other particle (0.1) by e^16
    Map<String, Double> prm = Map.of("p.0", 0.1, "p.1", 0.1, "p.2", 0.9, "p.3", 0.1, "p.4", 0.1);
    Hand hand = new Hand(Hand.create("particle-filter:tp=0.05", 5), PROPOSER, Hand.table(prm, 0.5));
    Outcome o = hand.run();
    GenerateRequest first = hand.generates(0).get(0);
    assertThat(first.samples()).isEqualTo(5);
    assertThat(first.charge()).isEqualTo(5);
    assertThat(hand.generates(2)).singleElement().satisfies(g -> {
      assertThat(g.prefix()).containsExactly("p.2");
      assertThat(g.samples()).isEqualTo(5);
      assertThat(g.charge()).isZero();
    });
    assertThat(o.candidates()).hasSize(5).allSatisfy(c -> assertThat(c.answer()).isEqualTo("2"));
    assertThat(o.compute().generations()).isEqualTo(5);
  }

  private static List<List<ModelRequest>> trace(long seed, Function<List<String>, List<Double>> prm) {
    StrategyContext ctx = StrategyContext.of(new Question("q", "1+1", "2", 1), 12, seed);
    Hand hand = new Hand(StrategyConfig.parse("particle-filter:tp=0.5").create(ctx), PROPOSER, prm);
    hand.run();
    return hand.rounds;
  }

  @Test
  void resamplingIsSeededAndReproducible() {
    Function<List<String>, List<Double>> prm =
        steps -> steps.stream().map(s -> (double) (s.hashCode() & 0xff) / 0xff).toList();
    List<List<ModelRequest>> a = trace(7, prm);
    assertThat(trace(7, prm)).isEqualTo(a);
    // another seed resamples (and samples) differently
    boolean differs = false;
    for (long seed = 8; seed < 20 && !differs; seed++) {
      List<List<ModelRequest>> b = trace(seed, prm);
      List<List<List<String>>> pa = prefixesAndCounts(a);
      List<List<List<String>>> pb = prefixesAndCounts(b);
      differs = !pa.equals(pb);
    }
    assertThat(differs).isTrue();
    // every resampling round keeps the population: the copies sum to the particles still open
    List<GenerateRequest> round1 = a.get(2).stream().map(GenerateRequest.class::cast).toList();
    assertThat(round1.stream().mapToInt(GenerateRequest::samples).sum()).isEqualTo(12);
  }

  private static List<List<List<String>>> prefixesAndCounts(List<List<ModelRequest>> rounds) {
    List<List<List<String>>> out = new ArrayList<>();
    for (List<ModelRequest> round : rounds) {
      List<List<String>> r = new ArrayList<>();
      for (ModelRequest m : round) {
        if (m instanceof GenerateRequest g) {
          List<String> row = new ArrayList<>(g.prefix());
          row.add("x" + g.samples());
          r.add(row);
        }
      }
      out.add(r);
    }
    return out;
  }

  /** Round 0 writes {@code p.0} finished (answer 7) and open {@code p.1..}; later steps finish with 1. */
  private static final Function<GenerateRequest, List<Continuation>> ONE_DONE_EARLY =
      r -> {
        List<Continuation> rows = new ArrayList<>();
        for (int j = 0; j < r.samples(); j++) {
          if (r.prefix().isEmpty()) {
            rows.add(j == 0 ? Hand.finished("p.0", "A: 7") : Hand.open("p." + j));
          } else {
            rows.add(Hand.finished(r.prefix().get(0) + "." + j, "A: 1"));
          }
        }
        return rows;
      };

  @Test
  void theBestParticleAnswersByDefaultAndTheWeightedVoteOnlyWhenAsked() {
    // resample=active keeps the finished "7" (0.99) beside three particles that end on "1" (0.5
    // each): the single best particle says 7, the summed-score vote says 1 (1.5 against 0.99).
    Map<String, Double> prm = Map.of("p.0", 0.99, "A: 7", 0.99, "p.1", 0.01, "p.2", 0.01, "p.3", 0.01);
    Outcome best = new Hand(Hand.create("particle-filter:resample=active", 4), ONE_DONE_EARLY,
        Hand.table(prm, 0.5)).run();
    Outcome weighted = new Hand(Hand.create("particle-filter:resample=active,sel=weighted", 4),
        ONE_DONE_EARLY, Hand.table(prm, 0.5)).run();
    assertThat(best.candidates()).extracting(c -> c.answer()).containsExactly("7", "1", "1", "1");
    assertThat(best.answer()).isEqualTo("7");
    assertThat(weighted.answer()).isEqualTo("1");
    assertThat(StrategyConfig.parse("particle-filter:sel=weighted").name()).endsWith(",sel=weighted");
    assertThat(StrategyConfig.parse("particle-filter:sel=best").name()).doesNotContain("sel=");
  }

  @Test
  void finishedParticlesAreResampledTooByDefault() {
    Map<String, Double> prm = Map.of("p.0", 0.99, "A: 7", 0.99, "p.1", 0.01, "p.2", 0.01, "p.3", 0.01);
    Hand hand = new Hand(Hand.create("particle-filter", 4), ONE_DONE_EARLY, Hand.table(prm, 0.5));
    Outcome o = hand.run();
    // softmax(logit): the finished p.0 outweighs each open one by about e^9, so it takes the
    // whole population and nothing is left to extend
    assertThat(hand.rounds).hasSize(2);
    assertThat(o.candidates()).hasSize(4).allSatisfy(c -> assertThat(c.answer()).isEqualTo("7"));

    Hand old = new Hand(Hand.create("particle-filter:resample=active", 4), ONE_DONE_EARLY,
        Hand.table(prm, 0.5));
    Outcome o2 = old.run();
    // finished particles leave: the three open ones fill the population among themselves
    assertThat(old.generates(2).stream().mapToInt(GenerateRequest::samples).sum()).isEqualTo(3);
    assertThat(o2.candidates()).extracting(c -> c.answer()).containsExactly("7", "1", "1", "1");
  }

  @Test
  void logitWeightsSeparateSaturatedScoresThatExpWeightsDoNot() {
    // p.0 at 0.999 against three at 0.9: softmax(logit) puts 97 % of each draw on p.0,
    // softmax(r) (T = 1) 27 %
    Map<String, Double> prm = Map.of("p.0", 0.999, "p.1", 0.9, "p.2", 0.9, "p.3", 0.9);
    double logit = 0;
    double plain = 0;
    int trials = 40;
    for (long seed = 0; seed < trials; seed++) {
      logit += copiesOfP0(StrategyConfig.parse("particle-filter").create(
          StrategyContext.of(Hand.Q, 4, seed)), prm);
      plain += copiesOfP0(StrategyConfig.parse("particle-filter:weight=score").create(
          StrategyContext.of(Hand.Q, 4, seed)), prm);
    }
    assertThat(logit / trials).isGreaterThan(3.5);
    assertThat(plain / trials).isLessThan(1.6);
  }

  private static int copiesOfP0(SearchStrategy s, Map<String, Double> prm) {
    Hand hand = new Hand(s, PROPOSER, Hand.table(prm, 0.5));
    hand.run();
    return hand.generates(2).stream().filter(g -> g.prefix().equals(List.of("p.0")))
        .mapToInt(GenerateRequest::samples).sum();
  }

  @Test
  void multinomialResamplingFollowsTheSoftmaxWeights() {
    List<Double> scores = List.of(0.2, 0.5, 0.9);
    double t = 0.4;
    double[] w = Softmax.weights(scores, t);
    int[] total = new int[3];
    SplittableRandom random = new SplittableRandom(1);
    int draws = 0;
    for (int i = 0; i < 2000; i++) {
      int[] c = Softmax.resample(scores, t, 10, random);
      assertThat(c[0] + c[1] + c[2]).isEqualTo(10);
      for (int k = 0; k < 3; k++) {
        total[k] += c[k];
      }
      draws += 10;
    }
    for (int k = 0; k < 3; k++) {
      assertThat((double) total[k] / draws).isCloseTo(w[k], within(0.02));
    }
    int[] again = Softmax.resample(scores, t, 10, new SplittableRandom(5));
    assertThat(Softmax.resample(scores, t, 10, new SplittableRandom(5))).containsExactly(again);
  }
}
