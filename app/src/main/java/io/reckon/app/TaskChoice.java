package io.reckon.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.reckon.actors.TaskSettings;
import io.reckon.search.policy.Policy;
import io.reckon.search.task.Task;
import io.reckon.search.task.Tasks;
import java.nio.file.Path;

/** The {@code --task} option of {@code reckon run} and {@code reckon sweep}: resolved and checked. */
final class TaskChoice {
  static final String DESCRIPTION = "How answers are found and compared: arith, math, gsm8k, "
      + "short-answer, or a task defined under reckon.tasks (default: reckon.tasks.default, "
      + "env RECKON_TASK; see docs/tasks.md)";

  private TaskChoice() {}

  /** The named task (or the configured default), or a one-line error listing the known ones. */
  static Task resolve(String name, Config hocon) {
    Tasks tasks;
    try {
      tasks = TaskSettings.from(hocon);
    } catch (ConfigException | IllegalArgumentException e) {
      throw new Main.BadInput("configuration: " + e.getMessage());
    }
    try {
      return tasks.resolve(name);
    } catch (Tasks.UnknownTaskException e) {
      throw new Main.BadInput("--task: " + e.getMessage());
    }
  }

  /** The synthetic reasoner writes the arithmetic format only: any other task finds no answer. */
  static void requireSyntheticArith(Task task, boolean synthetic) {
    if (synthetic && !task.name().equals(Tasks.ARITH.name())) {
      throw new Main.BadInput("--task " + task.name() + ": the synthetic backend writes the arith "
          + "format only (one step per line, 'A: <integer>'); use --task arith, or a model backend "
          + "(--backend onnx or openai) for " + task.name());
    }
  }

  /** A policy is only optimal for the task it was learned on. */
  static void requirePolicyTask(Policy policy, Path file, Task task) {
    if (!policy.taskName().equals(task.name())) {
      throw new Main.BadInput("--task " + task.name() + ": the policy " + file + " was learned on "
          + "task " + policy.taskName() + "; run it with --task " + policy.taskName()
          + ", or learn one for " + task.name() + " with 'reckon sweep --task " + task.name()
          + " --out policy.json'");
    }
  }
}
