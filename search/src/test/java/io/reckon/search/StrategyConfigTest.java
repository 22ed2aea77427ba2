package io.reckon.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reckon.protocol.Candidate;
import io.reckon.protocol.Question;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class StrategyConfigTest {

  /** Every strategy name, and variants that set every parameter away from its default. */
  static List<String> specs() {
    return List.of(
        "best-of-n", "weighted-bon", "majority", "naive-bon", "beam", "lookahead", "revisions",
        "dvts", "rebase", "particle-filter",
        "best-of-n:sel=naive,agg=min,temp=1.5",
        "best-of-n:sel=majority,agg=prod,temp=0",
        "weighted-bon:agg=prod,temp=0.25",
        "beam:m=sqrt,agg=min,temp=0.7,rounds=12",
        "beam:m=2",
        "lookahead:k=3,m=2,agg=prod,rounds=1",
        "lookahead:k=1,m=sqrt",
        "revisions:len=all,sel=majority,agg=min,temp=1",
        "revisions:len=8,sel=weighted",
        "dvts:m=8,agg=prod,temp=0.3,rounds=40",
        "rebase:tb=0.35,agg=min,temp=0.9,rounds=7",
        "particle-filter:tp=2.5,agg=last,rounds=39",
        "  Beam : M = 4 , AGG = Last  ");
  }

  @ParameterizedTest
  @MethodSource("specs")
  void parseOfNameRoundTrips(String spec) {
    StrategyConfig c = StrategyConfig.parse(spec);
    assertThat(StrategyConfig.parse(c.name())).isEqualTo(c);
    assertThat(StrategyConfig.parse(c.name()).name()).isEqualTo(c.name());
    // the created strategy carries the same name (it tags outcomes and candidates)
    int budget = c.usableBudget(48);
    assertThat(budget).isPositive();
    assertThat(c.create(StrategyContext.of(Hand.Q, budget, 1)).name()).isEqualTo(c.name());
  }

  @Test
  void randomConfigurationsRoundTrip() {
    java.util.SplittableRandom r = new java.util.SplittableRandom(99);
    for (int i = 0; i < 500; i++) {
      StrategyConfig c = BudgetPropertyTest.randomConfig(r);
      // and with arbitrary doubles, which must survive their text form exactly
      double x = r.nextDouble() * Math.pow(10, r.nextInt(-6, 10));
      StrategyConfig d = c;
      if (c instanceof StrategyConfig.Rebase rb) {
        d = new StrategyConfig.Rebase(x, rb.aggregation(), x, rb.maxRounds());
      } else if (c instanceof StrategyConfig.ParticleFilter p) {
        d = new StrategyConfig.ParticleFilter(x, p.aggregation(), x, p.maxRounds());
      }
      for (StrategyConfig e : List.of(c, d)) {
        assertThat(StrategyConfig.parse(e.name())).as(e.name()).isEqualTo(e);
      }
    }
  }

  @Test
  void everyNameIsCovered() {
    assertThat(StrategyConfig.names())
        .containsExactly("best-of-n", "weighted-bon", "majority", "naive-bon", "beam", "lookahead",
            "revisions", "dvts", "rebase", "particle-filter");
    assertThat(specs()).containsAll(StrategyConfig.names());
  }

  @Test
  void defaultsAreThePapers() {
    assertThat(StrategyConfig.parse("best-of-n"))
        .isEqualTo(new StrategyConfig.BestOfN(Selection.WEIGHTED, Aggregation.LAST, 0.8));
    assertThat(StrategyConfig.parse("beam")).isEqualTo(new StrategyConfig.Beam(4, 0, Aggregation.LAST, 0.8, 40));
    assertThat(StrategyConfig.parse("lookahead"))
        .isEqualTo(new StrategyConfig.Beam(4, 1, Aggregation.LAST, 0.8, 40));
    assertThat(StrategyConfig.parse("revisions"))
        .isEqualTo(new StrategyConfig.Revisions(4, Selection.WEIGHTED, Aggregation.LAST, 0.8));
    assertThat(StrategyConfig.parse("beam").name()).isEqualTo("beam:m=4,agg=last");
    assertThat(StrategyConfig.parse("lookahead:k=2,temp=0.5,rounds=10").name())
        .isEqualTo("lookahead:k=2,m=4,agg=last,temp=0.5,rounds=10");
  }

  @ParameterizedTest
  @MethodSource("specs")
  void usableBudgetIsConsistentWithCreate(String spec) {
    StrategyConfig c = StrategyConfig.parse(spec);
    int lastUsable = 0;
    for (int b = 1; b <= 100; b++) {
      int u = c.usableBudget(b);
      StrategyContext ctx = StrategyContext.of(Hand.Q, b, 3);
      if (u == b) {
        assertThatCode(() -> c.create(ctx)).as("%s at %d", spec, b).doesNotThrowAnyException();
        lastUsable = b;
      } else {
        assertThatThrownBy(() -> c.create(ctx)).as("%s at %d", spec, b)
            .isInstanceOf(IllegalArgumentException.class);
      }
      assertThat(u).as("%s at %d: the largest usable budget not above it", spec, b)
          .isEqualTo(lastUsable);
    }
    assertThat(c.usableBudget(0)).isZero();
  }

  @ParameterizedTest
  @MethodSource("specs")
  void aZeroBudgetWithCarriedCandidatesSelectsAmongThemAndSpendsNothing(String spec) {
    Candidate probe = new Candidate(List.of("A: 5"), "5", List.of(0.7), 0.7, 0, "probe");
    StrategyContext ctx = new StrategyContext(Hand.Q, 0, 1, List.of(probe), 0);
    SearchStrategy s = StrategyConfig.parse(spec).create(ctx);
    assertThat(s.start()).isEmpty();
    assertThat(s.isDone()).isTrue();
    assertThat(s.outcome().answer()).isEqualTo("5");
    assertThat(s.outcome().candidates()).containsExactly(probe);
    assertThat(s.outcome().compute().generations()).isZero();
  }

  // ---- bad input: fail fast, naming the parameter and what is allowed ----

  @ParameterizedTest
  @ValueSource(ints = {0, -1, -100})
  void budgetMustBePositive(int budget) {
    assertThatThrownBy(() -> StrategyContext.of(Hand.Q, budget, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("budget")
        .hasMessageContaining(">= 1")
        .hasMessageContaining(Integer.toString(budget));
    Candidate probe = new Candidate(List.of("A: 5"), "5", List.of(), Double.NaN, 0, "probe");
    if (budget < 0) {
      assertThatThrownBy(() -> new StrategyContext(Hand.Q, budget, 1, List.of(probe), 0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("budget");
    }
  }

  @Test
  void beamWidthMustDivideTheBeams() {
    assertThatThrownBy(() -> Hand.create("beam:m=3", 8))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("m=3")
        .hasMessageContaining("N=8")
        .hasMessageContaining("choose m from 1, 2, 4, 8");
    assertThatThrownBy(() -> Hand.create("lookahead:k=1,m=4", 12)) // N = 6
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("m=4")
        .hasMessageContaining("N=6")
        .hasMessageContaining("1, 2, 3, 6");
  }

  @Test
  void unknownAggregation() {
    assertThatThrownBy(() -> StrategyConfig.parse("beam:agg=mean"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("beam")
        .hasMessageContaining("aggregation 'mean'")
        .hasMessageContaining("last, min, prod");
    assertThatThrownBy(() -> Aggregation.parse("avg"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown aggregation 'avg': allowed values are last, min, prod");
  }

  @Test
  void unknownSelection() {
    assertThatThrownBy(() -> StrategyConfig.parse("best-of-n:sel=best"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("selection 'best'")
        .hasMessageContaining("naive, weighted, majority");
  }

  @Test
  void unknownStrategy() {
    assertThatThrownBy(() -> StrategyConfig.parse("mcts:n=3"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown strategy 'mcts': allowed strategies are best-of-n, weighted-bon, "
            + "majority, naive-bon, beam, lookahead, revisions, dvts, rebase, particle-filter");
    assertThatThrownBy(() -> StrategyConfig.parse("  "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("allowed strategies are best-of-n");
  }

  @Test
  void unknownParameter() {
    assertThatThrownBy(() -> StrategyConfig.parse("beam:m=4,width=2"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("strategy 'beam' has no parameter 'width': allowed are agg, dedupe, m, rounds, sort-finals, temp");
    assertThatThrownBy(() -> StrategyConfig.parse("majority:agg=last"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'agg'")
        .hasMessageContaining("allowed are temp");
    assertThatThrownBy(() -> StrategyConfig.parse("dvts:m"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'m'")
        .hasMessageContaining("key=value");
  }

  @Test
  void badValuesNameTheirParameter() {
    assertThatThrownBy(() -> StrategyConfig.parse("beam:m=four"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("m must be an integer, got 'four'");
    assertThatThrownBy(() -> StrategyConfig.parse("rebase:tb=0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tb must be a finite number > 0");
    assertThatThrownBy(() -> StrategyConfig.parse("rebase:tb=1e999"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tb must be a finite number > 0");
    assertThatThrownBy(() -> StrategyConfig.parse("particle-filter:tp=hot"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tp must be a number");
    assertThatThrownBy(() -> StrategyConfig.parse("best-of-n:temp=-1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("temp must be a finite number >= 0");
    assertThatThrownBy(() -> new StrategyConfig.BestOfN(Selection.WEIGHTED, Aggregation.LAST,
            Double.POSITIVE_INFINITY))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("temp must be a finite number >= 0");
    assertThatThrownBy(() -> StrategyConfig.parse("beam:rounds=41"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rounds must be between 1 and 40");
    assertThatThrownBy(() -> StrategyConfig.parse("lookahead:k=0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("k must be between 1 and 40");
    assertThatThrownBy(() -> StrategyConfig.parse("dvts:m=0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("m must be >= 1");
  }

  @Test
  void aGrantCanOnlyBeRaised() {
    SearchStrategy s = StrategyConfig.parse("weighted-bon")
        .create(StrategyContext.of(new Question("q", "1+1", "2", 1), 4, 1));
    s.raiseGrant(6);
    assertThat(s.granted()).isEqualTo(6);
    assertThatThrownBy(() -> s.raiseGrant(5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("5 < current 6");
  }
}
