package io.reckon.app;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.reckon.actors.ReckonSettings;
import io.reckon.protocol.Question;
import io.reckon.protocol.Quote;
import io.reckon.runtime.JsonFiles;
import io.reckon.search.SyncDriver;
import io.reckon.search.policy.Policy;
import io.reckon.search.policy.PolicyLearner;
import io.reckon.search.task.Task;
import io.reckon.search.policy.Sweep;
import io.reckon.search.policy.SweepResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code reckon sweep}: measure a grid of strategies at every budget, learn the policy from it. */
@Command(
    name = "sweep",
    mixinStandardHelpOptions = true,
    description = "Runs every configuration of a grid at every budget over a question set (best-of-N "
        + "by subsampling one pool of samples per question, tree searches and revisions per budget), "
        + "writes the measurements (--sweep-out) and, with --out, the compute-optimal policy learned "
        + "from them: difficulty thresholds and the best configuration per difficulty bin and budget.")
final class SweepCommand implements Callable<Integer> {
  static final String DEFAULT_DATA = "data/arith/validation.jsonl";
  static final int MAX_BINS = 100;
  static final int MAX_RESAMPLES = 100_000;

  @Option(names = "--data", paramLabel = "FILE.jsonl",
      description = "Questions with answers, one JSON object a line (default: ${DEFAULT-VALUE})",
      defaultValue = DEFAULT_DATA)
  Path data;

  @Option(names = "--task", paramLabel = "NAME", description = TaskChoice.DESCRIPTION)
  String task;

  @Option(names = "--budgets", paramLabel = "N,N,...", split = ",",
      description = "Ascending budgets in generations (default: ${DEFAULT-VALUE})",
      defaultValue = "1,2,4,8,16,32,64")
  List<Integer> budgets;

  @Option(names = "--out", paramLabel = "policy.json",
      description = "Write the policy learned from the sweep here (default: no policy)")
  Path out;

  @Option(names = "--sweep-out", paramLabel = "sweep.json",
      description = "Write the measurements here (default: sweep.json beside --out, or in the "
          + "working directory)")
  Path sweepOut;

  @Option(names = "--grid", paramLabel = "SPEC",
      description = "A configuration to sweep, repeatable, or several separated by ';' "
          + "(default: weighted/majority/naive best-of-N, beam m=4 and m=sqrt, "
          + "lookahead k=1,3, revisions len=1,4,16,all, DVTS m=4, REBASE, particle filtering)")
  List<String> grid;

  @Mixin BackendOptions backendOptions = new BackendOptions();

  @Option(names = "--seed", paramLabel = "S",
      description = "Seed of every sample (default: reckon.run.seed)")
  Long seed;

  @Option(names = "--pool", paramLabel = "N",
      description = "Samples per question in the best-of-N pool (default: the largest budget)")
  Integer pool;

  @Option(names = "--probe", paramLabel = "N",
      description = "Probe samples per question, drawn apart from the pool: the difficulty "
          + "estimator's input; a run with the policy probes this many (default: ${DEFAULT-VALUE})",
      defaultValue = "" + Sweep.Settings.DEFAULT_PROBE)
  int probe;

  @Option(names = "--difficulty-pool", paramLabel = "N",
      description = "Samples per question for the oracle pass@1, drawn apart from the pool that "
          + "scores the strategies and from the probe (default: ${DEFAULT-VALUE})",
      defaultValue = "" + Sweep.Settings.DEFAULT_DIFFICULTY)
  int difficultyPool;

  @Option(names = "--resamples", paramLabel = "N",
      description = "Random subsets per question and budget where subsampling is not exhaustive "
          + "(default: ${DEFAULT-VALUE})",
      defaultValue = "" + Sweep.Settings.DEFAULT_RESAMPLES)
  int resamples;

  @Option(names = "--search-max", paramLabel = "N",
      description = "Run the tree searches and revisions only at budgets up to N (0: every "
          + "budget); best-of-N still covers every budget from the pool (default: ${DEFAULT-VALUE})",
      defaultValue = "0")
  int searchMax;

