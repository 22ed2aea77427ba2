package io.reckon.app;

import io.reckon.app.ReportSummary.Bin;
import io.reckon.app.ReportSummary.Bins;
import io.reckon.app.ReportSummary.Card;
import io.reckon.app.ReportSummary.Difficulty;
import io.reckon.app.ReportSummary.Efficiency;
import io.reckon.app.ReportSummary.FlopsBin;
import io.reckon.app.ReportSummary.FlopsMatched;
import io.reckon.app.ReportSummary.FlopsRatio;
import io.reckon.app.ReportSummary.PerBin;
import io.reckon.app.ReportSummary.RevisionBin;
import io.reckon.app.ReportSummary.Revisions;
import io.reckon.app.ReportSummary.Run;
import io.reckon.app.ReportSummary.SchedulerGain;
import io.reckon.app.ReportSummary.Target;
import io.reckon.app.ReportSummary.Targets;
import io.reckon.search.policy.Analysis;
import io.reckon.search.policy.Bootstrap;
import io.reckon.search.policy.Bootstrap.Interval;
import io.reckon.search.policy.DifficultyBins;
import io.reckon.search.policy.Policy;
import io.reckon.search.policy.PolicyLearner;
import io.reckon.search.policy.SweepResult;
import io.reckon.search.policy.SweepTable;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The report's analysis: from a test sweep, the validation-learned policy, optional runs and the
 * larger model's greedy answers to a {@link ReportSummary} of typed records, every headline number
 * with its 95 % bootstrap interval over questions. {@link ReportPage} renders it; nothing here
 * writes HTML.
 */
final class Report {
  /** R = D_inference / D_pretrain, the paper's three deployment regimes. */
  static final double[] RATIOS = {0.16, 0.79, 22};
  static final int[] EFFICIENCY_AT = {16, 64};
  static final double SCHEDULER_TARGET_POINTS = 2.0;
  static final int FOUR_TIMES_BUDGET = 16;
  static final int FOUR_TIMES_BASELINE = 64;
  static final String BEAM = "beam:m=4,agg=last";

  /** One question's line of a results file. */
  record Row(String id, Boolean correct, long spent, long granted, Integer bin, boolean failed) {}

  /** A {@code reckon run} results file and what it was run as. */
  record RunFile(String kind, int budget, Path file, List<Row> rows) {
    double accuracy() {
      long graded = rows.stream().filter(r -> r.correct() != null).count();
      long right = rows.stream().filter(r -> Boolean.TRUE.equals(r.correct())).count();
      return graded == 0 ? Double.NaN : (double) right / graded;
    }

    double meanSpent() {
      return rows.stream().mapToLong(Row::spent).average().orElse(Double.NaN);
    }
  }

  /** A model's card numbers, from its config.json. */
  record ModelCard(Path file, String name, double parameters, double trainingTokens) {}

  /**
   * The FLOPs-matched comparison's inputs, or why there are none.
   *
   * @param greedy the larger model's greedy correctness per question id
   */
  /**
   * @param verifier the PRM that scores test-time compute's generations: its inference FLOPs are
   *     charged to test-time compute; {@code null}: not charged (older callers)
   */
  record Flops(ModelCard small, ModelCard large, ModelCard verifier, Map<String, Boolean> greedy,
      Path greedyFile, String unavailable) {
    Flops(ModelCard small, ModelCard large, Map<String, Boolean> greedy, Path greedyFile, String unavailable) {
      this(small, large, null, greedy, greedyFile, unavailable);
    }

    static Flops unavailable(String why) {
      return new Flops(null, null, null, Map.of(), null, why);
    }
  }

  record Inputs(SweepResult sweep, Path sweepFile, Policy policy, Path policyFile,
      List<RunFile> runs, Flops flops, long seed) {}

  record Built(String html, ReportSummary summary) {}

  private final Inputs in;
  private final SweepResult sweep;
  private final SweepTable table;
  private final List<Integer> budgets;
  private final int probe;
  private final int[] all;
  private final Bootstrap bootstrap;

  private Report(Inputs in) {
    this.in = in;
    this.sweep = in.sweep();
    this.table = sweep.table();
    this.budgets = sweep.budgets();
    this.probe = in.policy().probeSize();
    this.all = IntStream.range(0, sweep.questions().size()).toArray();
    this.bootstrap = new Bootstrap(in.seed(), Bootstrap.DEFAULT_RESAMPLES);
  }

