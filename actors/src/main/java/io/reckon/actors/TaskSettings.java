package io.reckon.actors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.reckon.search.task.AnswerEquivalence;
import io.reckon.search.task.AnswerExtractor;
import io.reckon.search.task.GraderLimits;
import io.reckon.search.task.Task;
import io.reckon.search.task.TaskPrompt;
import io.reckon.search.task.Tasks;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads {@code reckon.tasks} (see {@code config/tasks.conf}) into a {@link Tasks} registry: the
 * grader's bounds, every task defined there (the shipped {@code arith}, {@code math}, {@code
 * gsm8k} and {@code short-answer}, and any a user adds), and the default. Every problem is
 * reported with the key that holds it and the fix.
 */
public final class TaskSettings {
  private static final String ROOT = "reckon.tasks";

  private TaskSettings() {}

  /** The registry of a resolved configuration; the shipped tasks alone when it has no section. */
  public static Tasks from(Config root) {
    if (!root.hasPath(ROOT)) {
      return Tasks.builtin();
    }
    Config c = root.getConfig(ROOT);
    GraderLimits limits = c.hasPath("grader") ? limits(c.getConfig("grader")) : GraderLimits.DEFAULTS;
    List<Task> tasks = new ArrayList<>();
    Map<String, ConfigValue> sorted = new TreeMap<>(c.root());
    for (Map.Entry<String, ConfigValue> e : sorted.entrySet()) {
      String name = e.getKey();
      if (name.equals("default") || name.equals("grader")) {
        continue;
      }
      String key = ROOT + "." + name;
      if (e.getValue().valueType() != ConfigValueType.OBJECT) {
        throw new IllegalArgumentException(key + " must be a task definition { ... } (see "
            + "config/tasks.conf), not a " + e.getValue().valueType().name().toLowerCase(
                java.util.Locale.ROOT));
      }
      tasks.add(task(name, c.getConfig(quote(name)), key, limits));
    }
    String defaultName = text(c, "default", ROOT + ".default", Tasks.DEFAULT);
    try {
      return new Tasks(tasks, defaultName);
    } catch (Tasks.UnknownTaskException u) {
      throw new IllegalArgumentException(ROOT + ".default (env RECKON_TASK): " + u.getMessage());
    }
  }

  static GraderLimits limits(Config g) {
    try {
      return new GraderLimits(
          g.getInt("max-answer-chars"), g.getInt("max-work"), g.getInt("max-depth"),
          g.getInt("max-comparisons"));
    } catch (ConfigException e) {
      throw new IllegalArgumentException(ROOT + ".grader: " + e.getMessage());
    }
  }

  private static Task task(String name, Config t, String key, GraderLimits limits) {
    try {
      String delimiter = text(t, "step-delimiter", key + ".step-delimiter", null);
      if (delimiter == null || delimiter.isEmpty()) {
        throw new IllegalArgumentException(key + ".step-delimiter is required and must not be "
            + "empty, e.g. \"\\n\" (one step per line) or \"\\n\\n\" (steps between blank lines)");
      }
      AnswerExtractor extractor;
      try {
        extractor = AnswerExtractor.of(required(t, "answer", key + ".answer"),
            text(t, "answer-marker", key + ".answer-marker", null),
            text(t, "answer-phrase", key + ".answer-phrase", null));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(key + ".answer: " + e.getMessage());
      }
      AnswerEquivalence equivalence;
      try {
        equivalence = AnswerEquivalence.of(required(t, "equivalence", key + ".equivalence"),
            limits);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(key + ".equivalence: " + e.getMessage());
      }
      TaskPrompt prompt;
      try {
        prompt = prompt(t, key);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(key + ".prompt: " + e.getMessage());
      }
      return new Task(name, text(t, "description", key + ".description", ""), delimiter,
          extractor, equivalence, prompt, limits.maxComparisons());
    } catch (ConfigException e) {
      throw new IllegalArgumentException(key + ": " + e.getMessage());
    }
  }

  private static TaskPrompt prompt(Config t, String key) {
    if (!t.hasPath("prompt")) {
      throw new IllegalArgumentException("is required: prompt { system = \"...\", "
          + "user = \"{question}\" }");
    }
    Config p = t.getConfig("prompt");
    List<TaskPrompt.Example> shots = new ArrayList<>();
    if (p.hasPath("few-shot")) {
      int i = 0;
      for (Config shot : p.getConfigList("few-shot")) {
        String at = "few-shot[" + i++ + "]";
        shots.add(new TaskPrompt.Example(required(shot, "question", at + ".question"),
            required(shot, "solution", at + ".solution")));
      }
    }
    String user = text(p, "user", key + ".prompt.user", null);
    if (user == null) {
      throw new IllegalArgumentException("user is required, e.g. user = \"{question}\"");
    }
    return new TaskPrompt(text(p, "system", key + ".prompt.system", ""), user, shots);
  }

  /** The string at {@code path}; {@code fallback} when absent, an error naming the key when null. */
  private static String text(Config c, String path, String key, String fallback) {
    if (!c.hasPath(path)) {
      return fallback;
    }
    try {
      return c.getString(path);
    } catch (ConfigException.WrongType e) {
      throw new IllegalArgumentException(key + " must be a string");
    }
  }

  private static String required(Config c, String path, String key) {
    String v = text(c, path, key, null);
    if (v == null) {
      throw new IllegalArgumentException(key + " is required");
    }
    return v;
  }

  private static String quote(String name) {
    return "\"" + name + "\"";
  }
}