  @Option(names = "--bins", paramLabel = "K",
      description = "Difficulty bins (quantiles) of the policy (default: ${DEFAULT-VALUE})",
      defaultValue = "5")
  int bins;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Path sweepFile = sweepOut != null ? sweepOut
        : (out != null ? out.toAbsolutePath().resolveSibling("sweep.json") : Path.of("sweep.json"));
    // Where the results go and what is read are checked before the parameters' combinations, so
    // that a missing directory or answerless questions are named as such.
    OutputTarget policyTarget = this.out == null ? null
        : OutputTarget.check("--out", this.out, "--data", data);
    OutputTarget sweepTarget = OutputTarget.check(
        sweepOut != null ? "--sweep-out" : "--sweep-out (default " + sweepFile + ")", sweepFile,
        "--data", data);
    if (policyTarget != null && policyTarget.sameAs(sweepTarget)) {
      throw new Main.BadInput("--out and --sweep-out name the same file " + sweepFile
          + ": give them different names");
    }
    ReckonSettings settings = settings();
    Limits limits = limits();
    Task chosenTask = backendOptions.resolveTask(task, ConfigFactory.load());
    TaskChoice.requireSyntheticArith(chosenTask, backendOptions.synthetic(ConfigFactory.load()));
    List<Question> questions = readQuestions(limits);
    Sweep.Settings sweepSettings = sweepSettings(settings, limits);
    if (out != null && questions.size() < bins) {
      throw new Main.BadInput(data + " holds " + questions.size() + " questions: a policy with "
          + bins + " difficulty bins needs at least " + bins);
    }

    long start = System.nanoTime();
    SweepResult result;
    List<String> models;
    SweepProgress progress = new SweepProgress(err, ProgressDisplay.onTerminal(), settings.progressInterval());
    try (Backends backends = backendOptions.load(ConfigFactory.load())) {
      models = backends.names();
      backends.notes().forEach(err::println);
      SyncDriver driver = new SyncDriver(
          backends.proposer()::generate, backends.verifier()::score);
      try {
        result = new Sweep(driver, Sweep.DEFAULT_CHUNK, chosenTask)
            .run(questions, sweepSettings, progress);
      } catch (IllegalArgumentException e) {
        // A model that cannot take a question (e.g. the synthetic one, only arithmetic) says why.
        throw new Main.BadInput(data + ": " + e.getMessage());
      }
    }
    progress.done();
    Policy policy = null;
    if (this.out != null) {
      try {
        policy = PolicyLearner.learn(result, bins, models, sweepSettings.probeSize())
            .withTask(chosenTask.name());
      } catch (IllegalArgumentException e) {
        throw new Main.BadInput("learning the policy: " + e.getMessage());
      }
    }
    sweepTarget.write(JsonFiles.toJson(result));
    if (policy != null) {
      policyTarget.write(JsonFiles.toJson(policy));
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    stdout.print(summary(result, policy, sweepFile, seconds));
    stdout.flush();
    return 0;
  }

  private ReckonSettings settings() {
    try {
      ReckonSettings s = ReckonSettings.from(ConfigFactory.load());
      return seed != null ? s.withSeed(seed) : s;
    } catch (ConfigException | IllegalArgumentException e) {
      throw new Main.BadInput("configuration: " + e.getMessage());
    }
  }

  private Limits limits() {
    try {
      com.typesafe.config.Config hocon = ConfigFactory.load();
      SettingsCheck.require(hocon);
      return Limits.from(hocon);
    } catch (ConfigException | IllegalArgumentException e) {
      throw new Main.BadInput("configuration: " + e.getMessage());
    }
  }