  static Built build(Inputs in) {
    ReportSummary summary = new Report(in).analyse();
    return new Built(ReportPage.render(summary), summary);
  }

  // ---------------------------------------------------------------- analysis

  private double[] column(int config, int budget) {
    double[] v = new double[all.length];
    for (int q : all) {
      v[q] = table.correct(q, config, budget);
    }
    return v;
  }

  private double[] column(double[][] perQuestion, int budget) {
    double[] v = new double[perQuestion.length];
    for (int q = 0; q < v.length; q++) {
      v[q] = perQuestion[q][budget];
    }
    return v;
  }

  private List<Interval> curve(int[] members, int config) {
    List<Interval> out = new ArrayList<>();
    for (int b = 0; b < budgets.size(); b++) {
      double[] v = column(config, b);
      boolean any = Arrays.stream(members).anyMatch(q -> !Double.isNaN(v[q]));
      out.add(any ? bootstrap.interval(members, v) : Interval.NONE);
    }
    return out;
  }

  private List<Interval> curve(int[] members, double[][] perQuestion) {
    List<Interval> out = new ArrayList<>();
    for (int b = 0; b < budgets.size(); b++) {
      double[] v = column(perQuestion, b);
      boolean complete = members.length > 0 && Arrays.stream(members).allMatch(q -> !Double.isNaN(v[q]));
      out.add(complete ? bootstrap.interval(members, v) : Interval.NONE);
    }
    return out;
  }

  private ReportSummary analyse() {
    int binCount = in.policy().bins().size();
    Map<String, List<Interval>> accuracy = new LinkedHashMap<>();
    for (int c = 0; c < sweep.configs().size(); c++) {
      accuracy.put(sweep.configs().get(c), curve(all, c));
    }
    List<Double> predictedScores = PolicyLearner.predictedScores(sweep, in.policy().estimator());
    int[][] predictedMembers = PolicyLearner.members(in.policy().predictedBins(), predictedScores);
    DifficultyBins oracleBins = DifficultyBins.learn(
        sweep.passAt1().stream().mapToDouble(Double::doubleValue).toArray(), binCount);
    int[][] oracleMembers = PolicyLearner.members(oracleBins, sweep.passAt1());
    double[][] predicted = Analysis.crossValidatedPerQuestion(table, predictedMembers, in.seed());
    double[][] oracle = Analysis.crossValidatedPerQuestion(table, oracleMembers, in.seed());
    Bins predictedBins = bins(in.policy().predictedBins(), predictedMembers, predicted);
    Bins oracleBinsSummary = bins(oracleBins, oracleMembers, oracle);

    List<Efficiency> efficiency = new ArrayList<>();
    Target fourTimes = efficiency(predicted, oracle, efficiency);
    List<Run> runs = new ArrayList<>();
    List<SchedulerGain> gains = new ArrayList<>();
    Target schedulerTarget = scheduler(runs, gains);

    SweepResult.Cost difficultyCost = sweep.difficulty();
    ReportSummary.Inputs inputs = new ReportSummary.Inputs(in.sweepFile().toString(),
        in.policyFile().toString(), in.policy().models(), all.length, sweep.configs().size(),
        sweep.settings().poolSize(), probe, sweep.settings().difficultySize(),
        difficultyCost.generations(), binCount, sweep.settings().seed(), in.seed(),
        Bootstrap.DEFAULT_RESAMPLES, in.seed(), Instant.now().toString());
    return new ReportSummary(inputs, budgets, accuracy,
        new ReportSummary.ComputeOptimal(predictedBins, oracleBinsSummary),
        difficulty(predictedScores, predictedMembers, oracleMembers),
        perBin(oracleBins, oracleMembers, oracle), revisions(oracleMembers), efficiency, runs,
        gains, flops(oracleMembers, predicted), new Targets(fourTimes, schedulerTarget));
  }

