package io.reckon.app;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.reckon.actors.CommonPool;
import io.reckon.actors.store.RunStore;
import io.reckon.protocol.Question;
import io.reckon.runtime.Dataset;
import io.reckon.runtime.InputLimits;
import io.reckon.runtime.UserMessages;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code reckon} command. Exit status: 0 done, 1 the run failed (or an internal error), 2 bad
 * input, 3 the run finished but some questions failed (their results say why), 130/143 stopped
 * by a signal.
 */
@Command(
    name = "reckon",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = "Compute-optimal test-time search over language-model solutions: each question "
        + "gets the search strategy and the compute its estimated difficulty warrants.",
    footer = {"", "'reckon help COMMAND' or 'reckon COMMAND --help' for a command's options.",
        "Documentation: docs/index.md in the repository or the distribution."},
    subcommands = {RunCommand.class, SweepCommand.class, ReportCommand.class, RunsCommand.class,
        ResumeCommand.class, ResultsCommand.class, CancelCommand.class, ServeCommand.class,
        WorkerCommand.class, ConfigCommand.class, CompletionCommand.class,
        CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  public static final int BAD_INPUT = 2;
  public static final int QUESTIONS_FAILED = 3;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  // Inherited: accepted before or after the command name (reckon run -Dreckon.run.seed=3 ...).
  @Option(names = "--config", paramLabel = "FILE", scope = CommandLine.ScopeType.INHERIT,
      description = "Settings that override the configuration (only what changes, HOCON); "
          + "default: the file named by RECKON_CONFIG, if any")
  Path configFile;

  @Option(names = "-D", paramLabel = "KEY=VALUE", scope = CommandLine.ScopeType.INHERIT,
      mapFallbackValue = "",
      description = "Sets one setting, e.g. -Dreckon.run.concurrency=32 (wins over files and "
          + "RECKON_* variables); 'reckon config' lists them")
  Map<String, String> defines = new LinkedHashMap<>();

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "missing command: try 'reckon run', or 'reckon help' for the list");
  }

  public static void main(String[] args) {
    // Before anything touches the common pool: on 1-2 cores every ask would start a thread.
    CommonPool.ensureParallel();
    // The distribution's logback.xml, read at run time like its config/ (edits need no rebuild).
    java.nio.file.Path home = ConfigSetup.home();
    if (home != null && System.getProperty("logback.configurationFile") == null
        && Files.isRegularFile(home.resolve("config/logback.xml"))) {
      System.setProperty("logback.configurationFile", home.resolve("config/logback.xml").toString());
    }
    // SLF4J's own notes (e.g. replaying log calls made while logback started) are not for users.
    if (System.getProperty("slf4j.internal.verbosity") == null) {
      System.setProperty("slf4j.internal.verbosity", "ERROR");
    }
    int status = execute(
        args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
    System.exit(status);
  }

  /** Runs the CLI with these streams; returns the exit status (tests call this). */
  public static int execute(String[] args, PrintWriter out, PrintWriter err) {
    return execute(args, out, err, System::getenv);
  }

  /** The same, with {@code env} standing in for the environment (RECKON_CONFIG). */
  static int execute(String[] args, PrintWriter out, PrintWriter err, Function<String, String> env) {
    Main main = new Main();
    CommandLine cmd = commandLine(main);
    cmd.setOut(out);
    cmd.setErr(err);
    // Bad input: one line naming the problem (and the nearest spelling), no usage dump.
    cmd.setParameterExceptionHandler((e, a) -> {
      String name = e.getCommandLine().getCommandSpec().qualifiedName();
      String message = UserMessages.scrub(e.getMessage());
      if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()
          && !u.getUnmatched().get(0).startsWith("-")
          && !e.getCommandLine().getSubcommands().isEmpty()) {
        message = "unknown command '" + UserMessages.scrub(u.getUnmatched().get(0)) + "'";
      }
      err.println(name + ": " + message + suggestion(e) + " (see '" + name + " --help')");
      err.flush();
      return BAD_INPUT;
    });
    cmd.setExecutionExceptionHandler((e, c, p) -> {
      String name = c.getCommandSpec().qualifiedName();
      if (e instanceof BadInput bad) {
        err.println(name + ": " + UserMessages.scrub(bad.getMessage()));
        err.flush();
        return BAD_INPUT;
      }
      if (e instanceof RunStore.StoreException store) {
        // The run journal's store: 2 when unusable as it is, 1 when it cannot be reached.
        err.println(name + ": " + UserMessages.scrub(store.getMessage()));
        err.flush();
        return store.exitStatus();
      }
      if (e instanceof DurableRuns.StoreFailed failed) {
        err.println(name + ": " + UserMessages.scrub(failed.getMessage()));
        err.flush();
        return 1;
      }
      if (e instanceof java.io.IOException || e instanceof java.io.UncheckedIOException) {
        err.println(name + ": input/output error: " + UserMessages.io(e));
      } else {
        err.println(name + ": internal error: " + UserMessages.scrub(String.valueOf(e.getMessage()))
            + " (RECKON_DEBUG=1 shows the details)");
      }
      if (System.getenv("RECKON_DEBUG") != null) {
        e.printStackTrace(err);
      }
      err.flush();
      return 1;
    });
    // --config and -D are applied once the command line is parsed and before the command reads
    // any configuration, and undone after it (the tests run many commands in one JVM).
    cmd.setExecutionStrategy(parsed -> {
      CommandLine last = parsed.asCommandLineList().get(parsed.asCommandLineList().size() - 1);
      boolean help = parsed.asCommandLineList().stream()
          .anyMatch(c -> c.isUsageHelpRequested() || c.isVersionHelpRequested());
      if (help || last.getCommandSpec().userObject() instanceof CommandLine.HelpCommand
          || last.getCommandSpec().userObject() instanceof Main) {
        return new CommandLine.RunLast().execute(parsed);
      }
      ConfigSetup setup;
      try {
        setup = ConfigSetup.apply(main.configFile, main.defines, env);
      } catch (BadInput e) {
        throw new CommandLine.ExecutionException(last, e.getMessage(), e);
      }
      try (setup) {
        ConfigCommand.sources = setup.sources();
        ConfigCommand.resolved = setup.resolved();
        if (!(last.getCommandSpec().userObject() instanceof CompletionCommand)) {
          try {
            ConfigCheck.check(ConfigFactory.load());
          } catch (BadInput e) {
            throw new CommandLine.ExecutionException(last, e.getMessage(), e);
          } catch (ConfigException e) {
            throw new CommandLine.ExecutionException(last, e.getMessage(),
                new BadInput("configuration: " + e.getMessage()));
          }
        }
        return new CommandLine.RunLast().execute(parsed);
      }
    });
    try {
      return cmd.execute(args);
    } catch (OutOfMemoryError e) {
      err.println("reckon: out of memory: lower the budget or the input size, or give Java more heap "
          + "(JAVA_OPTS=-Xmx... with bin/reckon, else java -Xmx...)");
      err.flush();
      return 1;
    }
  }

  /**
   * The command line of {@code main}: every command, present or added later, prints the same
   * version, and the help width is fixed (the generated CLI reference must not depend on the
   * terminal it was generated in).
   */
  static CommandLine commandLine(Main main) {
    CommandLine cmd = new CommandLine(main);
    cmd.setUsageHelpAutoWidth(false);
    cmd.setUsageHelpWidth(100);
    cmd.setDefaultValueProvider(Main::shippedDefault);
    versions(cmd);
    return cmd;
  }

  private static void versions(CommandLine cmd) {
    cmd.getCommandSpec().versionProvider(new Version());
    for (CommandLine sub : cmd.getSubcommands().values()) {
      versions(sub);
    }
  }

  /**
   * An option whose default is a file shipped with the distribution (data/arith/test.jsonl,
   * models/policy.json) reads it from the distribution when the working directory has none.
   */
  private static String shippedDefault(CommandLine.Model.ArgSpec arg) {
    return ConfigSetup.shipped(arg.defaultValue(), ConfigSetup.home());
  }

  /** " (did you mean 'run'?)" for a mistyped command or option, else "". */
  private static String suggestion(CommandLine.ParameterException e) {
    if (!(e instanceof CommandLine.UnmatchedArgumentException u)) {
      return "";
    }
    List<String> s = u.getSuggestions();
    if (!s.isEmpty()) {
      return " (did you mean '" + String.join("' or '", s.subList(0, Math.min(2, s.size()))) + "'?)";
    }
    // picocli's similarity misses short words ('rn' for run): the nearest command by edits.
    List<String> unmatched = u.getUnmatched();
    CommandLine c = u.getCommandLine();
    if (!unmatched.isEmpty() && !unmatched.get(0).startsWith("-") && !c.getSubcommands().isEmpty()) {
      String near = Suggest.nearest(unmatched.get(0), c.getSubcommands().keySet());
      if (near != null) {
        return " (did you mean '" + near + "'?)";
      }
    }
    return "";
  }

  /**
   * Reads a question set; a problem with it is bad input. {@code shipped} is the command's default
   * file, which is only found from the repository root, so its absence gets that hint.
   */
  static List<Question> readQuestions(Path data, String shipped) {
    return readQuestions(data, shipped, InputLimits.DEFAULTS);
  }

  static List<Question> readQuestions(Path data, String shipped, InputLimits limits) {
    if (!Files.exists(data) && data.toString().equals(shipped)) {
      throw new BadInput("the shipped question set " + shipped + " is not in "
          + Path.of("").toAbsolutePath() + ": run from the repository root (or use bin/reckon of "
          + "the distribution), or pass --data FILE");
    }
    try {
      return Dataset.read(data, limits);
    } catch (Dataset.InvalidDataException e) {
      throw new BadInput(e.getMessage());
    }
  }

  /** Input the user can fix; the message names the problem. Exit status 2. */
  static final class BadInput extends RuntimeException {
    BadInput(String message) {
      super(message);
    }
  }
}
