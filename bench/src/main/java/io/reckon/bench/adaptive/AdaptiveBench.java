package io.reckon.bench.adaptive;

import io.reckon.runtime.InputLimits;
import io.reckon.runtime.replay.Replay;
import io.reckon.runtime.replay.ReplayFile;
import io.reckon.search.adaptive.AdaptivePool;
import io.reckon.search.adaptive.ReplaySimulation;
import io.reckon.search.adaptive.ReplaySimulation.Interval;
import io.reckon.search.adaptive.ReplaySimulation.Outcome;
import io.reckon.search.adaptive.ReplaySimulation.Recorded;
import io.reckon.search.adaptive.ReplaySimulation.Vote;
import io.reckon.search.adaptive.StoppingRule;
import io.reckon.search.task.AnswerClasses;
import io.reckon.search.task.Task;
import io.reckon.search.task.Tasks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The adaptive-allocation experiment on one replay file: majority@k (and, with recorded scores,
 * RM-weighted@k and RM-best@k), Adaptive-Consistency, ESC and Reckon's adaptive allocation with
 * its pool, at equal total budgets, each averaged over {@code --orders} sample orders with a 95 %
 * bootstrap interval over questions and orders. Prints a Markdown section.
 *
 * <p>Answers are extracted and grouped by the named task, from the same steps the replay backend
 * serves. Usage: {@code AdaptiveBench --replay data/recorded/date.jsonl --task short-answer
 * --label "date (code-davinci-002 x 40)" --budgets 4,8,16,40 [--votes majority,weighted,best]
 * [--orders 20] [--rule beta:0.95] [--round 1] [--hopeless-below 0.3] [--esc 4] [--seed 0]
 * [--resamples 1000] [--out FILE.md]}
 */