  /**
   * Compute-optimal's curves, overall and per bin, with intervals that re-select the
   * configuration inside every resample ({@link Analysis#reselected}): the cross-validated
   * choice varies with the questions it is made on, and an interval that held it fixed was too
   * narrow. The points are the cross-validated means of {@code perQuestion}.
   */
  private Bins bins(DifficultyBins thresholds, int[][] members, double[][] perQuestion) {
    List<List<Interval>> perBin = new ArrayList<>();
    for (int k = 0; k < members.length; k++) {
      perBin.add(members[k].length == 0 ? curve(members[k], perQuestion)
          : Arrays.asList(Analysis.reselected(table, new int[][] {members[k]}, in.seed() + k,
              Bootstrap.DEFAULT_RESAMPLES)));
    }
    return new Bins(thresholds.thresholds(), Arrays.stream(members).map(m -> m.length).toList(),
        Arrays.asList(Analysis.reselected(table, members, in.seed(), Bootstrap.DEFAULT_RESAMPLES)),
        budgets.stream().map(b -> b + probe).toList(), perBin);
  }

  private Difficulty difficulty(List<Double> predictedScores, int[][] predictedMembers,
      int[][] oracleMembers) {
    double[] predicted = predictedScores.stream().mapToDouble(Double::doubleValue).toArray();
    double[] meanScore = sweep.predicted().stream().mapToDouble(Double::doubleValue).toArray();
    double[] pass = sweep.passAt1().stream().mapToDouble(Double::doubleValue).toArray();
    Interval rho = bootstrap.of(all, draw -> Analysis.spearman(pick(predicted, draw), pick(pass, draw)));
    int[][] confusion = Analysis.confusion(oracleMembers, predictedMembers, all.length);
    int[] hopeless = IntStream.range(0, all.length)
        .filter(q -> in.policy().estimator().hopeless(sweep.probes().get(q))).toArray();
    return new Difficulty(in.policy().estimator().kind(), rho,
        num(Analysis.spearman(meanScore, pass)),
        Arrays.stream(confusion).map(r -> Arrays.stream(r).boxed().toList()).toList(),
        hopeless.length, num(Bootstrap.mean(hopeless, pass)));
  }

  private static double[] pick(double[] values, int[] draw) {
    double[] out = new double[draw.length];
    for (int i = 0; i < draw.length; i++) {
      out[i] = values[draw[i]];
    }
    return out;
  }

  private PerBin perBin(DifficultyBins oracleBins, int[][] oracleMembers, double[][] oracle) {
    List<Bin> bins = new ArrayList<>();
    int bon = sweep.configs().indexOf(Analysis.WEIGHTED_BON);
    int beam = sweep.configs().indexOf(BEAM);
    for (int k = 0; k < oracleMembers.length; k++) {
      int[] m = oracleMembers[k];
      Map<String, List<Interval>> perConfig = new LinkedHashMap<>();
      for (int c = 0; c < sweep.configs().size(); c++) {
        perConfig.put(sweep.configs().get(c), m.length == 0 ? nones() : curve(m, c));
      }
      List<Double> diff = null;
      if (bon >= 0 && beam >= 0 && m.length > 0) {
        diff = new ArrayList<>();
        for (int b = 0; b < budgets.size(); b++) {
          diff.add(num(table.accuracy(m, beam, b) - table.accuracy(m, bon, b)));
        }
      }
      bins.add(new Bin(k + 1, m.length, perConfig, curve(m, oracle), diff));
    }
    return new PerBin(oracleBins.thresholds(), bins);
  }

  private List<Interval> nones() {
    return budgets.stream().map(b -> Interval.NONE).toList();
  }

