package io.reckon.app;

import io.reckon.actors.CommonPool;
import io.reckon.actors.store.RunStore;
import io.reckon.protocol.Question;
import io.reckon.runtime.Dataset;
import io.reckon.runtime.InputLimits;
import io.reckon.runtime.UserMessages;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code reckon} command. Exit status: 0 done, 1 the run failed (or an internal error), 2 bad
 * input, 3 the run finished but some questions failed (their results say why), 130/143 stopped
 * by a signal.
 */
@Command(
    name = "reckon",
    mixinStandardHelpOptions = true,
    version = "reckon 0.1.0",
    description = "Compute-optimal test-time search over language-model solutions.",
    subcommands = {RunCommand.class, SweepCommand.class, ReportCommand.class, RunsCommand.class,
        ResumeCommand.class, ResultsCommand.class, ServeCommand.class,
        WorkerCommand.class})
public final class Main implements Runnable {
  public static final int BAD_INPUT = 2;
  public static final int QUESTIONS_FAILED = 3;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing command: try 'reckon run'");
  }

  public static void main(String[] args) {
    // Before anything touches the common pool: on 1-2 cores every ask would start a thread.
    CommonPool.ensureParallel();
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
    CommandLine cmd = new CommandLine(new Main());
    cmd.setOut(out);
    cmd.setErr(err);
    // Bad input: one line naming the problem, no usage dump, no stack trace.
    cmd.setParameterExceptionHandler((e, a) -> {
      String name = e.getCommandLine().getCommandSpec().qualifiedName();
      err.println(name + ": " + UserMessages.scrub(e.getMessage()) + " (see '" + name + " --help')");
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
    try {
      return cmd.execute(args);
    } catch (OutOfMemoryError e) {
      err.println("reckon: out of memory: lower the budget or the input size, or give Java more heap "
          + "(JAVA_TOOL_OPTIONS=-Xmx...)");
      err.flush();
      return 1;
    }
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
          + Path.of("").toAbsolutePath() + ": run from the repository root, or pass --data FILE");
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
