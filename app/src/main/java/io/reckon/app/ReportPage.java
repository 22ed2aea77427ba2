package io.reckon.app;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import io.reckon.app.ReportSummary.Bin;
import io.reckon.app.ReportSummary.Efficiency;
import io.reckon.app.ReportSummary.FlopsBin;
import io.reckon.app.ReportSummary.FlopsRatio;
import io.reckon.app.ReportSummary.RevisionBin;
import io.reckon.app.ReportSummary.SchedulerGain;
import io.reckon.app.ReportSummary.Target;
import io.reckon.search.policy.Analysis;
import io.reckon.search.policy.Bootstrap.Interval;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.XYChart;

/**
 * Renders a {@link ReportSummary} as one self-contained HTML page: the charts drawn here from the
 * summary's numbers (PNG data URIs), the page by the precompiled jte template
 * {@code src/main/jte/report.jte}, which escapes every value it prints.
 */
public final class ReportPage {
  private static final TemplateEngine ENGINE = TemplateEngine.createPrecompiled(ContentType.Html);

  /** A configuration the main chart draws, with its legend name. */
  private static final String[][] MAIN = {
    {Analysis.WEIGHTED_BON, "weighted best-of-N"},
    {"best-of-n:sel=majority,agg=last", "majority vote"},
    {"beam:m=4,agg=last", "beam M=4"},
    {"beam:m=sqrt,agg=last", "beam M=\u221aN"},
    {"lookahead:k=1,m=4,agg=last", "lookahead k=1"},
    {"lookahead:k=3,m=4,agg=last", "lookahead k=3"},
    {"dvts:m=4,agg=last", "DVTS M=4"},
    {"rebase:tb=0.1,agg=last", "REBASE"},
    {"particle-filter:tp=1,agg=last", "particle filtering"},
  };

  /** A headline: {@code status} is met, missed or null (a plain finding). */
  public record Headline(String status, String text) {}

  /** What the template reads. */
  public record Model(ReportSummary s, List<Headline> headlines, Charts.Image accuracyChart,
      List<Charts.Image> binCharts, Charts.Image revisionsChart, Charts.Image flopsChart,
      List<String> mainLegend) {}

  private ReportPage() {}

  static String render(ReportSummary s) {
    Model model = new Model(s, headlines(s), accuracyChart(s), binCharts(s), revisionsChart(s),
        flopsChart(s), List.of());
    StringOutput out = new StringOutput();
    ENGINE.render("report.jte", model, out);
    // the template's directives leave a blank line before the doctype
    return out.toString().stripLeading();
  }

  // ---------------------------------------------------------------- formatting, for the template

  /** A value in percent with its interval: {@code 41.5 % [39.6, 43.4]}; a dash where none. */
  public static String pct(Interval i) {
    if (i == null || i.value() == null) {
      return "\u2013";
    }
    String v = String.format(Locale.ROOT, "%.1f%%", 100 * i.value());
    return i.low() == null ? v
        : v + String.format(Locale.ROOT, " [%.1f, %.1f]", 100 * i.low(), 100 * i.high());
  }

  public static String pct(Double x) {
    return x == null ? "\u2013" : String.format(Locale.ROOT, "%.1f%%", 100 * x);
  }

  /** A number with its interval in {@code format}, e.g. points or a ratio. */
  public static String num(Interval i, String format) {
    if (i == null || i.value() == null) {
      return "\u2013";
    }
    String v = String.format(Locale.ROOT, format, i.value());
    return i.low() == null ? v : v + " [" + String.format(Locale.ROOT, format, i.low()) + ", "
        + String.format(Locale.ROOT, format, i.high()) + "]";
  }

  public static String num(Double x, String format) {
    return x == null ? "\u2013" : String.format(Locale.ROOT, format, x);
  }

  public static String list(List<Double> xs) {
    List<String> s = new ArrayList<>();
    xs.forEach(x -> s.add(String.format(Locale.ROOT, "%.3f", x)));
    return String.join(", ", s);
  }

  public static String r(double r) {
    return r == Math.rint(r) ? Long.toString((long) r) : Double.toString(r);
  }

  /** The legend name of a configuration the charts draw, or the configuration itself. */
  public static String label(String config) {
    for (String[] m : MAIN) {
      if (m[0].equals(config)) {
        return m[1];
      }
    }
    return config;
  }

  // ---------------------------------------------------------------- headlines