  private Sweep.Settings sweepSettings(ReckonSettings settings, Limits limits) {
    if (budgets == null || budgets.isEmpty()) {
      throw new Main.BadInput("--budgets is empty");
    }
    for (int i = 0; i < budgets.size(); i++) {
      Integer b = budgets.get(i);
      if (b == null || b < 1 || (i > 0 && b <= budgets.get(i - 1))) {
        throw new Main.BadInput("--budgets must be ascending and >= 1, got " + budgets);
      }
      limits.requireBudget("--budgets", b);
    }
    if (pool != null) {
      if (pool < 1) {
        throw new Main.BadInput("--pool must be >= 1 (got " + pool + ")");
      }
      limits.requireBudget("--pool", pool);
    }
    if (bins < 1 || bins > MAX_BINS) {
      throw new Main.BadInput("--bins must be between 1 and " + MAX_BINS + " (got " + bins + ")");
    }
    if (resamples < 1 || resamples > MAX_RESAMPLES) {
      throw new Main.BadInput(
          "--resamples must be between 1 and " + MAX_RESAMPLES + " (got " + resamples + ")");
    }
    int poolSize = pool != null ? pool : budgets.get(budgets.size() - 1);
    if (probe > poolSize && probe >= 1) {
      throw new Main.BadInput("the probe of " + probe + " samples (--probe) is more than the pool of "
          + poolSize + " (" + (pool != null ? "--pool" : "the largest of --budgets") + "): raise "
          + (pool != null ? "--pool" : "--pool or the budgets") + ", or lower --probe");
    }
    List<String> configs = Sweep.defaultGrid();
    if (grid != null && !grid.isEmpty()) {
      configs = new ArrayList<>();
      for (String g : grid) {
        for (String part : g.split(";")) {
          if (!part.isBlank()) {
            configs.add(part.strip());
          }
        }
      }
    }
    int max = budgets.get(budgets.size() - 1);
    try {
      return new Sweep.Settings(budgets, configs, pool != null ? pool : max, probe, resamples,
          io.reckon.search.StrategyConfig.DEFAULT_TEMPERATURE, settings.run().seed(), searchMax,
          difficultyPool);
    } catch (IllegalArgumentException e) {
      throw new Main.BadInput(e.getMessage().replaceFirst("^sweep: ", "")
          .replace("poolSize", "--pool").replace("probeSize", "--probe")
          .replace("resamples", "--resamples").replace("budgets", "--budgets")
          .replace("searchMaxBudget", "--search-max")
          .replace("difficultySize", "--difficulty-pool"));
    }
  }

  private List<Question> readQuestions(Limits limits) {
    List<Question> questions = Main.readQuestions(data, DEFAULT_DATA, limits.input());
    for (Question q : questions) {
      if (q.answer() == null) {
        throw new Main.BadInput(data + ": question " + Quote.of(q.id())
            + " has no answer: a sweep grades every question against its ground truth");
      }
    }
    return questions;
  }

  static String summary(SweepResult r, Policy policy, Path sweepFile, double seconds) {
    StringBuilder b = new StringBuilder();
    f(b, "%nReckon sweep: %d questions, %d configurations x %d budgets, pool %d, probe %d, "
            + "difficulty pool %d, seed %d, %.1f s%n",
        r.questions().size(), r.configs().size(), r.budgets().size(), r.settings().poolSize(),
        r.settings().probeSize(), r.settings().difficultySize(), r.settings().seed(), seconds);
    f(b, "  binning without bias cost %.1f generations per question (probe and difficulty pool)%n",
        r.difficulty().generations());
    f(b, "  sweep       %s%n", sweepFile);
    if (policy == null) {
      return b.toString();
    }
    f(b, "  predicted-difficulty thresholds (the estimator's predicted pass@1 from a probe of %d samples): %s%n",
        policy.probeSize(), numbers(policy.predictedBins().thresholds()));
    f(b, "  oracle-difficulty thresholds (pass@1): %s%n%n", numbers(policy.oracleBins().thresholds()));
    f(b, "  %-4s %7s %9s  %s%n", "bin", "budget", "accuracy", "best configuration (validation)");
    for (Policy.Bin bin : policy.bins()) {
      for (int i = 0; i < policy.budgets().size(); i++) {
        Double acc = bin.accuracy().get(i);
        f(b, "  %-4d %7d %9s  %s%n", bin.bin(), policy.budgets().get(i),
            acc == null ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * acc),
            bin.best().get(i) == null ? "-" : bin.best().get(i));
      }
    }
    return b.toString();
  }

  private static String numbers(List<Double> xs) {
    StringBuilder b = new StringBuilder();
    for (double x : xs) {
      b.append(b.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.3f", x));
    }
    return b.toString();
  }

  private static void f(StringBuilder b, String format, Object... args) {
    b.append(String.format(Locale.ROOT, format, args));
  }
}
