package io.reckon.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.reckon.actors.ProposerWorker;
import io.reckon.actors.ReckonSettings;
import io.reckon.actors.RunSupervisor;
import io.reckon.actors.VerifierWorker;
import io.reckon.protocol.Question;
import io.reckon.protocol.Quote;
import io.reckon.runtime.Dataset;
import io.reckon.runtime.replay.Replay;
import io.reckon.runtime.replay.ReplayFile;
import io.reckon.runtime.synthetic.Arithmetic;
import io.reckon.search.StrategyConfig;
import io.reckon.search.adaptive.StoppingRule;
import io.reckon.search.policy.Policy;
import io.reckon.search.task.Task;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code reckon run}: answer a question set with one strategy and budget, on this node. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = "Runs a question set through the actor pipeline (probe, scheduler, search, "
        + "workers) and writes one JSON line per question, in the order questions finish. With no "
        + "options: the shipped ONNX models on the shipped test questions (data/arith/test.jsonl, "
        + "from the working directory, else from the distribution).")
final class RunCommand implements Callable<Integer> {
  static final String DEFAULT_DATA = "data/arith/test.jsonl";

  @Option(names = "--data", paramLabel = "FILE.jsonl",
      description = "Questions, one JSON object a line: id, question, answer?, level? (default: ${DEFAULT-VALUE})",
      defaultValue = DEFAULT_DATA)
  Path data;

  @Option(names = "--strategy", paramLabel = "NAME",
      description = "Search strategy, name[:key=value,...] e.g. beam:m=4, best-of-n, lookahead:k=1, "
          + "or compute-optimal: the policy picks each question's configuration from its "
          + "predicted-difficulty bin and grant (default: ${DEFAULT-VALUE})",
      defaultValue = "beam:m=4")
  String strategy;

  @Option(names = "--task", paramLabel = "NAME", description = TaskChoice.DESCRIPTION)
  String task;

  @Option(names = "--policy", paramLabel = "policy.json",
      description = "The compute-optimal policy, learned by 'reckon sweep' for these models "
          + "(default: ${DEFAULT-VALUE})",
      defaultValue = PolicyFiles.DEFAULT_POLICY)
  Path policy;

  @Option(names = "--allocation", paramLabel = "MODE",
      description = "How the pool is shared: gain (water-filling on the policy's per-bin curves; "
          + "compute-optimal only), fixed (every question exactly --budget), rule (the probe-weighted "
          + "fair share), adaptive (best-of-n in rounds, a stopping rule per question, what settled "
          + "questions save goes to the least settled ones) (default: gain for compute-optimal, "
          + "rule otherwise)")
  String allocation;

  @Option(names = "--stopping", paramLabel = "RULE",
      description = "adaptive: when a question has sampled enough: beta[:T] or dirichlet[:T] "
          + "(Adaptive-Consistency, default T 0.95), esc[:W] (a window of W agreeing samples), never "
          + "(default: reckon.scheduler.adaptive.rule)")
  String stopping;

  @Option(names = "--round", paramLabel = "N",
      description = "adaptive: samples per round (default: reckon.scheduler.adaptive.round)")
  Integer round;

  @Option(names = "--max-per-question", paramLabel = "N",
      description = "adaptive: no question samples more than N (default: "
          + "reckon.scheduler.adaptive.max-per-question; a replay: what it recorded)")
  Integer maxPerQuestion;

  @Option(names = "--budget", paramLabel = "N",
      description = "Generations per question on average, probe included; the pool is N x questions (default: ${DEFAULT-VALUE})",
      defaultValue = "16")
  int budget;

  @Option(names = "--out", paramLabel = "FILE",
      description = "Results, one JSON line per question; written whole at the end (default: ${DEFAULT-VALUE})",
      defaultValue = "results.jsonl")
  Path out;

  @Option(names = "--workers", paramLabel = "K",
      description = "Proposer and verifier workers of each kind on this node (default: reckon.workers.count)")
  Integer workers;

  @Mixin BackendOptions backendOptions = new BackendOptions();

  @Option(names = "--seed", paramLabel = "S",
      description = "Seed for every question's sampling (default: reckon.run.seed)")
  Long seed;

  @Option(names = "--no-store",
      description = "Run in memory only: nothing is journaled, the run cannot be resumed or listed "
          + "(default: every run is journaled to the store, reckon.store)")
  boolean noStore;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  // Set once a journaled run has started; the SIGTERM hook names it for 'reckon resume'.
  volatile String journaledRunId;