  private static List<Headline> headlines(ReportSummary s) {
    List<Headline> h = new ArrayList<>();
    Target four = s.targets().fourTimesFewerGenerations();
    if (four.met() != null) {
      h.add(new Headline(four.met() ? "met" : "missed", "compute-optimal (predicted bins, probe of "
          + s.inputs().probeSize() + " counted) with at most " + Report.FOUR_TIMES_BUDGET
          + " generations against weighted best-of-N@" + Report.FOUR_TIMES_BASELINE + ": "
          + num(four.gapPoints(), "%+.1f") + " points, "
          + (four.gapPoints().includesZero() ? ReportSummary.NOT_DISTINGUISHABLE : "outside noise") + "."));
    }
    for (Efficiency e : s.efficiency()) {
      if (e.bins().equals("predicted")) {
        h.add(new Headline(null, "Compute-optimal (predicted bins) matches weighted best-of-N@"
            + e.bestOfN() + " (" + pct(e.bestOfNAccuracy()) + ") with "
            + (e.generations() == null ? "no swept budget"
                : e.generations() + " generations: " + num(e.ratio(), "%.2f") + "\u00d7 fewer; "
                    + e.generationsWithProbe() + " with the probe counted, "
                    + num(e.ratioWithProbe(), "%.2f") + "\u00d7") + "."));
      }
    }
    for (SchedulerGain g : s.scheduler()) {
      h.add(new Headline(g.met() ? "met" : "missed", "at " + g.budget()
          + " generations per question the scheduler scores " + pct(g.schedulerAccuracy())
          + " against " + pct(g.fixedAccuracy()) + " with a fixed budget: "
          + num(g.gainPoints(), "%+.1f") + " points (" + g.verdict() + "; target +"
          + String.format(Locale.ROOT, "%.0f", Report.SCHEDULER_TARGET_POINTS) + ")."));
    }
    return h;
  }

  // ---------------------------------------------------------------- charts

  private static double[] values(List<Interval> curve) {
    return curve.stream().mapToDouble(i -> i.value() == null ? Double.NaN : i.value()).toArray();
  }

  private static double[] x(ReportSummary s, int shift) {
    return s.budgets().stream().mapToDouble(b -> b + shift).toArray();
  }

  private static Charts.Image accuracyChart(ReportSummary s) {
    XYChart chart = Charts.xy("Accuracy vs generations per question (test split)",
        "generations per question (log scale)", "accuracy", true, 1060, 520);
    for (String[] m : MAIN) {
      List<Interval> curve = s.accuracy().get(m[0]);
      if (curve != null) {
        Charts.add(chart, new Charts.Line(m[1], x(s, 0), values(curve), Charts.Style.SOLID));
      }
    }
    String rev = bestRevisions(s);
    if (rev != null) {
      Charts.add(chart, new Charts.Line("revisions " + rev.substring("revisions:".length(),
          rev.indexOf(',') < 0 ? rev.length() : rev.indexOf(',')), x(s, 0),
          values(s.accuracy().get(rev)), Charts.Style.SOLID));
    }
    Charts.add(chart, new Charts.Line("compute-optimal, oracle bins (CV)", x(s, 0),
        values(s.computeOptimal().oracleBins().accuracy()), Charts.Style.DASHED));
    Charts.add(chart, new Charts.Line("compute-optimal, predicted bins (CV)", x(s, 0),
        values(s.computeOptimal().predictedBins().accuracy()), Charts.Style.DASHED));
    Charts.add(chart, new Charts.Line("compute-optimal, predicted bins, probe counted",
        x(s, s.inputs().probeSize()), values(s.computeOptimal().predictedBins().accuracy()),
        Charts.Style.DASHED));
    for (String kind : List.of("fixed", "scheduler")) {
      List<ReportSummary.Run> runs = s.runs().stream().filter(r -> r.kind().equals(kind)).toList();
      if (!runs.isEmpty()) {
        Charts.add(chart, new Charts.Line(kind.equals("fixed")
            ? "compute-optimal run, fixed budget per question"
            : "compute-optimal run + scheduler (equal total)",
            runs.stream().mapToDouble(ReportSummary.Run::budget).toArray(),
            runs.stream().mapToDouble(r -> r.accuracy().value() == null ? Double.NaN
                : r.accuracy().value()).toArray(), Charts.Style.POINTS));
      }
    }
    return Charts.image(chart, "accuracy vs generations");
  }

