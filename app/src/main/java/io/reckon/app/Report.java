package io.reckon.app;

import io.reckon.search.policy.Analysis;
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
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.XYChart;

/**
 * Builds the report from a test sweep, the validation-learned policy, optional runs and the
 * larger model's greedy answers: every number goes both into the page and into
 * {@code summary.json}, from the same variables.
 */
final class Report {
  /** R = D_inference / D_pretrain, the paper's three deployment regimes. */
  static final double[] RATIOS = {0.16, 0.79, 22};
  static final int[] EFFICIENCY_AT = {16, 64};
  static final double SCHEDULER_TARGET_POINTS = 2.0;
  static final int FOUR_TIMES_BUDGET = 16;
  static final int FOUR_TIMES_BASELINE = 64;

  /** A configuration the main chart draws, with its legend name. */
  private static final String[][] MAIN = {
    {Analysis.WEIGHTED_BON, "weighted best-of-N"},
    {"best-of-n:sel=majority,agg=last", "majority vote"},
    {"beam:m=4,agg=last", "beam M=4"},
    {"beam:m=sqrt,agg=last", "beam M=\u221aN"},
    {"lookahead:k=1,m=4,agg=last", "lookahead k=1"},
    {"lookahead:k=3,m=4,agg=last", "lookahead k=3"},
    {"dvts:m=4,agg=last", "DVTS M=4"},
  };

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
  record Flops(ModelCard small, ModelCard large, Map<String, Boolean> greedy, Path greedyFile,
      String unavailable) {
    static Flops unavailable(String why) {
      return new Flops(null, null, Map.of(), null, why);
    }
  }

  record Inputs(SweepResult sweep, Path sweepFile, Policy policy, Path policyFile,
      List<RunFile> runs, Flops flops, long seed) {}

  record Built(String html, Map<String, Object> summary) {}

  private final Inputs in;
  private final SweepResult sweep;
  private final SweepTable table;
  private final List<Integer> budgets;
  private final int probe;
  private final int[] all;
  private final Map<String, double[]> accuracy = new LinkedHashMap<>();
  private Analysis.ComputeOptimal predicted;
  private Analysis.ComputeOptimal oracle;
  private DifficultyBins oracleBins;
  private int[][] oracleMembers;
  private final Map<String, Object> summary = new LinkedHashMap<>();
  private final StringBuilder html = new StringBuilder();
  private final List<String> headlines = new ArrayList<>();

  private Report(Inputs in) {
    this.in = in;
    this.sweep = in.sweep();
    this.table = sweep.table();
    this.budgets = sweep.budgets();
    this.probe = in.policy().probeSize();
    this.all = new int[sweep.questions().size()];
    Arrays.setAll(all, i -> i);
  }

  static Built build(Inputs in) {
    return new Report(in).run();
  }

  private Built run() {
    int bins = in.policy().bins().size();
    for (int c = 0; c < sweep.configs().size(); c++) {
      accuracy.put(sweep.configs().get(c), Analysis.accuracy(table, all, c));
    }
    int[][] predictedMembers = PolicyLearner.members(in.policy().predictedBins(), sweep.predicted());
    predicted = Analysis.computeOptimal(table, predictedMembers, in.seed());
    oracleBins = DifficultyBins.learn(
        sweep.passAt1().stream().mapToDouble(Double::doubleValue).toArray(), bins);
    oracleMembers = PolicyLearner.members(oracleBins, sweep.passAt1());
    oracle = Analysis.computeOptimal(table, oracleMembers, in.seed());

    summary.put("inputs", inputs());
    summary.put("budgets", budgets);
    Map<String, Object> acc = new LinkedHashMap<>();
    accuracy.forEach((config, curve) -> acc.put(config, list(curve)));
    summary.put("accuracy", acc);
    Map<String, Object> co = new LinkedHashMap<>();
    co.put("predictedBins", computeOptimalJson(predicted, in.policy().predictedBins()));
    co.put("oracleBins", computeOptimalJson(oracle, oracleBins));
    summary.put("computeOptimal", co);

    String overview = overviewSection();
    String perBin = perBinSection();
    String revisions = revisionsSection();
    String efficiency = efficiencySection();
    String scheduler = schedulerSection();
    String flops = flopsSection();
    summary.put("targets", targets);

    html.append(head());
    html.append("<h1>Reckon report: test-time compute, compute-optimally</h1>\n");
    html.append(inputsHtml());
    html.append("<section id=\"headline\"><h2>Headline</h2><ul>\n");
    for (String h : headlines) {
      html.append("<li>").append(h).append("</li>\n");
    }
    html.append("</ul></section>\n");
    html.append(overview).append(perBin).append(revisions).append(efficiency).append(scheduler)
        .append(flops).append(methodHtml()).append("</body></html>\n");
    return new Built(html.toString(), summary);
  }

