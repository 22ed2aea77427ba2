package io.reckon.search.policy;

import io.reckon.protocol.Compute;
import io.reckon.search.ProbeFeatures;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * What a sweep measured over one question set, in a shape Jackson writes and reads as it is
 * ({@code sweep.json}): records and lists only, {@code null} where a configuration cannot run at
 * a budget (JSON has no NaN). {@link #table()} gives the {@link SweepTable} the selection works on.
 *
 * @param settings what the sweep ran with; its grid and budgets name the table's columns
 * @param questions question ids, in the data set's order
 * @param levels the data set's difficulty level per question ({@code null} when it has none)
 * @param passAt1 per question, the fraction of its difficulty samples that are right (oracle
 *     difficulty: higher = easier); drawn apart from the pool that scores the strategies
 * @param predicted per question, the mean final PRM score of its probe's {@code probeSize}
 *     samples (predicted difficulty, no ground truth: higher = easier)
 * @param probes per question, the probe's features (what the learned estimator reads)
 * @param correct {@code [question][config][budget]}: expected correctness, 0..1 ({@code null} =
 *     cannot run)
 * @param compute {@code [config][budget]}: mean compute per question ({@code null} = cannot run)
 * @param probe mean compute per question of the probe ({@code probeSize} samples with their
 *     scores), for reporting the policy with the probe's cost counted
 * @param difficulty mean compute per question of the probe and the oracle's difficulty samples
 *     together: what the sweep spent beyond the strategies' own samples to bin without bias
 */
public record SweepResult(
    Sweep.Settings settings,
    List<String> questions,
    List<Integer> levels,
    List<Double> passAt1,
    List<Double> predicted,
    List<ProbeFeatures> probes,
    List<List<List<Double>>> correct,
    List<List<Cost>> compute,
    Cost probe,
    Cost difficulty) {

  public SweepResult {
    require(settings != null, "settings is missing");
    require(questions != null && levels != null && passAt1 != null && predicted != null
        && probes != null && correct != null && compute != null && probe != null
        && difficulty != null, "a field is missing");
    require(questions.stream().allMatch(Objects::nonNull), "questions holds a null id");
    questions = List.copyOf(questions);
    levels = nullable(levels);
    passAt1 = nullable(passAt1);
    predicted = nullable(predicted);
    int q = questions.size();
    int c = settings.grid().size();
    int b = settings.budgets().size();
    require(levels.size() == q, "levels has " + levels.size() + " entries for " + q + " questions");
    require(passAt1.size() == q, "passAt1 has " + passAt1.size() + " entries for " + q + " questions");
    require(predicted.size() == q,
        "predicted has " + predicted.size() + " entries for " + q + " questions");
    require(probes.size() == q && probes.stream().allMatch(Objects::nonNull),
        "probes has " + probes.size() + " entries for " + q + " questions");
    probes = List.copyOf(probes);
    for (int i = 0; i < q; i++) {
      require(passAt1.get(i) != null && predicted.get(i) != null
          && Double.isFinite(passAt1.get(i)) && Double.isFinite(predicted.get(i)),
          "passAt1[" + i + "] and predicted[" + i + "] must be finite numbers");
    }
    require(correct.size() == q, "correct has " + correct.size() + " rows for " + q + " questions");
    List<List<List<Double>>> rows = new ArrayList<>(q);
    for (int i = 0; i < q; i++) {
      List<List<Double>> row = correct.get(i);
      require(row != null && row.size() == c,
          "correct[" + i + "] must have one entry per configuration (" + c + ")");
      List<List<Double>> cells = new ArrayList<>(c);
      for (int k = 0; k < c; k++) {
        List<Double> perBudget = row.get(k);
        require(perBudget != null && perBudget.size() == b,
            "correct[" + i + "][" + k + "] must have one value per budget (" + b + ")");
        for (Double v : perBudget) {
          require(v == null || (v >= 0 && v <= 1),
              "correct[" + i + "][" + k + "] holds " + v + ", outside 0..1");
        }
        cells.add(nullable(perBudget));
      }
      rows.add(Collections.unmodifiableList(cells));
    }
    correct = Collections.unmodifiableList(rows);
    require(compute.size() == c,
        "compute has " + compute.size() + " rows for " + c + " configurations");
    List<List<Cost>> costs = new ArrayList<>(c);
    for (int k = 0; k < c; k++) {
      require(compute.get(k) != null && compute.get(k).size() == b,
          "compute[" + k + "] must have one entry per budget (" + b + ")");
      costs.add(nullable(compute.get(k)));
    }
    compute = Collections.unmodifiableList(costs);
  }

  /** Builds a result from arrays, {@code NaN} in {@code correct} and {@code null} costs marking cells that cannot run. */
  public static SweepResult of(
      Sweep.Settings settings,
      List<String> questions,
      List<Integer> levels,
      double[] passAt1,
      double[] predicted,
      List<ProbeFeatures> probes,
      double[][][] correct,
      Cost[][] compute,
      Cost probe,
      Cost difficulty) {
    List<List<List<Double>>> rows = new ArrayList<>();
    for (double[][] row : correct) {
      List<List<Double>> cells = new ArrayList<>();
      for (double[] perBudget : row) {
        List<Double> values = new ArrayList<>();
        for (double v : perBudget) {
          values.add(Double.isNaN(v) ? null : v);
        }
        cells.add(values);
      }
      rows.add(cells);
    }
    List<List<Cost>> costs = new ArrayList<>();
    for (Cost[] perBudget : compute) {
      costs.add(Arrays.asList(perBudget));
    }
    return new SweepResult(settings, questions, levels, boxed(passAt1), boxed(predicted), probes,
        rows, costs, probe, difficulty);
  }

  /** The configurations' canonical names, the table's second axis. */
  public List<String> configs() {
    return settings.grid();
  }

  /** The swept budgets, the table's third axis. */
  public List<Integer> budgets() {
    return settings.budgets();
  }

  /** The correctness table with {@code NaN} for cells that cannot run. */
  public SweepTable table() {
    int c = configs().size();
    int b = budgets().size();
    double[][][] values = new double[questions.size()][c][b];
    for (int i = 0; i < values.length; i++) {
      for (int k = 0; k < c; k++) {
        for (int j = 0; j < b; j++) {
          Double v = correct.get(i).get(k).get(j);
          values[i][k][j] = v == null ? Double.NaN : v;
        }
      }
    }
    return new SweepTable(questions, configs(), budgets(), values);
  }

  /** Mean compute per question of one configuration at one budget; {@code null} if it cannot run. */
  public Cost cost(String config, int budget) {
    int k = configs().indexOf(config);
    int j = budgets().indexOf(budget);
    if (k < 0 || j < 0) {
      throw new IllegalArgumentException(
          "the sweep has no cell for " + config + " at budget " + budget + ": configurations "
              + configs() + ", budgets " + budgets());
    }
    return compute.get(k).get(j);
  }

  /**
   * Mean compute per question. Tokens are the policy's prompt and generated tokens plus the
   * verifier's; FLOPs are 2 · parameters · tokens for each model, as measured by the backends.
   */
  public record Cost(
      double generations,
      double promptTokens,
      double generatedTokens,
      double verifierTokens,
      double proposerFlops,
      double verifierFlops) {

    public static final Cost ZERO = new Cost(0, 0, 0, 0, 0, 0);

    public static Cost of(Compute c) {
      return new Cost(c.generations(), c.promptTokens(), c.generatedTokens(), c.verifierTokens(),
          c.proposerFlops(), c.verifierFlops());
    }

    public Cost plus(Cost o) {
      return new Cost(generations + o.generations, promptTokens + o.promptTokens,
          generatedTokens + o.generatedTokens, verifierTokens + o.verifierTokens,
          proposerFlops + o.proposerFlops, verifierFlops + o.verifierFlops);
    }

    public Cost times(double f) {
      return new Cost(generations * f, promptTokens * f, generatedTokens * f, verifierTokens * f,
          proposerFlops * f, verifierFlops * f);
    }

    /** The same cost without the verifier's part (a majority vote never asks it). */
    public Cost withoutVerifier() {
      return new Cost(generations, promptTokens, generatedTokens, 0, proposerFlops, 0);
    }

    public double tokens() {
      return promptTokens + generatedTokens + verifierTokens;
    }

    public double flops() {
      return proposerFlops + verifierFlops;
    }
  }

  private static <T> List<T> nullable(List<T> list) {
    return Collections.unmodifiableList(new ArrayList<>(list));
  }

  private static List<Double> boxed(double[] values) {
    List<Double> out = new ArrayList<>(values.length);
    for (double v : values) {
      out.add(v);
    }
    return out;
  }

  private static void require(boolean ok, String problem) {
    if (!ok) {
      throw new IllegalArgumentException("sweep: " + problem);
    }
  }
}