  // Set by execute once the models are loaded; read by call for the summary and exit status.
  private Refusals refusals = new Refusals(List.of(), List.of());

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    OutputTarget target = OutputTarget.check("--out", this.out, OutputTarget.inputs(
        "--data", data, "--policy", isComputeOptimal(strategy) ? policy : null));
    Inputs in = validate();
    Thread cleanup = new Thread(() -> {
      target.abort();
      String id = journaledRunId;
      err.println("reckon run: stopped before the end; " + this.out + " was not written"
          + (id == null ? "" : "; 'reckon resume " + id + "' continues the run"));
      err.flush();
      if (id != null) {
        // Every journaled result is committed; end here, as kill -9 would, rather than let the
        // store's own shutdown hook close the database under the run and the run report that.
        Runtime.getRuntime().halt(143);
      }
    }, "reckon-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    try {
      if (!noStore) {
        return DurableRun.start(this, in, target, out, err);
      }
      RunSupervisor.Event end = execute(in, target, err);
      if (end instanceof RunSupervisor.RunFailed failed) {
        err.println("reckon run: the run failed: " + failed.reason());
        return 1;
      }
      RunSupervisor.RunFinished finished = (RunSupervisor.RunFinished) end;
      target.commit();
      out.print(SummaryTable.render(finished.summary(), label(in), budget, in.workers(),
          in.settings().run().seed(), this.out));
      out.print(refusals.summaryLine());
      out.flush();
      return finished.summary().failed() > 0 || !refusals.refused().isEmpty()
          ? Main.QUESTIONS_FAILED : 0;
    } finally {
      target.abort();
      try {
        Runtime.getRuntime().removeShutdownHook(cleanup);
      } catch (IllegalStateException shuttingDown) {
        // the hook runs anyway
      }
    }
  }

  /** What the summary calls the run. */
  String label(Inputs in) {
    return in.policy() == null && in.allocation() == RunSupervisor.Allocation.RULE
        ? in.strategyName()
        : in.strategyName() + " (allocation " + in.allocation().name().toLowerCase(java.util.Locale.ROOT)
            + (in.policy() != null ? ", policy " + policy : "") + ")";
  }

  /**
   * @param strategy the fixed strategy; {@code null} under a policy
   * @param policy the compute-optimal policy; {@code null} for a fixed strategy
   */
  record Inputs(
      List<Question> questions, StrategyConfig strategy, Policy policy,
      RunSupervisor.Allocation allocation, ReckonSettings settings, int workers, Config config,
      Task task) {

    Inputs withQuestions(List<Question> qs) {
      return new Inputs(qs, strategy, policy, allocation, settings, workers, config, task);
    }

    String strategyName() {
      return strategy != null ? strategy.name() : RunSupervisor.COMPUTE_OPTIMAL;
    }

    RunSupervisor.Run run(int budget) {
      long seed = settings.run().seed();
      RunSupervisor.Run run = policy != null
          ? RunSupervisor.Run.computeOptimal(questions, policy, budget, seed, allocation)
          : new RunSupervisor.Run(questions.iterator(), questions.size(), strategy, null, budget,
              seed, allocation);
      return run.withTask(task);
    }
  }

  /** Refuses a policy learned with other models than the ones this run is about to use. */
  void checkModels(Inputs in, List<String> models) {
    if (in.policy() != null) {
      PolicyFiles.requireModels(in.policy(), policy, models);
    }
  }

  private static boolean isComputeOptimal(String spec) {
    return spec != null
        && spec.strip().toLowerCase(java.util.Locale.ROOT).equals(RunSupervisor.COMPUTE_OPTIMAL);
  }

  private RunSupervisor.Allocation allocation(boolean computeOptimal) {
    if (allocation == null) {
      return computeOptimal ? RunSupervisor.Allocation.GAIN : RunSupervisor.Allocation.RULE;
    }
    RunSupervisor.Allocation a;
    try {
      a = RunSupervisor.Allocation.valueOf(allocation.strip().toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new Main.BadInput("--allocation '" + allocation + "': allowed are gain, fixed, rule, adaptive");
    }
    if (a == RunSupervisor.Allocation.GAIN && !computeOptimal) {
      throw new Main.BadInput("--allocation gain needs a policy's accuracy curves: use it with "
          + "--strategy compute-optimal");
    }
    return a;
  }

  private Inputs validate() {
    if (budget < 1) {
      throw new Main.BadInput("--budget must be >= 1 generation per question (got " + budget + ")");
    }
    Config hocon;
    ReckonSettings settings;
    Limits limits;
    try {
      hocon = ConfigFactory.load();
      settings = ReckonSettings.from(hocon);
      limits = Limits.from(hocon);
      SettingsCheck.require(hocon);
    } catch (ConfigException | IllegalArgumentException e) {
      throw new Main.BadInput("configuration: " + e.getMessage());
    }
    limits.requireBudget("--budget", budget);
    limits.requireBudget("reckon.question.probe-samples", settings.question().probeSamples());
    limits.requireWorkers(workers);
    Task chosenTask = backendOptions.resolveTask(task, hocon);
    boolean computeOptimal = isComputeOptimal(strategy);
    RunSupervisor.Allocation mode = allocation(computeOptimal);
    StrategyConfig config = null;
    Policy learned = null;
    if (computeOptimal) {
      learned = PolicyFiles.readPolicy(policy);
      TaskChoice.requirePolicyTask(learned, policy, chosenTask);
      if (budget < learned.probeSize()) {
        throw new Main.BadInput("--budget " + budget + " is below the policy's probe of "
            + learned.probeSize() + " generations per question");
      }
    } else {
      try {
        config = StrategyConfig.parse(strategy);
      } catch (IllegalArgumentException e) {
        throw new Main.BadInput("--strategy: " + e.getMessage()
            + (strategy.contains(":") ? "" : ", compute-optimal"));
      }
      if (config.usableBudget(budget) == 0) {
        throw new Main.BadInput("--budget " + budget + " is too small for " + config.name()
            + smallestBudget(config, limits.maxBudget()));
      }
    }
    if (seed != null) {
      settings = settings.withSeed(seed);
    }
    settings = adaptive(settings, mode, config, hocon, limits);
    // The replay splits a recorded text into steps where the task does.
    backendOptions.stepDelimiter = chosenTask.stepDelimiter();
    boolean synthetic = backendOptions.synthetic(hocon);
    TaskChoice.requireSyntheticArith(chosenTask, synthetic);
    List<Question> questions = readQuestions(synthetic, limits);
    return new Inputs(questions, config, learned, mode, settings,
        workers != null ? workers : settings.workers().count(), hocon, chosenTask);
  }

  /**
   * The adaptive options checked and laid over the configuration; the replay backend's limits
   * checked (parallel sampling only, a verifier only where scores were recorded, no question
   * asked for more samples than it recorded).
   */
  private ReckonSettings adaptive(ReckonSettings settings, RunSupervisor.Allocation mode,
      StrategyConfig config, Config hocon, Limits limits) {
    boolean adaptive = mode == RunSupervisor.Allocation.ADAPTIVE;
    if (!adaptive && (stopping != null || round != null || maxPerQuestion != null)) {
      throw new Main.BadInput("--stopping, --round and --max-per-question are for --allocation adaptive");
    }
    if (adaptive && !(config instanceof StrategyConfig.BestOfN)) {
      throw new Main.BadInput("--allocation adaptive samples best-of-n in rounds: use --strategy "
          + "best-of-n[:sel=majority|weighted] (got " + strategy + ")");
    }
    StoppingRule rule = null;
    if (stopping != null) {
      try {
        rule = StoppingRule.parse(stopping);
      } catch (IllegalArgumentException e) {
        throw new Main.BadInput("--stopping: " + e.getMessage());
      }
    }
    if (round != null && round < 1) {
      throw new Main.BadInput("--round must be >= 1 sample (got " + round + ")");
    }
    if (maxPerQuestion != null && maxPerQuestion < 0) {
      throw new Main.BadInput("--max-per-question must be >= 0 (0 = no cap; got " + maxPerQuestion + ")");
    }
    Integer cap = maxPerQuestion;
    if (backendOptions.replay(hocon)) {
      if (!(config instanceof StrategyConfig.BestOfN bon)) {
        throw new Main.BadInput(Replay.PARALLEL_ONLY + ": --strategy " + strategy + " needs new text "
            + "(beam, lookahead, revisions and tree searches continue partial solutions); use best-of-n");
      }
      ReplayFile recorded = replayFile(hocon, limits);
      boolean verifierIsReplay = Backends.kinds(hocon, backendOptions.choice()).verifier().equals("replay");
      boolean scores = bon.selection().needsScores()
          || (!adaptive && settings.question().probeSamples() > 0);
      if (scores && verifierIsReplay && !recorded.scored()) {
        throw new Main.BadInput("replay file " + recorded.path() + " records no verifier scores, and "
            + (bon.selection().needsScores() ? "sel=" + bon.selection().label() : "the probe")
            + " needs them: use best-of-n:sel=majority with --allocation adaptive (no probe) or "
            + "--allocation fixed and RECKON_PROBE_SAMPLES=0");
      }
      int recordedPerQuestion = recorded.minSamples();
      if (adaptive) {
        int configured = cap != null ? cap : settings.adaptive().pool().maxPerQuestion();
        cap = configured == 0 ? recordedPerQuestion : Math.min(configured, recordedPerQuestion);
      } else if (budget > recordedPerQuestion) {
        throw new Main.BadInput("--budget " + budget + ": the replay " + recorded.path() + " recorded "
            + recordedPerQuestion + " samples per question (each is served once); use a budget up to "
            + recordedPerQuestion + " or --allocation adaptive");
      }
    }
    if (!adaptive) {
      return settings;
    }
    try {
      return settings.withAdaptive(settings.adaptive().with(rule, round, cap));
    } catch (IllegalArgumentException e) {
      throw new Main.BadInput(e.getMessage());
    }
  }

  private ReplayFile replayFile(Config hocon, Limits limits) {
    String file = backendOptions.samples != null ? backendOptions.samples
        : hocon.hasPath("reckon.models.replay.samples") ? hocon.getString("reckon.models.replay.samples") : "";
    if (file.isBlank()) {
      throw new Main.BadInput("--backend replay needs its recorded samples: --samples FILE "
          + "(e.g. data/recorded/date.jsonl) or reckon.models.replay.samples");
    }
    try {
      return ReplayFile.read(Path.of(file), limits.input());
    } catch (Dataset.InvalidDataException e) {
      throw new Main.BadInput(e.getMessage());
    }
  }

  private static String smallestBudget(StrategyConfig config, int max) {
    for (int b = 1; b <= max; b++) {
      if (config.usableBudget(b) == b) {
        return " (the smallest budget it runs is " + b + ")";
      }
    }
    return " (no budget up to the limit of " + max + " runs it: reckon.limits.max-budget)";
  }

  private List<Question> readQuestions(boolean synthetic, Limits limits) {
    List<Question> questions = Main.readQuestions(data, DEFAULT_DATA, limits.input());
    // The synthetic reasoner solves arithmetic only; a real model takes any text.
    for (Question q : questions) {
      if (synthetic && Arithmetic.parse(q.text()) == null) {
        throw new Main.BadInput(data + ": question " + Quote.of(q.id()) + " (" + Quote.of(q.text())
            + ") is not an arithmetic expression the synthetic reasoner can solve (integers with "
            + "+ - *, at most " + Arithmetic.MAX_OPERATIONS + " operations, steps within 64 bits)");
      }
    }
    return questions;
  }

  private RunSupervisor.Event execute(Inputs in, OutputTarget target, PrintWriter err) throws Exception {
    CompletableFuture<RunSupervisor.Event> end = new CompletableFuture<>();
    Progress progress = Progress.forStderr(err, in.questions().size(), in.settings().progressInterval());
    try (Backends models = backendOptions.load(in.config());
        Writer writer = target.writer()) {
      checkModels(in, models.names());
      ReckonSettings s = DurableRuns.withEstimator(in.settings(), in.config(), models.names());
      models.notes().forEach(err::println);
      refusals = Refusals.check(models.proposer(), in.questions(), in.strategyName());
      if (refusals.runnable().isEmpty()) {
        throw new Main.BadInput(data + ": no question fits the model: " + refusals.refused().get(0).error());
      }
      refusals.write(writer);
      RunSupervisor.Run run = in.withQuestions(refusals.runnable()).run(budget);
      Behavior<Void> guardian = Behaviors.setup(ctx -> {
        for (int k = 0; k < in.workers(); k++) {
          ctx.spawn(ProposerWorker.create(models.proposer(), s.workers()), "proposer-" + k);
          ctx.spawn(VerifierWorker.create(models.verifier(), s.workers()), "verifier-" + k);
        }
        ActorRef<RunSupervisor.Event> results = ctx.spawn(
            ResultWriter.create(writer, progress, end), "results",
            DispatcherSelector.fromConfig(s.workers().blockingDispatcher()));
        ctx.spawn(RunSupervisor.create(run, s, results), "run");
        return Behaviors.empty();
      });
      ActorSystem<Void> system = ActorSystem.create(guardian, "reckon", in.config());
      try {
        RunSupervisor.Event last = end.get();
        models.proposer().stats().ifPresent(stats -> err.println(stats.describe()));
        models.verifier().describeStats().ifPresent(err::println);
        return last;
      } catch (ExecutionException e) {
        throw e.getCause() instanceof Exception ex ? ex : e;
      } finally {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().join();
      }
    }
  }
}
