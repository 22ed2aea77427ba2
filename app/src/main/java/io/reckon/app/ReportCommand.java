package io.reckon.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.reckon.protocol.Quote;
import io.reckon.runtime.BoundedLines;
import io.reckon.runtime.InputLimits;
import io.reckon.runtime.JsonFiles;
import io.reckon.runtime.UserMessages;
import io.reckon.search.policy.Policy;
import io.reckon.search.policy.SweepResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code reckon report}: one self-contained HTML page and a summary.json from a test sweep. */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description = "Writes one self-contained HTML page (charts and the tables behind them) and "
        + "summary.json beside it with every headline number: accuracy vs generations per strategy "
        + "and compute-optimal (oracle and predicted bins, 2-fold CV), the same by difficulty bin, "
        + "the efficiency against weighted best-of-N, compute-optimal with and without the "
        + "scheduler (from runs), and the FLOPs-matched comparison with a larger model.")
final class ReportCommand implements Callable<Integer> {
  private static final Pattern RUN = Pattern.compile("(fixed|scheduler):(\\d+)=(.+)");
  // The largest budget any run can have been given (reckon.limits.max-budget's ceiling).
  private static final int MAX_RUN_BUDGET = 1 << 20;

  @Option(names = "--sweep", paramLabel = "test-sweep.json", required = true,
      description = "The test split's sweep ('reckon sweep --data data/arith/test.jsonl --sweep-out ...')")
  Path sweep;

  @Option(names = "--policy", paramLabel = "policy.json",
      description = "The policy learned on the validation split: its predicted-difficulty "
          + "thresholds bin the test questions (default: ${DEFAULT-VALUE})",
      defaultValue = PolicyFiles.DEFAULT_POLICY)
  Path policy;

  @Option(names = "--runs", paramLabel = "KIND:N=FILE", arity = "1..*",
      description = "Results of 'reckon run --strategy compute-optimal --budget N' on the test split, "
          + "KIND fixed (--allocation fixed) or scheduler (--allocation gain), e.g. "
          + "fixed:16=co-fixed-16.jsonl scheduler:16=co-gain-16.jsonl")
  List<String> runs = new ArrayList<>();

  @Option(names = "--large-greedy", paramLabel = "FILE.jsonl",
      description = "Results of the larger model's greedy run on the test split "
          + "('reckon run --strategy best-of-n:temp=0 --budget 1'); without it the FLOPs-matched "
          + "section says it is not available")
  Path largeGreedy;

  @Option(names = "--small-model", paramLabel = "DIR",
      description = "The policy model's folder, whose config.json gives parameters and training_tokens (default: ${DEFAULT-VALUE})",
      defaultValue = "models/arith-policy")
  Path smallModel;

  @Option(names = "--large-model", paramLabel = "DIR",
      description = "The larger model's folder (default: ${DEFAULT-VALUE})",
      defaultValue = "models/arith-policy-large")
  Path largeModel;

  @Option(names = "--verifier-model", paramLabel = "DIR",
      description = "The verifier's (PRM's) folder: the FLOPs-matched comparison charges its "
          + "parameters for every generation it scores (default: ${DEFAULT-VALUE})",
      defaultValue = "models/arith-prm")
  Path verifierModel;

  @Option(names = "--seed", paramLabel = "S",
      description = "Seed of the cross-validation folds (default: ${DEFAULT-VALUE})",
      defaultValue = "0")
  long seed;

