package io.reckon.actors;

import io.reckon.actors.store.Digests;
import io.reckon.protocol.Question;
import io.reckon.protocol.RunSpec;
import io.reckon.runtime.Dataset;
import io.reckon.runtime.JsonFiles;
import io.reckon.search.StrategyConfig;
import io.reckon.search.policy.Policy;
import io.reckon.search.task.Task;
import io.reckon.search.task.Tasks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * What a node gives the runs it hosts: the models its workers run, and the run's inputs read from
 * their files with every digest checked against the run's {@link RunSpec}. A run that continues
 * on another node, or after its files changed, is refused here with one line naming what changed,
 * never silently mixed. {@link #load} reads files: call it off the actors' default dispatcher.
 */
public interface RunEnvironment {

  /** The proposer's and the verifier's model on this node, as a spec records them. */
  List<RunSpec.ModelRef> models();

  /** The run's questions (in the run's order), strategy and policy; checks every digest. */
  Inputs load(RunSpec spec);

  /**
   * A run's inputs, ready to run.
   *
   * @param questions in the run's order (a compute-optimal run's seeded shuffle applied)
   * @param strategy the fixed strategy; {@code null} under a policy
   * @param policy the compute-optimal policy; {@code null} for a fixed strategy
   * @param task the run's task, resolved by name and checked against the spec's digest
   */
  record Inputs(List<Question> questions, StrategyConfig strategy, Policy policy, Task task) {
    public Inputs {
      questions = List.copyOf(questions);
      if (task == null) {
        task = Tasks.ARITH;
      }
    }

    public Inputs(List<Question> questions, StrategyConfig strategy, Policy policy) {
      this(questions, strategy, policy, Tasks.ARITH);
    }
  }

  /** The run cannot continue here with these inputs; the message is one line. */
  final class InputsChanged extends RuntimeException {
    public InputsChanged(String message) {
      super(message);
    }
  }

  /** Reads inputs from this node's files; {@code models} are the ones its workers run. */
  static RunEnvironment local(List<RunSpec.ModelRef> models) {
    return new Local(models, q -> true, Tasks.builtin());
  }

  /** The same, resolving the run's task in this node's registry ({@code reckon.tasks}). */
  static RunEnvironment local(List<RunSpec.ModelRef> models, Tasks tasks) {
    return new Local(models, q -> true, tasks);
  }

  /**
   * The same, running only the questions {@code runnable} accepts (a question the proposer cannot
   * take at all, such as a prompt longer than its context, is reported by the caller instead).
   * The test must depend only on the question and the models, so that a resumed run skips the same
   * questions and keeps the same order.
   */
  static RunEnvironment local(List<RunSpec.ModelRef> models, Predicate<Question> runnable) {
    return new Local(models, runnable, Tasks.builtin());
  }

  static RunEnvironment local(
      List<RunSpec.ModelRef> models, Predicate<Question> runnable, Tasks tasks) {
    return new Local(models, runnable, tasks);
  }

  /** The reference a spec records for a task: its name and the digest of its definition. */
  static RunSpec.TaskRef ref(Task task) {
    return new RunSpec.TaskRef(task.name(), task.digest());
  }

  /** Files on this node. */
  record Local(List<RunSpec.ModelRef> models, Predicate<Question> runnable, Tasks tasks)
      implements RunEnvironment {
    public Local {
      models = List.copyOf(models);
      Objects.requireNonNull(runnable, "runnable");
      Objects.requireNonNull(tasks, "tasks");
    }

    @Override
    public Inputs load(RunSpec spec) {
      checkModels(spec.models(), models);
      Task task = task(spec.task(), tasks);
      List<Question> questions = questions(spec.questions()).stream().filter(runnable).toList();
      if (questions.isEmpty()) {
        throw new InputsChanged("no question of " + spec.questions().describe()
            + " fits the models on this node");
      }
      if (spec.computeOptimal()) {
        Policy policy = policy(spec.policy());
        return new Inputs(
            RunSupervisor.Run.computeOptimalOrder(questions, spec.seed()), null, policy, task);
      }
      StrategyConfig strategy;
      try {
        strategy = StrategyConfig.parse(spec.strategy());
      } catch (IllegalArgumentException e) {
        throw new InputsChanged("the run's strategy '" + spec.strategy()
            + "' is not understood by this version: " + e.getMessage());
      }
      return new Inputs(questions, strategy, null, task);
    }

    /**
     * The run's task on this node: by name from the registry, refused with one line when this
     * node does not know it or defines it differently from when the run started.
     */
    static Task task(RunSpec.TaskRef ref, Tasks tasks) {
      if (ref == null) {
        return Tasks.ARITH; // journaled before tasks: the arithmetic task was the only one
      }
      if (!tasks.contains(ref.name())) {
        throw new InputsChanged("the run's task '" + ref.name() + "' is not defined on this node "
            + "(known tasks: " + String.join(", ", tasks.names()) + ")");
      }
      Task task = tasks.get(ref.name());
      if (!task.digest().equals(ref.sha256())) {
        throw new InputsChanged("the task '" + ref.name() + "' changed since the run started "
            + "(its definition's sha256 was " + Digests.shortForm(ref.sha256()) + ", now "
            + Digests.shortForm(task.digest()) + "): resume with the same reckon.tasks."
            + ref.name() + " as the run started with");
      }
      return task;
    }

    public static void checkModels(List<RunSpec.ModelRef> started, List<RunSpec.ModelRef> here) {
      for (RunSpec.ModelRef was : started) {
        RunSpec.ModelRef now = WorkerKeys.model(here, was.role());
        if (now == null) {
          throw new InputsChanged("the run's " + was.role() + " model " + was.name()
              + " is not running on this node");
        }
        if (!now.sha256().equals(was.sha256()) || !now.name().equals(was.name())) {
          throw new InputsChanged("the " + was.role() + " model changed since the run started: it was "
              + describe(was) + ", now " + describe(now) + " (the digest covers the model's files "
              + "or server and name, and its --preset / --prm-preset: use the run's)");
        }
      }
    }

    private static String describe(RunSpec.ModelRef m) {
      return m.name() + (m.path() != null ? " (" + m.path() + ")" : "")
          + " sha256 " + Digests.shortForm(m.sha256());
    }

    private static List<Question> questions(RunSpec.Questions source) {
      if (source.inline() != null) {
        return source.inline();
      }
      Path file = Path.of(source.file());
      requireSame(file, source.sha256(), "question file");
      List<Question> questions;
      try {
        questions = Dataset.read(file);
      } catch (Dataset.InvalidDataException e) {
        throw new InputsChanged(e.getMessage());
      }
      if (questions.size() != source.count()) {
        throw new InputsChanged("the question file " + file + " has " + questions.size()
            + " questions; the run started with " + source.count());
      }
      return questions;
    }

    private static Policy policy(RunSpec.FileRef ref) {
      Path file = Path.of(ref.path());
      requireSame(file, ref.sha256(), "policy");
      try {
        return JsonFiles.read(file, Policy.class, "policy").validate();
      } catch (JsonFiles.InvalidJsonException | IllegalArgumentException e) {
        throw new InputsChanged("policy " + e.getMessage());
      }
    }

    private static void requireSame(Path file, String sha256, String what) {
      if (!Files.isRegularFile(file)) {
        throw new InputsChanged("the run's " + what + " " + file + " is gone");
      }
      String now = Digests.file(file);
      if (!Objects.equals(now, sha256)) {
        throw new InputsChanged("the " + what + " " + file + " changed since the run started (sha256 "
            + Digests.shortForm(sha256) + ", now " + Digests.shortForm(now) + ")");
      }
    }
  }
}
