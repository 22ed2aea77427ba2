package io.reckon.search.policy;

import io.reckon.protocol.Candidate;
import io.reckon.protocol.Outcome;
import io.reckon.protocol.Question;
import io.reckon.search.Aggregation;
import io.reckon.search.ProbeFeatures;
import io.reckon.search.SearchStrategy;
import io.reckon.search.Seeds;
import io.reckon.search.Selection;
import io.reckon.search.StrategyConfig;
import io.reckon.search.StrategyContext;
import io.reckon.search.task.Task;
import io.reckon.search.task.Tasks;
import io.reckon.search.SyncDriver;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Evaluates a grid of strategy configurations at a list of budgets over a question set: the
 * measurements a compute-optimal {@link Policy} is learned from.
 *
 * <p>Two phases, each over the questions in chunks (one {@link SyncDriver} run per chunk, so
 * every round of a chunk is one batched call per model and memory stays bounded):
 *
 * <ol>
 *   <li><b>difficulty</b>: per question one PRM-scored run of {@code probeSize + difficultySize}
 *       samples, drawn with seeds of their own: the first {@code probeSize} are the probe (what a
 *       run's probe would see: the predicted difficulty and the estimator's features), the other
 *       {@code difficultySize} give the oracle pass@1. Neither shares a sample with the pool that
 *       scores the strategies: when the binning variable is measured on the samples that are then
 *       scored, a bin's best-of-N accuracy at N = 1 <em>is</em> its binning variable, so hard bins
 *       understate best-of-N and easy bins overstate it. Its cost is reported apart.
 *   <li><b>pool</b>: per question one PRM-scored best-of-N run of {@code poolSize} samples, which
 *       scores every best-of-N configuration of the grid that samples at the pool's temperature,
 *       at every budget, by subsampling the pool ({@link BestOfNSubsampler}); all best-of-N
 *       variants of a question are scored on the same subsets, so their differences are not
 *       subset noise. Their compute is n/poolSize of the pool's measured cost (without the
 *       verifier's part for a majority vote).
 *   <li><b>search</b>: every other configuration, once per question and budget it can run at
 *       exactly ({@code usableBudget(budget) == budget}) up to {@code searchMaxBudget}; other
 *       cells are left empty. Scored 0/1.
 * </ol>
 *
 * <p>Deterministic for a seed, whatever the chunk size: every seed derives from the sweep's seed,
 * the question's index, the configuration and the budget, and the model functions must answer a
 * request the same way in any batch.
 */
public final class Sweep {
  public static final int DEFAULT_CHUNK = 64;
  public static final String DIFFICULTY_PHASE = "difficulty";
  public static final String POOL_PHASE = "pool";
  public static final String SEARCH_PHASE = "search";

  private static final long POOL_SALT = 0x706f6f6cL; // "pool"
  private static final long SUBSET_SALT = 0x73756273L; // "subs"
  private static final long DIFFICULTY_SALT = 0x64696666L; // "diff"

  /** Reports after each chunk: {@code done} of {@code total} questions through {@code phase}. */
  @FunctionalInterface
  public interface Progress {
    Progress NONE = (done, total, phase) -> {};

    void update(int done, int total, String phase);
  }