  private final Map<String, Object> targets = new LinkedHashMap<>();

  // ---------------------------------------------------------------- inputs

  private Map<String, Object> inputs() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("sweep", in.sweepFile().toString());
    m.put("policy", in.policyFile().toString());
    m.put("models", in.policy().models());
    m.put("questions", sweep.questions().size());
    m.put("configurations", sweep.configs().size());
    m.put("probeSize", probe);
    m.put("bins", in.policy().bins().size());
    m.put("sweepSeed", sweep.settings().seed());
    m.put("cvSeed", in.seed());
    m.put("generated", Instant.now().toString());
    return m;
  }

  private String inputsHtml() {
    return "<p class=\"inputs\">Test sweep <code>" + Html.escape(in.sweepFile().toString())
        + "</code>: " + sweep.questions().size() + " questions, " + sweep.configs().size()
        + " configurations at budgets " + budgets + " (pool of " + sweep.settings().poolSize()
        + " samples per question, seed " + sweep.settings().seed() + "). Policy <code>"
        + Html.escape(in.policyFile().toString()) + "</code>, learned on the validation split for models "
        + Html.escape(in.policy().models().toString()) + ", probe of " + probe
        + " samples. Cross-validation seed " + in.seed() + ".</p>\n";
  }

  // ---------------------------------------------------------------- 1. overview

  private String overviewSection() {
    XYChart chart = Charts.xy("Accuracy vs generations per question (test split)",
        "generations per question (log scale)", "accuracy", true, 1060, 520);
    double[] x = budgets.stream().mapToDouble(Integer::doubleValue).toArray();
    for (String[] m : MAIN) {
      if (accuracy.containsKey(m[0])) {
        Charts.add(chart, new Charts.Line(m[1], x, accuracy.get(m[0]), Charts.Style.SOLID));
      }
    }
    String rev = bestRevisions();
    if (rev != null) {
      Charts.add(chart, new Charts.Line("revisions " + shortRevision(rev), x, accuracy.get(rev),
          Charts.Style.SOLID));
    }
    Charts.add(chart, new Charts.Line("compute-optimal, oracle bins (CV)", x, oracle.overall(),
        Charts.Style.DASHED));
    Charts.add(chart, new Charts.Line("compute-optimal, predicted bins (CV)", x, predicted.overall(),
        Charts.Style.DASHED));
    double[] withProbe = Arrays.stream(x).map(v -> v + probe).toArray();
    Charts.add(chart, new Charts.Line("compute-optimal, predicted bins, probe counted", withProbe,
        predicted.overall(), Charts.Style.DASHED));
    for (String kind : List.of("fixed", "scheduler")) {
      List<RunFile> runs = in.runs().stream().filter(r -> r.kind().equals(kind)).toList();
      if (!runs.isEmpty()) {
        double[] rx = runs.stream().mapToDouble(r -> r.budget()).toArray();
        double[] ry = runs.stream().mapToDouble(RunFile::accuracy).toArray();
        Charts.add(chart, new Charts.Line(kind.equals("fixed")
            ? "compute-optimal run, fixed budget per question"
            : "compute-optimal run + scheduler (equal total)", rx, ry, Charts.Style.POINTS));
      }
    }

    List<String> header = new ArrayList<>(List.of("configuration"));
    budgets.forEach(b -> header.add("N=" + b));
    List<List<String>> rows = new ArrayList<>();
    accuracy.forEach((config, curve) -> rows.add(row(Html.escape(config), curve)));
    rows.add(row("<b>compute-optimal, oracle bins (2-fold CV)</b>", oracle.overall()));
    rows.add(row("<b>compute-optimal, predicted bins (2-fold CV)</b>", predicted.overall()));
    StringBuilder b = new StringBuilder("<section id=\"accuracy\"><h2>1. Accuracy vs generations</h2>\n");
    b.append(Charts.img(chart, "accuracy vs generations"));
    b.append("<p>Generations per question on the x-axis; each point is the mean over all ")
        .append(sweep.questions().size()).append(" test questions. Compute-optimal picks, within each ")
        .append("difficulty bin and budget, the configuration that was best on the other half of the ")
        .append("bin (2-fold cross-validation, as in the paper). The dashed line shifted right by ")
        .append(probe).append(" counts the probe that predicts the bin. Runs are placed at their ")
        .append("budget per question (probe included).</p>\n");
    b.append(Html.table(header, rows));
    return b.append("</section>\n").toString();
  }

  /** The revisions configuration with the best mean accuracy over the budgets it runs at. */
  private String bestRevisions() {
    String best = null;
    double top = Double.NEGATIVE_INFINITY;
    for (Map.Entry<String, double[]> e : accuracy.entrySet()) {
      if (!e.getKey().startsWith("revisions:")) {
        continue;
      }
      double mean = Arrays.stream(e.getValue()).filter(v -> !Double.isNaN(v)).average().orElse(Double.NaN);
      if (!Double.isNaN(mean) && mean > top) {
        top = mean;
        best = e.getKey();
      }
    }
    return best;
  }

  private static String shortRevision(String config) {
    int comma = config.indexOf(',');
    return comma < 0 ? config : config.substring("revisions:".length(), comma);
  }

  private Map<String, Object> computeOptimalJson(Analysis.ComputeOptimal co, DifficultyBins bins) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("thresholds", bins.thresholds());
    m.put("binSizes", Arrays.stream(co.sizes()).boxed().toList());
    m.put("accuracy", list(co.overall()));
    m.put("accuracyWithProbeCountedAt", budgets.stream().map(b -> b + probe).toList());
    List<Object> per = new ArrayList<>();
    for (double[] curve : co.perBin()) {
      per.add(list(curve));
    }
    m.put("perBin", per);
    return m;
  }

  // ---------------------------------------------------------------- 2. per bin

  private String perBinSection() {
    StringBuilder b = new StringBuilder("<section id=\"bins\"><h2>2. By difficulty bin</h2>\n");
    b.append("<p>Oracle difficulty bins: quintiles of each test question's pass@1 (from its pool of ")
        .append(sweep.settings().poolSize()).append(" samples), thresholds ")
        .append(Html.escape(fmt(oracleBins.thresholds()))).append("; bin 1 is the easiest. Sizes: ")
        .append(Arrays.toString(oracle.sizes())).append(".</p>\n<div class=\"grid\">\n");
    double[] x = budgets.stream().mapToDouble(Integer::doubleValue).toArray();
    List<Object> binsJson = new ArrayList<>();
    List<List<String>> rows = new ArrayList<>();
    for (int k = 0; k < oracleMembers.length; k++) {
      XYChart chart = Charts.xy("Bin " + (k + 1) + " (" + oracleMembers[k].length + " questions)",
          "generations (log)", "accuracy", true, 440, 340);
      Map<String, Object> binJson = new LinkedHashMap<>();
      binJson.put("bin", k + 1);
      binJson.put("questions", oracleMembers[k].length);
      Map<String, Object> perConfig = new LinkedHashMap<>();
      for (int c = 0; c < sweep.configs().size(); c++) {
        String config = sweep.configs().get(c);
        double[] curve = oracleMembers[k].length == 0 ? nan(budgets.size())
            : Analysis.accuracy(table, oracleMembers[k], c);
        perConfig.put(config, list(curve));
        for (String[] m : MAIN) {
          if (m[0].equals(config) && (config.startsWith("beam:") || config.equals(Analysis.WEIGHTED_BON))) {
            Charts.add(chart, new Charts.Line(m[1], x, curve, Charts.Style.SOLID));
            rows.add(row("bin " + (k + 1) + ": " + Html.escape(m[1]), curve));
          }
        }
      }
      Charts.add(chart, new Charts.Line("compute-optimal (CV)", x, oracle.perBin()[k], Charts.Style.DASHED));
      rows.add(row("bin " + (k + 1) + ": compute-optimal (CV)", oracle.perBin()[k]));
      binJson.put("accuracy", perConfig);
      binJson.put("computeOptimal", list(oracle.perBin()[k]));
      binJson.put("beamMinusBestOfN", beamMinusBon(perConfig));
      binsJson.add(binJson);
      b.append("<div>").append(Charts.img(chart, "bin " + (k + 1))).append("</div>\n");
    }
    Map<String, Object> perBin = new LinkedHashMap<>();
    perBin.put("oracleThresholds", oracleBins.thresholds());
    perBin.put("bins", binsJson);
    summary.put("perBin", perBin);
    List<String> header = new ArrayList<>(List.of("bin: configuration"));
    budgets.forEach(n -> header.add("N=" + n));
    b.append("</div>\n<p>Beam search against weighted best-of-N in each bin (the paper: beam search ")
        .append("helps on harder questions at small budgets, best-of-N catches up or wins on easy ones ")
        .append("and at large budgets).</p>\n");
    b.append(Html.table(header, rows));
    return b.append("</section>\n").toString();
  }

  @SuppressWarnings("unchecked")
  private Object beamMinusBon(Map<String, Object> perConfig) {
    Object beam = perConfig.get("beam:m=4,agg=last");
    Object bon = perConfig.get(Analysis.WEIGHTED_BON);
    if (beam == null || bon == null) {
      return null;
    }
    List<Double> a = (List<Double>) beam;
    List<Double> c = (List<Double>) bon;
    List<Double> d = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      d.add(a.get(i) == null || c.get(i) == null ? null : a.get(i) - c.get(i));
    }
    return d;
  }

  // ---------------------------------------------------------------- 2b. revisions ratio

  private String revisionsSection() {
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
    StringBuilder b = new StringBuilder(
        "<section id=\"revisions\"><h2>2b. Sequential vs parallel revisions by bin</h2>\n");
    Map<String, Object> json = new LinkedHashMap<>();
    if (at < 0) {
      json.put("available", false);
      summary.put("revisions", json);
      return b.append("<p class=\"na\">Not available: the sweep has fewer than two revision ratios at any budget.</p></section>\n").toString();
    }
    int n = budgets.get(at);
    XYChart chart = Charts.xy("Revisions at N=" + n + ": accuracy vs sequential/parallel ratio",
        "sequential : parallel (L / P, log scale)", "accuracy", true, 900, 420);
    List<String> header = new ArrayList<>(List.of("bin"));
    List<Integer> lengths = new ArrayList<>();
    for (String r : revs) {
      int len = Analysis.chainLength(r, n);
      if (len > 0) {
        lengths.add(len);
        header.add(len + ":" + (n / len));
      }
    }
    header.add("best ratio");
    List<List<String>> rows = new ArrayList<>();
    List<Object> binsJson = new ArrayList<>();
    for (int k = 0; k <= oracleMembers.length; k++) {
      int[] members = k < oracleMembers.length ? oracleMembers[k] : all;
      String name = k < oracleMembers.length ? "bin " + (k + 1) : "all";
      double[] xs = new double[lengths.size()];
      double[] ys = new double[lengths.size()];
      List<String> row = new ArrayList<>(List.of(name));
      Map<String, Object> ratios = new LinkedHashMap<>();
      String best = null;
      double top = Double.NEGATIVE_INFINITY;
      int i = 0;
      for (String r : revs) {
        int len = Analysis.chainLength(r, n);
        if (len <= 0) {
          continue;
        }
        double acc = members.length == 0 ? Double.NaN
            : table.accuracy(members, sweep.configs().indexOf(r), at);
        xs[i] = (double) len / (n / len);
        ys[i] = acc;
        i++;
        String label = len + ":" + (n / len);
        ratios.put(label, num(acc));
        row.add(Html.pct(acc));
        if (!Double.isNaN(acc) && acc > top + 1e-12) {
          top = acc;
          best = label;
        } else if (!Double.isNaN(acc) && Math.abs(acc - top) <= 1e-12) {
          best = best + " = " + label; // a tie names every ratio that reaches the top
        }
      }
      row.add(best == null ? "&ndash;" : best);
      rows.add(row);
      if (k < oracleMembers.length) {
        Charts.add(chart, new Charts.Line(name, xs, ys, Charts.Style.SOLID));
      }
      Map<String, Object> bj = new LinkedHashMap<>();
      bj.put("bin", k < oracleMembers.length ? k + 1 : "all");
      bj.put("accuracy", ratios);
      bj.put("bestRatio", best);
      binsJson.add(bj);
    }
    json.put("available", true);
    json.put("budget", n);
    json.put("bins", binsJson);
    summary.put("revisions", json);
    b.append(Charts.img(chart, "revision ratios"));
    b.append("<p>A budget of N=").append(n).append(" split into P parallel chains of L sequential ")
        .append("revisions (L:P), hierarchical weighted selection. The paper: easy questions want ")
        .append("all-sequential, harder ones an interior ratio.</p>\n");
    b.append(Html.table(header, rows));
    return b.append("</section>\n").toString();
  }

  // ---------------------------------------------------------------- 3. efficiency

  private String efficiencySection() {
    StringBuilder b = new StringBuilder("<section id=\"efficiency\"><h2>3. Efficiency</h2>\n");
    double[] bon = accuracy.get(Analysis.WEIGHTED_BON);
    List<Object> json = new ArrayList<>();
    if (bon == null) {
      summary.put("efficiency", json);
      return b.append("<p class=\"na\">Not available: the sweep has no weighted best-of-N (")
          .append(Analysis.WEIGHTED_BON).append(").</p></section>\n").toString();
    }
    List<List<String>> rows = new ArrayList<>();
    for (int n : EFFICIENCY_AT) {
      int j = budgets.indexOf(n);
      if (j < 0 || Double.isNaN(bon[j])) {
        continue;
      }
      for (String which : List.of("predicted", "oracle")) {
        double[] curve = which.equals("predicted") ? predicted.overall() : oracle.overall();
        int k = Analysis.firstReaching(curve, bon[j]);
        Integer gens = k < 0 ? null : budgets.get(k);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bestOfN", n);
        m.put("bestOfNAccuracy", num(bon[j]));
        m.put("bins", which);
        m.put("generations", gens);
        m.put("generationsWithProbe", which.equals("predicted") && gens != null ? gens + probe : null);
        m.put("ratio", gens == null ? null : (double) n / gens);
        m.put("ratioWithProbe", which.equals("predicted") && gens != null ? (double) n / (gens + probe) : null);
        m.put("computeOptimalAccuracy", gens == null ? null : num(curve[k]));
        json.add(m);
        rows.add(List.of("best-of-N@" + n + " (" + Html.pct(bon[j]) + "), " + which + " bins",
            gens == null ? "not matched within " + budgets.get(budgets.size() - 1) : gens.toString(),
            gens == null ? "&ndash;" : Html.num((double) n / gens, "%.2f&times;"),
            which.equals("predicted") && gens != null ? Integer.toString(gens + probe) : "&ndash;",
            which.equals("predicted") && gens != null ? Html.num((double) n / (gens + probe), "%.2f&times;") : "&ndash;"));
      }
    }
    summary.put("efficiency", json);

    // The issue's target: predicted bins, probe counted, match best-of-N@64 with <= 16 generations.
    Map<String, Object> t = new LinkedHashMap<>();
    int j64 = budgets.indexOf(FOUR_TIMES_BASELINE);
    if (j64 >= 0 && !Double.isNaN(bon[j64])) {
      double within = Analysis.bestWithin(predicted.overall(), budgets, FOUR_TIMES_BUDGET - probe);
      boolean met = !Double.isNaN(within) && within >= bon[j64] - 1e-9;
      t.put("target", "compute-optimal (predicted bins, probe counted) with <= " + FOUR_TIMES_BUDGET
          + " generations matches weighted best-of-N@" + FOUR_TIMES_BASELINE);
      t.put("met", met);
      t.put("bestOfN64", num(bon[j64]));
      t.put("computeOptimalWithin16", num(within));
      t.put("gapPoints", Double.isNaN(within) ? null : 100 * (bon[j64] - within));
      headlines.add((met ? "<b class=\"met\">Met</b>" : "<b class=\"missed\">Missed</b>")
          + ": compute-optimal (predicted bins, probe of " + probe + " counted) with at most "
          + FOUR_TIMES_BUDGET + " generations reaches " + Html.pct(within) + " against weighted best-of-N@"
          + FOUR_TIMES_BASELINE + "'s " + Html.pct(bon[j64])
          + (Double.isNaN(within) ? "" : String.format(Locale.ROOT, " (gap %+.1f points)", 100 * (within - bon[j64]))) + ".");
    } else {
      t.put("met", null);
      t.put("reason", "the sweep has no weighted best-of-N at N=" + FOUR_TIMES_BASELINE);
    }
    targets.put("fourTimesFewerGenerations", t);
    for (Object o : json) {
      @SuppressWarnings("unchecked")
      Map<String, Object> m = (Map<String, Object>) o;
      if (m.get("bins").equals("predicted")) {
        headlines.add("Compute-optimal (predicted bins) matches weighted best-of-N@" + m.get("bestOfN")
            + " with " + (m.get("generations") == null ? "no swept budget" : m.get("generations")
            + " generations (" + String.format(Locale.ROOT, "%.2f", (Double) m.get("ratio"))
            + "&times; fewer; " + m.get("generationsWithProbe") + " with the probe counted, "
            + String.format(Locale.ROOT, "%.2f", (Double) m.get("ratioWithProbe")) + "&times;)") + ".");
      }
    }
    b.append("<p>The fewest generations per question at which compute-optimal reaches weighted ")
        .append("best-of-N's accuracy at N=16 and N=64, on the swept budgets (no interpolation), ")
        .append("without and with the probe's ").append(probe).append(" generations counted.</p>\n");
    b.append(Html.table(List.of("baseline", "compute-optimal generations", "ratio",
        "with probe", "ratio with probe"), rows));
    return b.append("</section>\n").toString();
  }

  // ---------------------------------------------------------------- 4. scheduler

  private String schedulerSection() {
    StringBuilder b = new StringBuilder(
        "<section id=\"scheduler\"><h2>4. Compute-optimal + scheduler at equal total budget</h2>\n");
    List<Object> json = new ArrayList<>();
    List<List<String>> rows = new ArrayList<>();
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("target", "the scheduler adds >= " + SCHEDULER_TARGET_POINTS
        + " points over a fixed budget per question at equal total budget");
    Boolean allMet = null;
    for (RunFile r : in.runs()) {
      rows.add(List.of(Html.escape(r.kind()), Integer.toString(r.budget()), Html.escape(r.file().toString()),
          Integer.toString(r.rows().size()), Html.pct(r.accuracy()), Html.num(r.meanSpent(), "%.2f")));
    }
    List<List<String>> gainRows = new ArrayList<>();
    for (RunFile s : in.runs()) {
      if (!s.kind().equals("scheduler")) {
        continue;
      }
      for (RunFile f : in.runs()) {
        if (f.kind().equals("fixed") && f.budget() == s.budget()) {
          double gain = 100 * (s.accuracy() - f.accuracy());
          boolean met = gain >= SCHEDULER_TARGET_POINTS - 1e-9;
          allMet = allMet == null ? met : allMet && met;
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("budget", s.budget());
          m.put("fixedAccuracy", num(f.accuracy()));
          m.put("schedulerAccuracy", num(s.accuracy()));
          m.put("gainPoints", num(gain));
          m.put("fixedMeanSpent", num(f.meanSpent()));
          m.put("schedulerMeanSpent", num(s.meanSpent()));
          m.put("met", met);
          json.add(m);
          gainRows.add(List.of(Integer.toString(s.budget()), Html.pct(f.accuracy()), Html.pct(s.accuracy()),
              Html.num(gain, "%+.1f"), met ? "<b class=\"met\">met</b>" : "<b class=\"missed\">missed</b>"));
          headlines.add((met ? "<b class=\"met\">Met</b>" : "<b class=\"missed\">Missed</b>")
              + String.format(Locale.ROOT, ": at %d generations per question the scheduler scores %s "
                  + "against %s with a fixed budget per question (%+.1f points; target +%.0f).",
                  s.budget(), Html.pct(s.accuracy()), Html.pct(f.accuracy()), gain, SCHEDULER_TARGET_POINTS));
        }
      }
    }
    summary.put("scheduler", json);
    t.put("met", allMet);
    if (allMet == null) {
      t.put("reason", "no pair of fixed and scheduler runs at the same budget was given");
    }
    targets.put("schedulerGain", t);
    if (in.runs().isEmpty()) {
      return b.append("<p class=\"na\">Not available: no run results were given (--runs fixed:N=FILE ")
          .append("scheduler:N=FILE from 'reckon run --strategy compute-optimal --allocation fixed|gain').</p></section>\n")
          .toString();
    }
    b.append("<p>Runs of <code>reckon run --strategy compute-optimal</code> on the test split: ")
        .append("<i>fixed</i> gives every question exactly N generations (probe included) and lets ")
        .append("the bin pick the configuration; <i>scheduler</i> shares the same total of N per ")
        .append("question by water-filling on the policy's per-bin curves.</p>\n");
    b.append(Html.table(List.of("allocation", "N", "file", "questions", "accuracy", "mean generations spent"), rows));
    if (!gainRows.isEmpty()) {
      b.append(Html.table(List.of("N", "fixed", "scheduler", "gain (points)", "target +2"), gainRows));
    }
    return b.append("</section>\n").toString();
  }

  // ---------------------------------------------------------------- 5. FLOPs-matched

  private String flopsSection() {
    StringBuilder b = new StringBuilder(
        "<section id=\"flops\"><h2>5. Test-time compute vs a larger model, FLOPs-matched</h2>\n");
    Map<String, Object> json = new LinkedHashMap<>();
    Flops f = in.flops();
    if (f.unavailable() != null) {
      json.put("available", false);
      json.put("reason", f.unavailable());
      summary.put("flopsMatched", json);
      return b.append("<p class=\"na\">Not available: ").append(Html.escape(f.unavailable()))
          .append("</p></section>\n").toString();
    }
    json.put("available", true);
    json.put("small", card(f.small()));
    json.put("large", card(f.large()));
    json.put("greedyResults", f.greedyFile().toString());
    int binsCount = oracleMembers.length;
    double[] larger = new double[binsCount + 1];
    int[] covered = new int[binsCount + 1];
    for (int k = 0; k <= binsCount; k++) {
      int[] members = k < binsCount ? oracleMembers[k] : all;
      int right = 0;
      for (int q : members) {
        Boolean c = f.greedy().get(sweep.questions().get(q));
        if (c != null) {
          covered[k]++;
          right += c ? 1 : 0;
        }
      }
      larger[k] = covered[k] == 0 ? Double.NaN : (double) right / covered[k];
    }
    json.put("largerGreedyAccuracy", list(larger));
    json.put("largerGreedyCoverage", Arrays.stream(covered).boxed().toList());

    CategoryChart chart = Charts.bars("FLOPs-matched: compute-optimal small model vs larger model greedy",
        "oracle difficulty bin", "accuracy", 860, 460);
    List<String> cats = new ArrayList<>();
    for (int k = 1; k <= binsCount; k++) {
      cats.add("bin " + k);
    }
    chart.addSeries("larger model, greedy", cats, boxedOrZero(Arrays.copyOf(larger, binsCount)));
    List<List<String>> rows = new ArrayList<>();
    List<Object> ratios = new ArrayList<>();
    for (double r : RATIOS) {
      double k = Analysis.flopsMatchedGenerations(f.small().parameters(), f.small().trainingTokens(),
          f.large().parameters(), f.large().trainingTokens(), r);
      int j = Analysis.budgetAtMost(budgets, k);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("r", r);
      m.put("matchedGenerations", num(k));
      m.put("budgetUsed", j < 0 ? null : budgets.get(j));
      m.put("capped", j == budgets.size() - 1 && k > budgets.get(j) + 1e-9);
      List<Object> perBin = new ArrayList<>();
      double[] testTime = new double[binsCount + 1];
      for (int q = 0; q <= binsCount; q++) {
        testTime[q] = j < 0 ? Double.NaN : (q < binsCount ? oracle.perBin()[q][j] : oracle.overall()[j]);
        Map<String, Object> bj = new LinkedHashMap<>();
        bj.put("bin", q < binsCount ? q + 1 : "all");
        bj.put("testTime", num(testTime[q]));
        bj.put("largerGreedy", num(larger[q]));
        bj.put("differencePoints", num(100 * (testTime[q] - larger[q])));
        bj.put("winner", Double.isNaN(testTime[q]) || Double.isNaN(larger[q]) ? null
            : testTime[q] >= larger[q] ? "test-time" : "pretraining");
        perBin.add(bj);
        List<String> row = new ArrayList<>();
        row.add("R=" + fmtR(r) + ", " + (q < binsCount ? "bin " + (q + 1) : "all"));
        row.add(Html.num(k, "%.1f"));
        row.add(j < 0 ? "&lt; " + budgets.get(0) : budgets.get(j) + (Boolean.TRUE.equals(m.get("capped")) ? " (cap)" : ""));
        row.add(Html.pct(testTime[q]));
        row.add(Html.pct(larger[q]));
        row.add(Html.num(100 * (testTime[q] - larger[q]), "%+.1f"));
        rows.add(row);
      }
      m.put("bins", perBin);
      ratios.add(m);
      chart.addSeries("small + compute-optimal, R=" + fmtR(r), cats,
          boxedOrZero(Arrays.copyOf(testTime, binsCount)));
    }
    json.put("ratios", ratios);
    summary.put("flopsMatched", json);
    b.append(Charts.img(chart, "FLOPs-matched comparison"));
    b.append("<p>X = 6&middot;N&middot;D<sub>pretrain</sub> + 2&middot;N&middot;D<sub>inference</sub> per model, ")
        .append("with N and D<sub>pretrain</sub> from the model cards (effective tokens where a card gives its pretraining FLOPs; small ")
        .append(Html.escape(f.small().name())).append(String.format(Locale.ROOT, ": %.3g parameters, %.3g tokens; larger ",
            f.small().parameters(), f.small().trainingTokens()))
        .append(Html.escape(f.large().name())).append(String.format(Locale.ROOT, ": %.3g parameters, %.3g tokens",
            f.large().parameters(), f.large().trainingTokens()))
        .append(") and D<sub>inference</sub> = R &middot; D<sub>pretrain</sub> of the small model. ")
        .append("The small model may spend k generations per question where the larger one decodes once; ")
        .append("compute-optimal (oracle bins, CV) is read at the largest swept budget not above k. ")
        .append("The PRM's FLOPs are not counted, as in the paper. Bars at 0 mark a missing value.</p>\n");
    b.append(Html.table(List.of("R, bin", "matched generations k", "budget used", "small + compute-optimal",
        "larger, greedy", "difference (points)"), rows));
    return b.append("</section>\n").toString();
  }

  private static Map<String, Object> card(ModelCard c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", c.name());
    m.put("config", c.file().toString());
    m.put("parameters", c.parameters());
    m.put("trainingTokens", c.trainingTokens());
    return m;
  }

  // ---------------------------------------------------------------- page

  private String methodHtml() {
    return "<section id=\"method\"><h2>How these numbers are made</h2><ul>\n"
        + "<li>Every strategy's accuracy comes from one sweep of the test split (<code>reckon sweep</code>): "
        + "best-of-N at every N by subsampling one pool of samples per question; tree searches and "
        + "revisions run once per question and budget.</li>\n"
        + "<li>Predicted bins use the validation split's thresholds on the mean final PRM score of the "
        + "first " + probe + " pool samples (what a run's probe sees); oracle bins are quintiles of the "
        + "test questions' own pass@1. Compute-optimal is scored with 2-fold cross-validation inside each "
        + "bin: the configuration is chosen on one half and scored on the other, never on the questions it "
        + "is reported on.</li>\n"
        + "<li>\"Probe counted\" adds the probe's generations to compute-optimal's budget. In the sweep the "
        + "probe's samples do not join the search's selection, so this is conservative; a run "
        + "(section 4) does carry them into the final vote.</li>\n"
        + "<li>Targets are measured here, not asserted by any test; a missed target is reported with its gap.</li>\n"
        + "</ul></section>\n";
  }

  private static String head() {
    return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
        + "<title>Reckon report</title>\n<style>\n"
        + "body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}\n"
        + "table{border-collapse:collapse;margin:1em 0;font-size:0.85em}\n"
        + "th,td{border:1px solid #ccc;padding:3px 6px;text-align:right}\n"
        + "td.name{text-align:left;font-family:monospace}\n"
        + "th{background:#f2f2f2}\n.grid{display:flex;flex-wrap:wrap;gap:8px}\n"
        + ".met{color:#176c17}.missed{color:#b01c1c}.na{color:#777;font-style:italic}\n"
        + "img{max-width:100%}\n</style></head><body>\n";
  }

  // ---------------------------------------------------------------- helpers

  private List<String> row(String name, double[] curve) {
    List<String> r = new ArrayList<>(List.of(name));
    for (double v : curve) {
      r.add(Html.pct(v));
    }
    return r;
  }

  /** NaN becomes null: JSON has no NaN. */
  static Double num(double x) {
    return Double.isNaN(x) || Double.isInfinite(x) ? null : x;
  }

  static List<Double> list(double[] xs) {
    List<Double> out = new ArrayList<>(xs.length);
    for (double x : xs) {
      out.add(num(x));
    }
    return out;
  }

  private static List<Double> boxedOrZero(double[] xs) {
    List<Double> out = new ArrayList<>();
    for (double x : xs) {
      out.add(Double.isNaN(x) ? 0.0 : x);
    }
    return out;
  }

  private static double[] nan(int n) {
    double[] a = new double[n];
    Arrays.fill(a, Double.NaN);
    return a;
  }

  private static String fmt(List<Double> xs) {
    List<String> s = new ArrayList<>();
    xs.forEach(x -> s.add(String.format(Locale.ROOT, "%.3f", x)));
    return String.join(", ", s);
  }

  private static String fmtR(double r) {
    return r == Math.rint(r) ? Long.toString((long) r) : Double.toString(r);
  }
}