  private Revisions revisions(int[][] oracleMembers) {
    List<String> revs = sweep.configs().stream()
        .filter(c -> c.startsWith("revisions:") && c.contains("sel=weighted")).toList();
    // The largest budget at which the most revision ratios ran (a sweep limited by --search-max
    // has no revisions above its limit).
    int at = -1;
    int most = 1;
    for (int j = 0; j < budgets.size(); j++) {
      int n = 0;
      for (String r : revs) {
        if (Analysis.chainLength(r, budgets.get(j)) > 0 && sweep.cost(r, budgets.get(j)) != null) {
          n++;
        }
      }
      if (n >= most && n >= 2) {
        most = n;
        at = j;
      }
    }
    if (at < 0) {
      return new Revisions(false, null, List.of());
    }
    int n = budgets.get(at);
    List<RevisionBin> bins = new ArrayList<>();
    for (int k = 0; k <= oracleMembers.length; k++) {
      int[] members = k < oracleMembers.length ? oracleMembers[k] : all;
      Map<String, Double> ratios = new LinkedHashMap<>();
      String best = null;
      double top = Double.NEGATIVE_INFINITY;
      for (String r : revs) {
        int len = Analysis.chainLength(r, n);
        if (len <= 0) {
          continue;
        }
        double acc = members.length == 0 ? Double.NaN
            : table.accuracy(members, sweep.configs().indexOf(r), at);
        String label = len + ":" + (n / len);
        ratios.put(label, num(acc));
        if (!Double.isNaN(acc) && acc > top + 1e-12) {
          top = acc;
          best = label;
        } else if (!Double.isNaN(acc) && Math.abs(acc - top) <= 1e-12) {
          best = best + " = " + label; // a tie names every ratio that reaches the top
        }
      }
      bins.add(new RevisionBin(k < oracleMembers.length ? Integer.toString(k + 1) : "all", ratios, best));
    }
    return new Revisions(true, n, bins);
  }

  /** Fills {@code out}; returns the four-times target. */
  private Target efficiency(double[][] predicted, double[][] oracle, List<Efficiency> out) {
    int bon = sweep.configs().indexOf(Analysis.WEIGHTED_BON);
    String fourTimes = "compute-optimal (predicted bins, probe counted) with <= " + FOUR_TIMES_BUDGET
        + " generations matches weighted best-of-N@" + FOUR_TIMES_BASELINE;
    if (bon < 0) {
      return new Target(fourTimes, null, Interval.NONE,
          "the sweep has no weighted best-of-N (" + Analysis.WEIGHTED_BON + ")");
    }
    for (int n : EFFICIENCY_AT) {
      int j = budgets.indexOf(n);
      if (j < 0) {
        continue;
      }
      double[] base = column(bon, j);
      for (String which : List.of("predicted", "oracle")) {
        double[][] co = which.equals("predicted") ? predicted : oracle;
        int k = firstReaching(all, co, base);
        Integer gens = k < 0 ? null : budgets.get(k);
        int extra = which.equals("predicted") ? probe : 0;
        Interval ratio = bootstrap.of(all, draw -> ratio(draw, co, base, n, 0));
        Interval withProbe = which.equals("predicted")
            ? bootstrap.of(all, draw -> ratio(draw, co, base, n, extra)) : Interval.NONE;
        out.add(new Efficiency(n, bootstrap.interval(all, base), which, gens,
            which.equals("predicted") && gens != null ? gens + probe : null, ratio, withProbe,
            gens == null ? null : num(Bootstrap.mean(all, column(co, k)))));
      }
    }
    int j64 = budgets.indexOf(FOUR_TIMES_BASELINE);
    if (j64 < 0) {
      return new Target(fourTimes, null, Interval.NONE,
          "the sweep has no weighted best-of-N at N=" + FOUR_TIMES_BASELINE);
    }
    // The claim is against the strongest best-of-N baseline at N=64 (weighted, naive or majority
    // vote), not the one that flatters compute-optimal most.
    int strongest = bon;
    for (String c : List.of(Analysis.WEIGHTED_BON, "best-of-n:sel=naive,agg=last", "best-of-n:sel=majority,agg=last")) {
      int i = sweep.configs().indexOf(c);
      if (i >= 0 && Bootstrap.mean(all, column(i, j64)) > Bootstrap.mean(all, column(strongest, j64)) + 1e-12) {
        strongest = i;
      }
    }
    fourTimes = "compute-optimal (predicted bins, probe counted) with <= " + FOUR_TIMES_BUDGET
        + " generations matches the strongest best-of-N at N=" + FOUR_TIMES_BASELINE + " ("
        + sweep.configs().get(strongest) + "), decided on the gap's 95 % lower bound";
    double[] base = column(strongest, j64);
    Interval gap = bootstrap.of(all, draw -> {
      double within = bestWithin(draw, predicted, FOUR_TIMES_BUDGET - probe);
      return 100 * (within - Bootstrap.mean(draw, base));
    });
    // Met only when the whole interval clears the target, not the point estimate.
    Boolean met = gap.value() == null ? null : gap.low() != null && gap.low() >= -1e-7;
    return new Target(fourTimes, met, gap, gap.value() == null
        ? "compute-optimal has no swept budget within " + FOUR_TIMES_BUDGET + " generations, probe counted"
        : null);
  }