  /**
   * What determines a sweep's result.
   *
   * @param budgets ascending budgets in generations, each >= 1
   * @param grid configurations (any form {@link StrategyConfig#parse} reads; kept canonical)
   * @param poolSize samples per question in the pool; at least the largest budget
   * @param probeSize samples of the probe (predicted difficulty and the estimator's features),
   *     drawn apart from the pool
   * @param resamples random subsets per (question, budget) when subsampling is not exhaustive
   * @param temperature the pool's sampling temperature
   * @param seed every random choice derives from it
   * @param searchMaxBudget the search phase runs only at budgets up to this (0: at every budget);
   *     best-of-N still reaches every budget from the pool. Tree searches cost their whole budget
   *     per question and budget, so on small machines they are what a sweep's time goes to.
   * @param difficultySize samples per question for the oracle pass@1, drawn apart from the pool
   *     and the probe (its cost is the price of an unbiased binning)
   */
  public record Settings(
      List<Integer> budgets,
      List<String> grid,
      int poolSize,
      int probeSize,
      int resamples,
      double temperature,
      long seed,
      int searchMaxBudget,
      int difficultySize) {

    public static final int DEFAULT_PROBE = 4;
    public static final int DEFAULT_DIFFICULTY = 16;
    public static final int DEFAULT_RESAMPLES = 16;

    public Settings {
      Objects.requireNonNull(budgets, "budgets");
      Objects.requireNonNull(grid, "grid");
      budgets = List.copyOf(budgets);
      if (budgets.isEmpty()) {
        throw new IllegalArgumentException("sweep: budgets is empty");
      }
      for (int i = 0; i < budgets.size(); i++) {
        if (budgets.get(i) < 1 || (i > 0 && budgets.get(i) <= budgets.get(i - 1))) {
          throw new IllegalArgumentException(
              "sweep: budgets must be ascending and >= 1, got " + budgets);
        }
      }
      Set<String> names = new LinkedHashSet<>();
      for (String spec : grid) {
        String name;
        try {
          name = StrategyConfig.parse(spec).name();
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("sweep: grid: " + e.getMessage(), e);
        }
        if (!names.add(name)) {
          throw new IllegalArgumentException(
              "sweep: the grid names " + name + " twice (as '" + spec + "')");
        }
      }
      if (names.isEmpty()) {
        throw new IllegalArgumentException("sweep: the grid is empty");
      }
      grid = List.copyOf(names);
      int max = budgets.get(budgets.size() - 1);
      if (poolSize < max) {
        throw new IllegalArgumentException(
            "sweep: poolSize " + poolSize + " is below the largest budget " + max
                + ": best-of-N at every budget is subsampled from the pool");
      }
      if (probeSize < 1) {
        throw new IllegalArgumentException("sweep: probeSize must be >= 1, got " + probeSize);
      }
      if (difficultySize < 1) {
        throw new IllegalArgumentException(
            "sweep: difficultySize must be >= 1 (samples for the oracle pass@1), got "
                + difficultySize);
      }
      if (resamples < 1) {
        throw new IllegalArgumentException("sweep: resamples must be >= 1, got " + resamples);
      }
      if (!(temperature >= 0) || Double.isInfinite(temperature)) {
        throw new IllegalArgumentException(
            "sweep: temperature must be a finite number >= 0, got " + temperature);
      }
      if (searchMaxBudget < 0) {
        throw new IllegalArgumentException(
            "sweep: searchMaxBudget must be >= 0 (0: every budget), got " + searchMaxBudget);
      }
    }

    /** Without a limit on the search phase's budgets, with the default difficulty pool. */
    public Settings(List<Integer> budgets, List<String> grid, int poolSize, int probeSize,
        int resamples, double temperature, long seed) {
      this(budgets, grid, poolSize, probeSize, resamples, temperature, seed, 0, DEFAULT_DIFFICULTY);
    }

    /** Whether the search phase runs at budget n. */
    public boolean searches(int n) {
      return searchMaxBudget == 0 || n <= searchMaxBudget;
    }

    /** The default grid, a pool of the largest budget, a probe of 4 (or the pool), 16 resamples, seed 0. */
    public static Settings of(List<Integer> budgets) {
      int max = budgets.isEmpty() ? 1 : budgets.get(budgets.size() - 1);
      return new Settings(budgets, defaultGrid(), max, DEFAULT_PROBE, DEFAULT_RESAMPLES,
          StrategyConfig.DEFAULT_TEMPERATURE, 0L);
    }

    public Settings withGrid(List<String> g) {
      return new Settings(budgets, g, poolSize, probeSize, resamples, temperature, seed, searchMaxBudget, difficultySize);
    }

    public Settings withPoolSize(int p) {
      return new Settings(budgets, grid, p, probeSize, resamples, temperature, seed, searchMaxBudget, difficultySize);
    }

    public Settings withProbeSize(int p) {
      return new Settings(budgets, grid, poolSize, p, resamples, temperature, seed, searchMaxBudget, difficultySize);
    }

    public Settings withResamples(int r) {
      return new Settings(budgets, grid, poolSize, probeSize, r, temperature, seed, searchMaxBudget, difficultySize);
    }

    public Settings withTemperature(double t) {
      return new Settings(budgets, grid, poolSize, probeSize, resamples, t, seed, searchMaxBudget, difficultySize);
    }

    public Settings withSearchMaxBudget(int m) {
      return new Settings(budgets, grid, poolSize, probeSize, resamples, temperature, seed, m, difficultySize);
    }

    public Settings withDifficultySize(int d) {
      return new Settings(budgets, grid, poolSize, probeSize, resamples, temperature, seed,
          searchMaxBudget, d);
    }

    public Settings withSeed(long s) {
      return new Settings(budgets, grid, poolSize, probeSize, resamples, temperature, s, searchMaxBudget, difficultySize);
    }
  }