  @Option(names = "--out", paramLabel = "report.html",
      description = "The page; summary.json is written beside it (default: ${DEFAULT-VALUE})",
      defaultValue = "report.html")
  Path out;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    PrintWriter stdout = spec.commandLine().getOut();
    Map<String, Path> inputs = new java.util.LinkedHashMap<>(OutputTarget.inputs(
        "--sweep", sweep, "--policy", policy, "--large-greedy", largeGreedy));
    for (String r : runs) {
      Matcher m = runSpec(r);
      inputs.put("--runs " + m.group(1) + ":" + m.group(2), Path.of(m.group(3)));
    }
    OutputTarget page = OutputTarget.check("--out", out, inputs);
    Path summaryFile = page.path().resolveSibling("summary.json");
    OutputTarget summary = OutputTarget.check("summary.json beside --out", summaryFile, inputs);
    if (page.sameAs(summary)) {
      throw new Main.BadInput("--out " + out + " would be overwritten by summary.json beside it: "
          + "name the page something else, e.g. report.html");
    }
    SweepResult s = PolicyFiles.readSweep(sweep);
    Policy p = PolicyFiles.readPolicy(policy);
    if (s.settings().probeSize() != p.probeSize()) {
      throw new Main.BadInput(sweep + " measured predicted difficulty on " + s.settings().probeSize()
          + " samples but the policy's thresholds are for probes of " + p.probeSize());
    }
    if (s.questions().size() < 2 * p.bins().size()) {
      throw new Main.BadInput(sweep + " holds " + s.questions().size() + " questions: 2-fold "
          + "cross-validation in " + p.bins().size() + " bins needs at least " + 2 * p.bins().size());
    }
    List<Report.RunFile> runFiles = new ArrayList<>();
    for (String r : runs) {
      runFiles.add(readRun(r));
    }
    Report.Flops flops = flops();
    Report.Built built = Report.build(new Report.Inputs(s, sweep, p, policy, runFiles, flops, seed));
    page.write(built.html());
    summary.write(JsonFiles.toJson(built.summary()));
    stdout.printf(Locale.ROOT, "report   %s%nsummary  %s%n", out, summaryFile);
    stdout.flush();
    return 0;
  }

  /** A --runs spec, checked before any file is read. */
  private static Matcher runSpec(String spec) {
    Matcher m = RUN.matcher(spec);
    if (!m.matches()) {
      throw new Main.BadInput("--runs " + Quote.of(spec) + ": write KIND:N=FILE with KIND fixed or scheduler, "
          + "e.g. fixed:16=co-fixed-16.jsonl");
    }
    int budget = m.group(2).length() > 9 ? Integer.MAX_VALUE : Integer.parseInt(m.group(2));
    if (budget < 1 || budget > MAX_RUN_BUDGET) {
      throw new Main.BadInput("--runs " + Quote.of(spec) + ": the budget N must be between 1 and "
          + MAX_RUN_BUDGET + ", got " + Quote.of(m.group(2)));
    }
    return m;
  }

  private Report.RunFile readRun(String spec) {
    Matcher m = runSpec(spec);
    String kind = m.group(1);
    int budget = Integer.parseInt(m.group(2));
    Path file = Path.of(m.group(3));
    List<Report.Row> rows = readResults(file);
    long granted = rows.stream().mapToLong(Report.Row::granted).max().orElse(0);
    long spent = rows.stream().mapToLong(Report.Row::spent).sum();
    if (kind.equals("fixed") && granted > budget) {
      throw new Main.BadInput("--runs " + spec + ": a question was granted " + granted
          + " generations, more than a fixed budget of " + budget + ": not a fixed run at N=" + budget);
    }
    if (spent > (long) budget * rows.size()) {
      throw new Main.BadInput("--runs " + spec + ": the run spent " + spent + " generations, more than "
          + budget + " x " + rows.size() + " questions: not a run at N=" + budget);
    }
    return new Report.RunFile(kind, budget, file, rows);
  }

  /** A results JSONL file: id and correct are needed, the rest is read where present. */
  static List<Report.Row> readResults(Path file) {
    ObjectMapper json = new ObjectMapper();
    List<Report.Row> rows = new ArrayList<>();
    if (Files.isDirectory(file)) {
      throw new Main.BadInput("results file " + file + " is a directory");
    }
    InputLimits limits = Limits.load().input();
    try (BoundedLines in = new BoundedLines(
        file, limits.maxLineBytes(), "reckon.limits.max-line-bytes, env RECKON_MAX_LINE_BYTES")) {
      String line;
      while ((line = in.next()) != null) {
        int number = in.number();
        if (rows.size() == limits.maxQuestions()) {
          throw new Main.BadInput(file + ": more than " + limits.maxQuestions() + " results "
              + "(reckon.limits.max-questions)");
        }
        if (line.isBlank()) {
          continue;
        }
        JsonNode n;
        try {
          n = json.readTree(line);
        } catch (IOException e) {
          throw new Main.BadInput(file + ":" + number + ": malformed JSON");
        }
        if (n == null || !n.isObject() || !n.hasNonNull("id")) {
          throw new Main.BadInput(file + ":" + number + ": not a result line (no \"id\")");
        }
        JsonNode c = n.get("correct");
        if (c != null && !c.isNull() && !c.isBoolean()) {
          throw new Main.BadInput(file + ":" + number + ": \"correct\" must be true, false or null");
        }
        boolean failed = "failed".equals(n.path("status").asText());
        // A failed question is a wrong answer, whatever its line says (a lost question's line
        // has no grade): leaving it out of the denominator would flatter the run.
        rows.add(new Report.Row(n.get("id").asText(),
            failed ? Boolean.FALSE : c == null || c.isNull() ? null : c.asBoolean(),
            n.path("spent").asLong(0), n.path("granted").asLong(0),
            n.hasNonNull("bin") ? n.get("bin").asInt() : null,
            failed));
      }
    } catch (BoundedLines.BadLineException e) {
      throw new Main.BadInput(e.getMessage());
    } catch (NoSuchFileException e) {
      throw new Main.BadInput("results file " + file + " not found");
    } catch (IOException e) {
      throw new Main.BadInput("cannot read " + file + ": " + UserMessages.io(e));
    }
    if (rows.isEmpty()) {
      throw new Main.BadInput(file + " holds no results");
    }
    return rows;
  }

  private Report.Flops flops() {
    if (largeGreedy == null) {
      return Report.Flops.unavailable("no greedy results of the larger model were given (--large-greedy FILE)");
    }
    Map<String, Boolean> greedy = new HashMap<>();
    for (Report.Row r : readResults(largeGreedy)) {
      if (r.correct() != null) {
        greedy.put(r.id(), r.correct());
      }
    }
    Report.ModelCard small;
    Report.ModelCard large;
    try {
      small = card(smallModel);
      large = card(largeModel);
    } catch (IllegalStateException e) {
      return Report.Flops.unavailable(e.getMessage());
    }
    Report.ModelCard verifier;
    try {
      verifier = card(verifierModel);
    } catch (IllegalStateException e) {
      return Report.Flops.unavailable(e.getMessage() + " (the verifier's FLOPs are charged: pass --verifier-model DIR)");
    }
    return new Report.Flops(small, large, verifier, greedy, largeGreedy, null);
  }

  /**
   * parameters and training_tokens from a model folder's config.json. Where the card also gives
   * {@code pretraining_flops} (a model widened from a smaller one saw part of its tokens at the
   * smaller size), the tokens are the effective ones, flops / (6 · parameters), so that the
   * paper's 6·N·D is the compute that really made the model.
   */
  private static Report.ModelCard card(Path dir) {
    Path file = Files.isDirectory(dir) ? dir.resolve("config.json") : dir;
    if (!Files.exists(file)) {
      throw new IllegalStateException("no model card " + file + " (pass --small-model/--large-model DIR)");
    }
    JsonNode n;
    try {
      n = new ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new Main.BadInput(file + ": malformed JSON: " + UserMessages.scrub(e.getMessage()));
    }
    for (String key : List.of("parameters", "training_tokens")) {
      if (n == null || !n.path(key).isNumber() || n.path(key).asDouble() <= 0) {
        throw new Main.BadInput(file + ": needs a positive number '" + key + "'");
      }
    }
    String name = n.path("name").asText(dir.getFileName().toString());
    double parameters = n.get("parameters").asDouble();
    double tokens = n.get("training_tokens").asDouble();
    JsonNode flops = n.path("pretraining_flops");
    if (!flops.isMissingNode() && !flops.isNull()) {
      if (!flops.isNumber() || flops.asDouble() <= 0) {
        throw new Main.BadInput(file + ": 'pretraining_flops' must be a positive number");
      }
      tokens = flops.asDouble() / (6 * parameters);
    }
    return new Report.ModelCard(file, name, parameters, tokens);
  }
}