  /** The first budget where compute-optimal's mean over {@code draw} reaches the baseline's; -1 if none. */
  private int firstReaching(int[] draw, double[][] co, double[] base) {
    double target = Bootstrap.mean(draw, base);
    double[] curve = new double[budgets.size()];
    for (int b = 0; b < curve.length; b++) {
      curve[b] = meanComplete(draw, co, b);
    }
    return Analysis.firstReaching(curve, target);
  }

  private double ratio(int[] draw, double[][] co, double[] base, int n, int extra) {
    int k = firstReaching(draw, co, base);
    return k < 0 ? 0.0 : (double) n / (budgets.get(k) + extra);
  }

  private double bestWithin(int[] draw, double[][] co, double generations) {
    double[] curve = new double[budgets.size()];
    for (int b = 0; b < curve.length; b++) {
      curve[b] = meanComplete(draw, co, b);
    }
    return Analysis.bestWithin(curve, budgets, generations);
  }

  /** The mean at budget b, NaN when any question has no value there (a bin could not choose). */
  private static double meanComplete(int[] draw, double[][] co, int b) {
    double sum = 0;
    for (int q : draw) {
      if (Double.isNaN(co[q][b])) {
        return Double.NaN;
      }
      sum += co[q][b];
    }
    return draw.length == 0 ? Double.NaN : sum / draw.length;
  }

  /** Fills {@code runs} and {@code gains}; returns the scheduler target. */
  private Target scheduler(List<Run> runs, List<SchedulerGain> gains) {
    String target = "the scheduler adds >= " + SCHEDULER_TARGET_POINTS
        + " points over a fixed budget per question at equal total budget, decided on the gain's 95 % lower bound";
    for (RunFile r : in.runs()) {
      double[] v = r.rows().stream().mapToDouble(x -> x.correct() == null ? Double.NaN
          : x.correct() ? 1.0 : 0.0).toArray();
      int[] idx = IntStream.range(0, v.length).toArray();
      runs.add(new Run(r.kind(), r.budget(), r.file().toString(), r.rows().size(),
          bootstrap.interval(idx, v), num(r.meanSpent())));
    }
    Boolean allMet = null;
    Interval lastGap = Interval.NONE;
    for (RunFile s : in.runs()) {
      if (!s.kind().equals("scheduler")) {
        continue;
      }
      for (RunFile f : in.runs()) {
        if (!f.kind().equals("fixed") || f.budget() != s.budget()) {
          continue;
        }
        // Paired over the questions both runs answered: the same questions, other allocations.
        Map<String, Boolean> fixed = new LinkedHashMap<>();
        f.rows().forEach(r -> fixed.put(r.id(), r.correct()));
        List<double[]> pairs = new ArrayList<>();
        for (Row r : s.rows()) {
          Boolean other = fixed.get(r.id());
          if (r.correct() != null && other != null) {
            pairs.add(new double[] {r.correct() ? 1 : 0, other ? 1 : 0});
          }
        }
        double[] sv = pairs.stream().mapToDouble(p -> p[0]).toArray();
        double[] fv = pairs.stream().mapToDouble(p -> p[1]).toArray();
        int[] idx = IntStream.range(0, sv.length).toArray();
        Interval gain = bootstrap.difference(idx, sv, fv).times(100);
        // Met only when the interval's lower bound clears the target.
        boolean met = gain.low() != null && gain.low() >= SCHEDULER_TARGET_POINTS - 1e-9;
        allMet = allMet == null ? met : allMet && met;
        lastGap = gain.value() == null ? Interval.NONE : new Interval(
            gain.value() - SCHEDULER_TARGET_POINTS, gain.low() == null ? null : gain.low() - SCHEDULER_TARGET_POINTS,
            gain.high() == null ? null : gain.high() - SCHEDULER_TARGET_POINTS);
        gains.add(new SchedulerGain(s.budget(), bootstrap.interval(idx, fv), bootstrap.interval(idx, sv),
            gain, ReportSummary.verdict(gain, "gain", "loss"), num(f.meanSpent()),
            num(s.meanSpent()), met));
      }
    }
    return new Target(target, allMet, lastGap,
        allMet == null ? "no pair of fixed and scheduler runs at the same budget was given" : null);
  }