  /**
   * The grid: best-of-N weighted (last, min, prod), majority and naive; beam search with
   * M=4 and M=√N; lookahead k=1 and k=3 (M=4); revisions with chains of 1, 4, 16 and all of the
   * budget (hierarchical weighted selection); DVTS with M=4; REBASE and particle filtering with
   * their default temperatures.
   */
  public static List<String> defaultGrid() {
    return List.of(
        "best-of-n:sel=weighted,agg=last",
        "best-of-n:sel=weighted,agg=min",
        "best-of-n:sel=weighted,agg=prod",
        "best-of-n:sel=majority,agg=last",
        "best-of-n:sel=naive,agg=last",
        "beam:m=4,agg=last",
        "beam:m=sqrt,agg=last",
        "lookahead:k=1,m=4,agg=last",
        "lookahead:k=3,m=4,agg=last",
        "revisions:len=1,sel=weighted,agg=last",
        "revisions:len=4,sel=weighted,agg=last",
        "revisions:len=16,sel=weighted,agg=last",
        "revisions:len=all,sel=weighted,agg=last",
        "dvts:m=4,agg=last",
        "rebase:tb=0.1,agg=last",
        "particle-filter:tp=1,agg=last");
  }

  private final SyncDriver driver;
  private final int chunkSize;
  private final Task task;

  public Sweep(SyncDriver driver) {
    this(driver, DEFAULT_CHUNK);
  }

  /** @param chunkSize questions per driver run; bounds memory, never changes the result */
  public Sweep(SyncDriver driver, int chunkSize) {
    this(driver, chunkSize, Tasks.ARITH);
  }

  /**
   * @param chunkSize questions per driver run; bounds memory, never changes the result
   * @param task extracts and compares answers: grading, votes and the probe's agreement
   */
  public Sweep(SyncDriver driver, int chunkSize, Task task) {
    this.driver = Objects.requireNonNull(driver, "driver");
    this.task = Objects.requireNonNull(task, "task");
    if (chunkSize < 1) {
      throw new IllegalArgumentException("chunk size must be >= 1, got " + chunkSize);
    }
    this.chunkSize = chunkSize;
  }

