package io.reckon.search.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.reckon.protocol.Continuation;
import io.reckon.protocol.GenerateReply;
import io.reckon.protocol.GenerateRequest;
import io.reckon.protocol.Outcome;
import io.reckon.protocol.Question;
import io.reckon.protocol.ScoreReply;
import io.reckon.search.Answers;
import io.reckon.search.StrategyConfig;
import io.reckon.search.StrategyContext;
import io.reckon.search.SyncDriver;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SweepTest {

  private static final String WEIGHTED = "best-of-n:sel=weighted,agg=last";
  private static final String MAJORITY = "best-of-n:sel=majority,agg=last";

  private static SweepResult sweep(List<Question> qs, Sweep.Settings settings, int chunk) {
    return new Sweep(Toy.driver(qs), chunk).run(qs, settings, Sweep.Progress.NONE);
  }

  @Test
  void bestOfNAtThePoolSizeIsADirectBestOfNRunOnTheSameSamples() {
    List<Question> qs = Toy.slice(12, 50);
    Sweep.Settings settings = Sweep.Settings.of(List.of(1, 2, 4, 8))
        .withGrid(List.of("weighted-bon", "majority")).withSeed(5);
    SweepResult r = sweep(qs, settings, 64);
    SyncDriver driver = Toy.driver(qs);

    double[] cost = new double[4]; // weighted flops, weighted tokens, majority flops, majority tokens
    for (int q = 0; q < qs.size(); q++) {
      for (int c = 0; c < 2; c++) {
        StrategyConfig config = StrategyConfig.parse(settings.grid().get(c));
        Outcome direct = driver.run(config.create(new StrategyContext(
            qs.get(q), 8, Sweep.poolSeed(5, q), List.of(), 0)));
        double right = Answers.equivalent(direct.answer(), qs.get(q).answer()) ? 1.0 : 0.0;
        assertThat(r.correct().get(q).get(c).get(3)).as("question %d, %s", q, config.name())
            .isEqualTo(right);
        cost[2 * c] += direct.compute().flops() / qs.size();
        cost[2 * c + 1] += SweepResult.Cost.of(direct.compute()).tokens() / qs.size();
      }
    }
    SweepResult.Cost weighted = r.cost(WEIGHTED, 8);
    SweepResult.Cost majority = r.cost(MAJORITY, 8);
    assertThat(weighted.generations()).isEqualTo(8.0);
    assertThat(weighted.flops()).isCloseTo(cost[0], within(1e-6 * cost[0]));
    assertThat(weighted.tokens()).isCloseTo(cost[1], within(1e-9 * cost[1]));
    // the vote never asked the verifier, neither directly nor in the sweep's accounting
    assertThat(majority.verifierTokens()).isZero();
    assertThat(majority.flops()).isCloseTo(cost[2], within(1e-6 * cost[2]));
    assertThat(majority.tokens()).isCloseTo(cost[3], within(1e-9 * cost[3]));
    // at half the budget, half the pool's cost
    assertThat(r.cost(WEIGHTED, 4).flops()).isCloseTo(cost[0] / 2, within(1e-6 * cost[0]));
  }

  @Test
  void configurationsThatCannotRunAtABudgetAreEmpty() {
    List<Question> qs = Toy.slice(4, 100);
    List<String> grid = List.of("weighted-bon", "beam:m=4", "lookahead:k=3", "revisions:len=4", "dvts:m=4");
    SweepResult r = sweep(qs, Sweep.Settings.of(List.of(1, 2, 4, 8)).withGrid(grid), 64);
    // beam m=4 needs N divisible by 4; lookahead k=3,m=4 needs N = 4·beams with 4 | beams
    boolean[][] runs = {
      {true, true, true, true},
      {false, false, true, true},
      {false, false, false, false},
      {false, false, true, true},
      {false, false, true, true},
    };
    SweepTable table = r.table();
    for (int c = 0; c < grid.size(); c++) {
      for (int b = 0; b < 4; b++) {
        for (int q = 0; q < qs.size(); q++) {
          Double v = r.correct().get(q).get(c).get(b);
          if (runs[c][b]) {
            assertThat(v).as("%s at %d", r.configs().get(c), r.budgets().get(b)).isBetween(0.0, 1.0);
          } else {
            assertThat(v).as("%s at %d", r.configs().get(c), r.budgets().get(b)).isNull();
            assertThat(table.correct(q, c, b)).isNaN();
          }
        }
        assertThat(r.compute().get(c).get(b) != null).isEqualTo(runs[c][b]);
      }
    }
    assertThat(r.cost("beam:m=4,agg=last", 8).generations()).isEqualTo(8.0);
  }

  @Test
  void aSearchBudgetLimitLeavesTheLargerSearchCellsEmptyButNotBestOfN() {
    List<Question> qs = Toy.slice(4, 100);
    List<String> grid = List.of("weighted-bon", "beam:m=4");
    Sweep.Settings settings = Sweep.Settings.of(List.of(1, 2, 4, 8)).withGrid(grid);
    SweepResult limited = sweep(qs, settings.withSearchMaxBudget(4), 64);
    SweepResult full = sweep(qs, settings, 64);
    assertThat(limited.compute().get(1).get(2)).isNotNull();
    assertThat(limited.compute().get(1).get(3)).as("beam at 8, above the limit").isNull();
    assertThat(limited.compute().get(0).get(3)).as("best-of-N at 8 comes from the pool").isNotNull();
    for (int q = 0; q < qs.size(); q++) {
      assertThat(limited.correct().get(q).get(1).get(3)).isNull();
      // below the limit the cells are the unlimited sweep's, run for run
      assertThat(limited.correct().get(q).get(1).get(2)).isEqualTo(full.correct().get(q).get(1).get(2));
      assertThat(limited.correct().get(q).get(0).get(3)).isEqualTo(full.correct().get(q).get(0).get(3));
    }
    assertThatThrownBy(() -> settings.withSearchMaxBudget(-1)).hasMessageContaining("searchMaxBudget");
  }

  @Test
  void theSameSeedGivesTheSameResultWhateverTheChunkSize() {
    List<Question> qs = Toy.slice(8, 70);
    Sweep.Settings settings = Sweep.Settings.of(List.of(1, 2, 4))
        .withGrid(List.of("weighted-bon", "majority", "beam:m=sqrt", "revisions:len=2", "dvts:m=2"))
        .withSeed(99);
    List<int[]> progress = new ArrayList<>();
    List<String> phases = new ArrayList<>();
    SweepResult a = new Sweep(Toy.driver(qs), 3).run(qs, settings, (done, total, phase) -> {
      progress.add(new int[] {done, total});
      phases.add(phase);
    });
    SweepResult b = sweep(qs, settings, 64);
    assertThat(a).isEqualTo(b);
    SweepResult other = sweep(qs, settings.withSeed(100), 64);
    assertThat(other.passAt1()).isNotEqualTo(a.passAt1());

    // 0, 3, 6, 8 per phase
    assertThat(phases).containsExactly("difficulty", "difficulty", "difficulty", "difficulty",
        "pool", "pool", "pool", "pool", "search", "search", "search", "search");
    assertThat(progress.stream().map(p -> p[0]).toList())
        .containsExactly(0, 3, 6, 8, 0, 3, 6, 8, 0, 3, 6, 8);
    assertThat(progress).allSatisfy(p -> assertThat(p[1]).isEqualTo(8));
  }

  @Test
  void onTheToyReasonerHarderLevelsPassLessAndBestOfNRisesWithBudget() {
    List<Question> qs = Toy.slice(60, 10);
    Sweep.Settings settings = Sweep.Settings.of(List.of(1, 4, 16)).withGrid(List.of(
        "weighted-bon", "majority", "beam:m=4", "revisions:len=4", "dvts:m=4")).withSeed(3);
    SweepResult r = sweep(qs, settings, 64);

    double easy = meanOverLevels(r, r.passAt1(), 1, 2);
    double medium = meanOverLevels(r, r.passAt1(), 3, 4);
    double hard = meanOverLevels(r, r.passAt1(), 5, 6);
    assertThat(easy).as("pass@1 easy %.3f medium %.3f hard %.3f", easy, medium, hard)
        .isGreaterThan(medium + 0.05);
    assertThat(medium).as("pass@1 medium %.3f hard %.3f", medium, hard).isGreaterThan(hard + 0.05);
    // the probe's PRM scores, without the ground truth, still see the difference
    assertThat(meanOverLevels(r, r.predicted(), 1, 2))
        .isGreaterThan(meanOverLevels(r, r.predicted(), 5, 6));

    SweepTable t = r.table();
    int[] all = IntStream.range(0, qs.size()).toArray();
    double n1 = t.accuracy(all, 0, 0);
    double n4 = t.accuracy(all, 0, 1);
    double n16 = t.accuracy(all, 0, 2);
    assertThat(n4).as("weighted BoN %.3f %.3f %.3f", n1, n4, n16).isGreaterThan(n1 + 0.05);
    assertThat(n16).as("weighted BoN %.3f %.3f %.3f", n1, n4, n16).isGreaterThan(n4);
    // N=1: any selection of one sample is that sample, so the expectation is the pool's pass@1;
    // the oracle pass@1 comes from other samples of the same questions, so it is close, not equal
    double meanPass = r.passAt1().stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    assertThat(n1).isCloseTo(meanPass, within(0.06));
    assertThat(t.accuracy(all, 1, 0)).isCloseTo(n1, within(1e-9));

    for (int c = 0; c < r.configs().size(); c++) {
      for (int b = 0; b < r.budgets().size(); b++) {
        SweepResult.Cost cost = r.compute().get(c).get(b);
        if (cost != null) {
          assertThat(cost.generations()).as(r.configs().get(c)).isEqualTo((double) r.budgets().get(b));
          assertThat(cost.flops()).isPositive();
        }
      }
    }
    assertThat(r.cost(WEIGHTED, 16).flops()).isGreaterThan(r.cost(WEIGHTED, 4).flops());
    assertThat(r.probe().generations()).isEqualTo(4.0);
    assertThat(r.difficulty().generations()).isEqualTo(4.0 + Sweep.Settings.DEFAULT_DIFFICULTY);
    assertThat(r.probes()).hasSize(60).allSatisfy(p -> assertThat(p.samples()).isEqualTo(4));
    assertThat(r.levels()).hasSize(60).doesNotContainNull();
  }

  private static double meanOverLevels(SweepResult r, List<Double> values, int lo, int hi) {
    double sum = 0;
    int n = 0;
    for (int q = 0; q < values.size(); q++) {
      int level = r.levels().get(q);
      if (level >= lo && level <= hi) {
        sum += values.get(q);
        n++;
      }
    }
    return sum / n;
  }

  @Test
  void settingsAreCanonicalAndCheckedUpFront() {
    Sweep.Settings s = Sweep.Settings.of(List.of(1, 4)).withGrid(List.of("weighted-bon", "beam"));
    assertThat(s.grid()).containsExactly(WEIGHTED, "beam:m=4,agg=last");
    assertThat(s.poolSize()).isEqualTo(4);
    assertThat(Sweep.Settings.of(List.of(1, 64)).grid()).isEqualTo(Sweep.defaultGrid());
    assertThatThrownBy(() -> s.withGrid(List.of("weighted-bon", "best-of-n")))
        .hasMessageContaining("twice");
    assertThatThrownBy(() -> s.withGrid(List.of("warp-drive"))).hasMessageContaining("sweep: grid: unknown strategy");
    assertThatThrownBy(() -> s.withPoolSize(2)).hasMessageContaining("poolSize 2 is below the largest budget 4");
    assertThatThrownBy(() -> Sweep.Settings.of(List.of(4, 2))).hasMessageContaining("ascending");
    assertThatThrownBy(() -> s.withProbeSize(0)).hasMessageContaining("probeSize");
    assertThatThrownBy(() -> s.withDifficultySize(0)).hasMessageContaining("difficultySize");
  }

  /**
   * Every question is the same coin (each sample right with probability 1/2) and the verifier
   * says nothing (every step 0.5), so no difficulty bin can truly be easier than another and
   * best-of-N at N = 1 must score about 1/2 in every bin. When the binning variable is measured
   * on the samples that best-of-N is scored on (the old sweep: pass@1 over the pool itself), the
   * selection alone makes the top bin look easy and the bottom bin hard.
   */
  @Test
  void binningOnSamplesApartFromThePoolCreatesNoPerBinGap() {
    int n = 200;
    List<Question> qs = IntStream.range(0, n)
        .mapToObj(i -> new Question("c" + i, "coin " + i, "1", 1)).toList();
    SyncDriver coins = new SyncDriver(
        batch -> batch.stream().map(SweepTest::flip).toList(),
        batch -> batch.stream().map(r -> new ScoreReply(r.requestId(),
            r.solutions().stream().map(s -> s.stream().map(x -> 0.5).toList()).toList(), 0, 0.0))
            .toList());
    Sweep.Settings settings = Sweep.Settings.of(List.of(1, 16)).withGrid(List.of(WEIGHTED))
        .withDifficultySize(16).withSeed(11);
    SweepResult r = new Sweep(coins).run(qs, settings, Sweep.Progress.NONE);
    SweepTable t = r.table();
    double[] atOne = IntStream.range(0, n).mapToDouble(q -> t.correct(q, 0, 0)).toArray();

    double apart = quintileGap(r.passAt1().stream().mapToDouble(Double::doubleValue).toArray(), atOne);
    double leaky = quintileGap(atOne, atOne);
    assertThat(apart).as("gap with difficulty apart from the pool").isLessThan(0.1);
    assertThat(leaky).as("gap with the old, leaky binning").isGreaterThan(0.25);
  }

  /** Mean of {@code values} over the top fifth by {@code binning} minus the bottom fifth's. */
  private static double quintileGap(double[] binning, double[] values) {
    Integer[] order = IntStream.range(0, binning.length).boxed().toArray(Integer[]::new);
    java.util.Arrays.sort(order, (a, b) -> Double.compare(binning[a], binning[b]));
    int fifth = binning.length / 5;
    double low = 0;
    double high = 0;
    for (int i = 0; i < fifth; i++) {
      low += values[order[i]];
      high += values[order[binning.length - 1 - i]];
    }
    return (high - low) / fifth;
  }

  private static GenerateReply flip(GenerateRequest r) {
    java.util.SplittableRandom random = new java.util.SplittableRandom(r.seed());
    List<Continuation> rows = new ArrayList<>();
    for (int i = 0; i < r.samples(); i++) {
      String answer = random.nextBoolean() ? "1" : "2";
      rows.add(new Continuation(List.of("flip", "A: " + answer), true, 4, -1.0));
    }
    return new GenerateReply(r.requestId(), rows, 1, 4L * r.samples(), 1.0);
  }

  @Test
  void questionsWithoutGroundTruthAreRefused() {
    List<Question> qs = List.of(new Question("x", "1+1", null, 1));
    assertThatThrownBy(() -> new Sweep(Toy.driver(Toy.slice(1, 1)))
        .run(qs, Sweep.Settings.of(List.of(1)), Sweep.Progress.NONE))
        .hasMessageContaining("question x has no answer");
  }
}