  /**
   * Test-time compute against the larger model's greedy answer at equal FLOPs, per oracle bin.
   * Test-time compute is what a deployment runs: compute-optimal on predicted bins, its probe
   * counted inside the matched generations, and every generation charged the verifier's
   * inference FLOPs as well as the policy's. Oracle bins would need {@code difficultySize}
   * ground-truth-graded samples per question more, so they are only the axis the table is cut by.
   */
  private FlopsMatched flops(int[][] oracleMembers, double[][] predicted) {
    Flops f = in.flops();
    if (f.unavailable() != null) {
      return FlopsMatched.unavailable(f.unavailable());
    }
    int binCount = oracleMembers.length;
    double[] greedy = new double[all.length];
    for (int q : all) {
      Boolean c = f.greedy().get(sweep.questions().get(q));
      greedy[q] = c == null ? Double.NaN : c ? 1.0 : 0.0;
    }
    List<Interval> larger = new ArrayList<>();
    List<Integer> coverage = new ArrayList<>();
    for (int k = 0; k <= binCount; k++) {
      int[] members = k < binCount ? oracleMembers[k] : all;
      larger.add(bootstrap.interval(members, greedy));
      coverage.add((int) Arrays.stream(members).filter(q -> !Double.isNaN(greedy[q])).count());
    }
    List<FlopsRatio> ratios = new ArrayList<>();
    int last = budgets.size() - 1;
    for (double r : RATIOS) {
      double k = Analysis.flopsMatchedGenerations(f.small().parameters(), f.small().trainingTokens(),
          f.large().parameters(), f.large().trainingTokens(), r,
          f.verifier() == null ? 0 : f.verifier().parameters());
      // The probe's generations come out of the matched budget; the main search gets the rest.
      double main = k - probe;
      boolean capped = main > budgets.get(last) + 1e-9;
      // Each question's compute-optimal correctness at k, between the swept budgets around k on a
      // log scale: the mean of the interpolated values is the interpolated mean.
      double[] testTime = new double[all.length];
      for (int q : all) {
        testTime[q] = main < budgets.get(0) ? Double.NaN : Analysis.atLogInterpolated(predicted[q], budgets, main);
      }
      List<FlopsBin> bins = new ArrayList<>();
      for (int b = 0; b <= binCount; b++) {
        int[] members = b < binCount ? oracleMembers[b] : all;
        int[] both = Arrays.stream(members)
            .filter(q -> !Double.isNaN(testTime[q]) && !Double.isNaN(greedy[q])).toArray();
        Interval diff = bootstrap.difference(both, testTime, greedy).times(100);
        bins.add(new FlopsBin(b < binCount ? Integer.toString(b + 1) : "all",
            bootstrap.interval(members, testTime), larger.get(b), diff,
            ReportSummary.verdict(diff, "test-time", "pretraining")));
      }
      ratios.add(new FlopsRatio(r, num(k), capped, bins));
    }
    SweepResult.Cost oracleCost = sweep.difficulty();
    return new FlopsMatched(true, null, card(f.small()), card(f.large()), f.greedyFile().toString(),
        "compute-optimal on predicted bins at k - " + probe + " main generations (the probe's " + probe
            + " inside k), every generation charged the policy's and the verifier's ("
            + (f.verifier() == null ? "not given" : f.verifier().name() + ", " + (long) f.verifier().parameters()
                + " parameters") + ") inference FLOPs; interpolated between swept budgets on a log scale "
            + "(the largest swept budget where k is above it). Oracle bins, the table's axis, would cost "
            + num(oracleCost.generations()) + " more generations per question graded against the truth",
        larger, coverage, ratios);
  }

  private static Card card(ModelCard c) {
    return new Card(c.name(), c.file().toString(), c.parameters(), c.trainingTokens());
  }

  /** NaN becomes null: JSON has no NaN. */
  static Double num(double x) {
    return Double.isNaN(x) || Double.isInfinite(x) ? null : x;
  }
}