  /** Runs the sweep; every question needs its ground-truth answer. */
  public SweepResult run(List<Question> questions, Settings settings, Progress progress) {
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(progress, "progress");
    for (Question q : questions) {
      if (q.answer() == null) {
        throw new IllegalArgumentException(
            "sweep: question " + q.id() + " has no answer; a sweep needs the ground truth");
      }
    }
    int nq = questions.size();
    List<StrategyConfig> grid = settings.grid().stream().map(StrategyConfig::parse).toList();
    List<Integer> budgets = settings.budgets();
    int nc = grid.size();
    int nb = budgets.size();
    boolean[] subsampled = new boolean[nc];
    for (int c = 0; c < nc; c++) {
      subsampled[c] = grid.get(c) instanceof StrategyConfig.BestOfN bon
          && bon.temperature() == settings.temperature();
    }

    double[] passAt1 = new double[nq];
    double[] predicted = new double[nq];
    List<ProbeFeatures> probes = new ArrayList<>();
    double[][][] correct = new double[nq][nc][nb];
    SweepResult.Cost[][] costSum = new SweepResult.Cost[nc][nb];
    SweepResult.Cost probeSum = SweepResult.Cost.ZERO;
    for (int c = 0; c < nc; c++) {
      for (int b = 0; b < nb; b++) {
        int n = budgets.get(b);
        boolean runs = subsampled[c]
            || (grid.get(c).usableBudget(n) == n && settings.searches(n));
        costSum[c][b] = runs ? SweepResult.Cost.ZERO : null;
        for (int q = 0; q < nq; q++) {
          correct[q][c][b] = Double.NaN;
        }
      }
    }

    StrategyConfig pool = new StrategyConfig.BestOfN(
        Selection.WEIGHTED, Aggregation.LAST, settings.temperature());
    int probeSize = settings.probeSize();
    int drawn = probeSize + settings.difficultySize();
    SweepResult.Cost difficultySum = SweepResult.Cost.ZERO;
    progress.update(0, nq, DIFFICULTY_PHASE);
    for (int from = 0; from < nq; from += chunkSize) {
      int to = Math.min(nq, from + chunkSize);
      List<SearchStrategy> runs = new ArrayList<>();
      for (int q = from; q < to; q++) {
        runs.add(pool.create(new StrategyContext(
            questions.get(q), drawn, difficultySeed(settings.seed(), q), List.of(), 0, task)));
      }
      List<Outcome> outcomes = driver.runAll(runs);
      for (int q = from; q < to; q++) {
        Outcome o = outcomes.get(q - from);
        List<Candidate> samples = o.candidates();
        if (samples.size() != drawn) {
          throw new IllegalStateException(
              "difficulty pool of question " + questions.get(q).id() + " holds " + samples.size()
                  + " samples, expected " + drawn);
        }
        String truth = questions.get(q).answer();
        List<Candidate> oracle = samples.subList(probeSize, drawn);
        passAt1[q] = oracle.stream().filter(s -> task.equivalent(s.answer(), truth)).count()
            / (double) oracle.size();
        ProbeFeatures probe = ProbeFeatures.of(samples.subList(0, probeSize), task);
        // JSON has no NaN: an unscored probe is kept as finite zeros that say it was not scored
        probes.add(probe.known() ? probe : ProbeFeatures.UNSCORED);
        predicted[q] = probe.known() ? probe.meanScore() : 0.0;
        SweepResult.Cost cost = SweepResult.Cost.of(o.compute());
        difficultySum = difficultySum.plus(cost);
        probeSum = probeSum.plus(cost.times((double) probeSize / drawn));
      }
      progress.update(to, nq, DIFFICULTY_PHASE);
    }

    progress.update(0, nq, POOL_PHASE);
    for (int from = 0; from < nq; from += chunkSize) {
      int to = Math.min(nq, from + chunkSize);
      List<SearchStrategy> runs = new ArrayList<>();
      for (int q = from; q < to; q++) {
        runs.add(pool.create(new StrategyContext(
            questions.get(q), settings.poolSize(), poolSeed(settings.seed(), q), List.of(), 0, task)));
      }
      List<Outcome> outcomes = driver.runAll(runs);
      for (int q = from; q < to; q++) {
        Outcome o = outcomes.get(q - from);
        List<Candidate> samples = o.candidates();
        if (samples.size() != settings.poolSize()) {
          throw new IllegalStateException(
              "pool of question " + questions.get(q).id() + " holds " + samples.size()
                  + " samples, expected " + settings.poolSize());
        }
        String truth = questions.get(q).answer();
        SweepResult.Cost poolCost = SweepResult.Cost.of(o.compute());
        for (int c = 0; c < nc; c++) {
          if (!subsampled[c]) {
            continue;
          }
          StrategyConfig.BestOfN bon = (StrategyConfig.BestOfN) grid.get(c);
          List<Candidate> seen =
              BestOfNSubsampler.asSeenBy(samples, bon.selection(), bon.aggregation());
          for (int b = 0; b < nb; b++) {
            int n = budgets.get(b);
            correct[q][c][b] = BestOfNSubsampler.expectedCorrect(seen, truth, bon.selection(), n,
                settings.resamples(), subsetSeed(settings.seed(), q, n), task);
            SweepResult.Cost share = poolCost.times((double) n / settings.poolSize());
            costSum[c][b] = costSum[c][b].plus(
                bon.selection().needsScores() ? share : share.withoutVerifier());
          }
        }
      }
      progress.update(to, nq, POOL_PHASE);
    }

    progress.update(0, nq, SEARCH_PHASE);
    for (int from = 0; from < nq; from += chunkSize) {
      int to = Math.min(nq, from + chunkSize);
      List<SearchStrategy> runs = new ArrayList<>();
      List<int[]> cells = new ArrayList<>();
      for (int q = from; q < to; q++) {
        for (int c = 0; c < nc; c++) {
          if (subsampled[c]) {
            continue;
          }
          StrategyConfig config = grid.get(c);
          for (int b = 0; b < nb; b++) {
            int n = budgets.get(b);
            if (config.usableBudget(n) != n || !settings.searches(n)) {
              continue;
            }
            long seed = runSeed(settings.seed(), q, config.name(), n);
            runs.add(config.create(new StrategyContext(questions.get(q), n, seed, List.of(), 0, task)));
            cells.add(new int[] {q, c, b});
          }
        }
      }
      List<Outcome> outcomes = runs.isEmpty() ? List.of() : driver.runAll(runs);
      for (int i = 0; i < outcomes.size(); i++) {
        int[] cell = cells.get(i);
        Outcome o = outcomes.get(i);
        boolean right = task.equivalent(o.answer(), questions.get(cell[0]).answer());
        correct[cell[0]][cell[1]][cell[2]] = right ? 1.0 : 0.0;
        costSum[cell[1]][cell[2]] = costSum[cell[1]][cell[2]].plus(SweepResult.Cost.of(o.compute()));
      }
      progress.update(to, nq, SEARCH_PHASE);
    }

    double perQuestion = nq == 0 ? 0 : 1.0 / nq;
    SweepResult.Cost[][] mean = new SweepResult.Cost[nc][nb];
    for (int c = 0; c < nc; c++) {
      for (int b = 0; b < nb; b++) {
        mean[c][b] = costSum[c][b] == null ? null : costSum[c][b].times(perQuestion);
      }
    }
    return SweepResult.of(settings, questions.stream().map(Question::id).toList(),
        questions.stream().map(Question::level).toList(), passAt1, predicted, probes, correct,
        mean, probeSum.times(perQuestion), difficultySum.times(perQuestion));
  }

  /** The seed of question {@code q}'s pool. */
  static long poolSeed(long seed, int q) {
    return Seeds.mix(Seeds.mix(seed, q), POOL_SALT);
  }

  /** The seed of question {@code q}'s probe and difficulty samples, apart from its pool's. */
  static long difficultySeed(long seed, int q) {
    return Seeds.mix(Seeds.mix(seed, q), DIFFICULTY_SALT);
  }

  /** The subsets of question {@code q} at budget n; shared by all best-of-N configurations. */
  static long subsetSeed(long seed, int q, int n) {
    return Seeds.mix(Seeds.mix(Seeds.mix(seed, q), SUBSET_SALT), n);
  }

  /** The seed of one search run; String.hashCode is specified, so it is stable across JVMs. */
  static long runSeed(long seed, int q, String config, int n) {
    return Seeds.mix(Seeds.mix(Seeds.mix(seed, q), config.hashCode()), n);
  }
}