public final class AdaptiveBench {
  private AdaptiveBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> o = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected an --option, got '" + args[i] + "'");
      }
      o.put(args[i].substring(2), args[i + 1]);
    }
    Path file = Path.of(required(o, "replay"));
    Task task = Tasks.builtin().get(required(o, "task"));
    String label = o.getOrDefault("label", file.getFileName().toString());
    int[] budgets = Arrays.stream(o.getOrDefault("budgets", "4,8,16").split(","))
        .map(String::strip).mapToInt(Integer::parseInt).toArray();
    List<Vote> votes = Arrays.stream(o.getOrDefault("votes", "majority").split(","))
        .map(s -> Vote.valueOf(s.strip().toUpperCase(Locale.ROOT))).toList();
    int orderCount = Integer.parseInt(o.getOrDefault("orders", "20"));
    StoppingRule rule = StoppingRule.parse(o.getOrDefault("rule", "beta:0.95"));
    int round = Integer.parseInt(o.getOrDefault("round", "1"));
    double hopeless = Double.parseDouble(o.getOrDefault("hopeless-below", "0.2"));
    int escWindow = Integer.parseInt(o.getOrDefault("esc", "4"));
    long seed = Long.parseLong(o.getOrDefault("seed", "0"));
    int resamples = Integer.parseInt(o.getOrDefault("resamples", "1000"));

    long t0 = System.nanoTime();
    ReplayFile replay = ReplayFile.read(file, InputLimits.DEFAULTS);
    List<Recorded> qs = recorded(replay, task);
    int max = qs.stream().mapToInt(Recorded::samples).min().orElseThrow();
    int[][][] orders = ReplaySimulation.orders(qs, orderCount, seed,
        (s, q) -> Replay.order(s, q.id(), q.samples()));

    StringBuilder md = new StringBuilder();
    md.append(String.format(Locale.ROOT, "### %s%n%n", label));
    md.append(String.format(Locale.ROOT,
        "%d questions x %d recorded samples, task %s; %d sample orders (replay seeds %d..%d), "
            + "95 %% bootstrap over questions and orders (%d resamples). Reckon: rule %s, rounds of %d, "
            + "hopeless below a %.2f leader share, cap %d per question. AC: the same rule per question "
            + "capped at the budget. ESC: windows of %d, capped at the budget.%n%n",
        qs.size(), max, task.name(), orderCount, seed, seed + orderCount - 1, resamples, rule.name(),
        round, hopeless, max, escWindow));

    // The majority curve, k = 1..max.
    md.append("Majority@k curve (accuracy %, 95 % interval):\n\n| k | accuracy |\n|---|---|\n");
    Map<Integer, Outcome> majority = new LinkedHashMap<>();
    for (int k = 1; k <= max; k++) {
      Outcome m = ReplaySimulation.fixed(qs, orders, k, Vote.MAJORITY);
      majority.put(k, m);
      if (k <= 8 || k % 4 == 0 || k == max) {
        md.append(String.format(Locale.ROOT, "| %d | %s |%n", k, pct(ReplaySimulation.bootstrap(m.correct(), seed, resamples))));
      }
    }
    md.append('\n');

    for (Vote vote : votes) {
      md.append(String.format(Locale.ROOT, "Votes: **%s**%n%n", vote.name().toLowerCase(Locale.ROOT)));
      md.append("| budget | method | accuracy % [95 %] | mean samples | vs majority@budget (points) | vs AC (points) |\n");
      md.append("|---|---|---|---|---|---|\n");
      for (int b : budgets) {
        if (b > max) {
          continue;
        }
        Outcome maj = majority.get(b);
        Outcome fixed = vote == Vote.MAJORITY ? maj : ReplaySimulation.fixed(qs, orders, b, vote);
        Outcome ac = ReplaySimulation.independent(qs, orders, rule, b, 1, vote);
        Outcome esc = ReplaySimulation.independent(qs, orders, new StoppingRule.Window(escWindow), b,
            escWindow, vote);
        Outcome pool = ReplaySimulation.pooled(qs, orders,
            new AdaptivePool.Settings(rule, round, max, hopeless), b, vote);
        if (vote != Vote.MAJORITY) {
          row(md, b, "majority@" + b, maj, maj, ac, seed, resamples);
        }
        row(md, b, (vote == Vote.MAJORITY ? "majority@" : "RM-" + vote.name().toLowerCase(Locale.ROOT) + "@") + b,
            fixed, maj, ac, seed, resamples);
        row(md, b, "Adaptive-Consistency (" + rule.name() + ", cap " + b + ")", ac, maj, ac, seed, resamples);
        row(md, b, "ESC (window " + escWindow + ", cap " + b + ")", esc, maj, ac, seed, resamples);
        row(md, b, "**Reckon adaptive + pool** (share " + b + ")", pool, maj, ac, seed, resamples);
        if (vote == votes.get(0)) {
          Outcome ceiling = ReplaySimulation.anyRight(qs, orders, b);
          md.append(String.format(Locale.ROOT, "| %d | (ceiling: any of the first %d right, pass@%d) | %s | %d | | |%n",
              b, b, b, pct(ReplaySimulation.bootstrap(ceiling.correct(), seed, resamples)), b));
        }
      }
      md.append('\n');
    }
    // Target (a): majority@max against Reckon at the smallest budget.
    Outcome full = majority.get(max);
    for (int b : budgets) {
      if (b > max) {
        continue;
      }
      Outcome pool = ReplaySimulation.pooled(qs, orders, new AdaptivePool.Settings(rule, round, max, hopeless), b,
          Vote.MAJORITY);
      Interval d = ReplaySimulation.bootstrapDifference(pool.correct(), full.correct(), seed, resamples);
      md.append(String.format(Locale.ROOT,
          "Reckon adaptive + pool at share %d (majority votes) minus majority@%d: %s points at %.2f mean samples "
              + "(%.1f %% of %d).%n", b, max, pts(d), pool.meanSamples(), 100 * pool.meanSamples() / max, max));
    }
    md.append(String.format(Locale.ROOT, "%nComputed in %.1f s.%n%n", (System.nanoTime() - t0) / 1e9));
    System.out.print(md);
    if (o.containsKey("out")) {
      Path out = Path.of(o.get("out"));
      if (out.getParent() != null) {
        Files.createDirectories(out.getParent());
      }
      Files.writeString(out, md.toString());
    }
  }

  private static void row(StringBuilder md, int b, String name, Outcome x, Outcome maj, Outcome ac,
      long seed, int resamples) {
    md.append(String.format(Locale.ROOT, "| %d | %s | %s | %.2f | %s | %s |%n", b, name,
        pct(ReplaySimulation.bootstrap(x.correct(), seed, resamples)), x.meanSamples(),
        x == maj ? "" : pts(ReplaySimulation.bootstrapDifference(x.correct(), maj.correct(), seed, resamples)),
        x == ac ? "" : pts(ReplaySimulation.bootstrapDifference(x.correct(), ac.correct(), seed, resamples))));
  }

  /** Each question's samples as classes under the task, from the steps the replay serves. */
  static List<Recorded> recorded(ReplayFile file, Task task) {
    Replay replay = new Replay(file, new Replay.Settings(0, 0, 0, task.stepDelimiter()));
    List<Recorded> out = new ArrayList<>();
    for (ReplayFile.Entry e : file.entries()) {
      int n = e.samples().size();
      List<String> answers = new ArrayList<>(n);
      double[] scores = new double[n];
      for (int k = 0; k < n; k++) {
        answers.add(task.extract(replay.steps(e, k)));
        scores[k] = e.samples().get(k).score();
      }
      AnswerClasses classes = task.classes(answers);
      int[] cls = new int[n];
      for (int k = 0; k < n; k++) {
        cls[k] = classes.classOf(k);
      }
      boolean[] correct = new boolean[classes.count()];
      for (int c = 0; c < correct.length; c++) {
        correct[c] = task.equivalent(classes.representative(c), e.question().answer());
      }
      out.add(new Recorded(e.question().id(), cls, scores, correct));
    }
    return out;
  }

  private static String pct(Interval i) {
    return String.format(Locale.ROOT, "%.1f [%.1f, %.1f]", 100 * i.value(), 100 * i.low(), 100 * i.high());
  }

  private static String pts(Interval i) {
    return String.format(Locale.ROOT, "%+.1f [%+.1f, %+.1f]", 100 * i.value(), 100 * i.low(), 100 * i.high());
  }

  private static String required(Map<String, String> o, String key) {
    String v = o.get(key);
    if (v == null) {
      throw new IllegalArgumentException("--" + key + " is required");
    }
    return v;
  }
}