  /** The revisions configuration with the best mean accuracy over the budgets it runs at. */
  private static String bestRevisions(ReportSummary s) {
    String best = null;
    double top = Double.NEGATIVE_INFINITY;
    for (Map.Entry<String, List<Interval>> e : s.accuracy().entrySet()) {
      if (!e.getKey().startsWith("revisions:")) {
        continue;
      }
      double mean = java.util.Arrays.stream(values(e.getValue())).filter(v -> !Double.isNaN(v))
          .average().orElse(Double.NaN);
      if (!Double.isNaN(mean) && mean > top) {
        top = mean;
        best = e.getKey();
      }
    }
    return best;
  }

  private static List<Charts.Image> binCharts(ReportSummary s) {
    List<Charts.Image> out = new ArrayList<>();
    for (Bin bin : s.perBin().bins()) {
      XYChart chart = Charts.xy("Bin " + bin.bin() + " (" + bin.questions() + " questions)",
          "generations (log)", "accuracy", true, 440, 340);
      for (String config : List.of(Analysis.WEIGHTED_BON, "beam:m=4,agg=last", "beam:m=sqrt,agg=last")) {
        List<Interval> curve = bin.accuracy().get(config);
        if (curve != null) {
          Charts.add(chart, new Charts.Line(label(config), x(s, 0), values(curve), Charts.Style.SOLID));
        }
      }
      Charts.add(chart, new Charts.Line("compute-optimal (CV)", x(s, 0), values(bin.computeOptimal()),
          Charts.Style.DASHED));
      out.add(Charts.image(chart, "bin " + bin.bin()));
    }
    return out;
  }

  private static Charts.Image revisionsChart(ReportSummary s) {
    if (!s.revisions().available()) {
      return null;
    }
    int n = s.revisions().budget();
    XYChart chart = Charts.xy("Revisions at N=" + n + ": accuracy vs sequential/parallel ratio",
        "sequential : parallel (L / P, log scale)", "accuracy", true, 900, 420);
    for (RevisionBin bin : s.revisions().bins()) {
      if (bin.bin().equals("all")) {
        continue;
      }
      List<Double> xs = new ArrayList<>();
      List<Double> ys = new ArrayList<>();
      bin.accuracy().forEach((label, acc) -> {
        int l = Integer.parseInt(label.substring(0, label.indexOf(':')));
        int p = Integer.parseInt(label.substring(label.indexOf(':') + 1));
        xs.add((double) l / p);
        ys.add(acc == null ? Double.NaN : acc);
      });
      Charts.add(chart, new Charts.Line("bin " + bin.bin(),
          xs.stream().mapToDouble(Double::doubleValue).toArray(),
          ys.stream().mapToDouble(Double::doubleValue).toArray(), Charts.Style.SOLID));
    }
    return Charts.image(chart, "revision ratios");
  }

  private static Charts.Image flopsChart(ReportSummary s) {
    if (!s.flopsMatched().available()) {
      return null;
    }
    CategoryChart chart = Charts.bars("FLOPs-matched: compute-optimal small model vs larger model greedy",
        "oracle difficulty bin", "accuracy", 860, 460);
    int bins = s.perBin().bins().size();
    List<String> cats = new ArrayList<>();
    for (int k = 1; k <= bins; k++) {
      cats.add("bin " + k);
    }
    chart.addSeries("larger model, greedy", cats, zeroForMissing(s.flopsMatched().largerGreedyAccuracy(), bins));
    for (FlopsRatio r : s.flopsMatched().ratios()) {
      chart.addSeries("small + compute-optimal, R=" + r(r.r()), cats,
          zeroForMissing(r.bins().stream().map(FlopsBin::testTime).toList(), bins));
    }
    return Charts.image(chart, "FLOPs-matched comparison");
  }

  private static List<Double> zeroForMissing(List<Interval> xs, int n) {
    List<Double> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Double v = xs.get(i).value();
      out.add(v == null ? 0.0 : v);
    }
    return out;
  }

  /** Per bin, the configurations the per-bin table shows, with their legend names. */
  public static Map<String, String> perBinRows() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(Analysis.WEIGHTED_BON, "weighted best-of-N");
    m.put("beam:m=4,agg=last", "beam M=4");
    m.put("beam:m=sqrt,agg=last", "beam M=\u221aN");
    return m;
  }
}
