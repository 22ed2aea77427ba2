package io.reckon.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The model-family presets of {@code config/presets.conf}: {@code --preset NAME} (a policy's
 * task, system prompt, chat template and stop strings) and {@code --prm-preset NAME} (a PRM's
 * backend and layout). Names may contain dots ({@code qwen2.5-math}), so they are looked up as
 * keys of {@code reckon.presets.policy} / {@code reckon.presets.prm}, never as paths.
 */
final class Presets {
  private Presets() {}

  /**
   * A policy preset.
   *
   * @param task the task it answers in ({@code reckon.tasks.<task>})
   * @param system the system prompt sent in place of the task's (rendering only: the task, its
   *     grading and its digest stay the same); null keeps the task's
   * @param chatTemplate a shipped template's name, a model folder or a .jinja file; "" = none
   * @param stop stop strings of the family (its end-of-turn tokens)
   */
  record Policy(String name, String description, String task, String system, String chatTemplate,
      List<String> stop) {
  }

  /** The policy preset {@code name}, or one line of bad input listing the known ones. */
  static Policy policy(Config hocon, String name) {
    Config c = entry(hocon, "reckon.presets.policy", name, "--preset");
    try {
      List<String> stop = c.hasPath("stop") ? c.getStringList("stop") : List.of();
      return new Policy(name, c.hasPath("description") ? c.getString("description") : "",
          c.getString("task"), c.hasPath("system") ? c.getString("system") : null,
          c.hasPath("chat-template") ? c.getString("chat-template") : "", List.copyOf(stop));
    } catch (ConfigException e) {
      throw new Main.BadInput("configuration reckon.presets.policy.\"" + name + "\": " + e.getMessage());
    }
  }

  /**
   * A PRM preset: its {@code backend} ({@code pooling} or {@code logprob}) and the settings laid
   * over {@code reckon.models.<backend>}.
   */
  record Prm(String name, String backend, Config settings) {}

  static Prm prm(Config hocon, String name) {
    Config c = entry(hocon, "reckon.presets.prm", name, "--prm-preset");
    try {
      String backend = c.getString("backend").strip().toLowerCase(Locale.ROOT);
      if (!backend.equals("pooling") && !backend.equals("logprob")) {
        throw new Main.BadInput("configuration reckon.presets.prm.\"" + name + "\".backend must be "
            + "pooling or logprob, was '" + backend + "'");
      }
      return new Prm(name, backend, c.withoutPath("backend").withoutPath("description"));
    } catch (ConfigException e) {
      throw new Main.BadInput("configuration reckon.presets.prm.\"" + name + "\": " + e.getMessage());
    }
  }

  /** The names of the presets under {@code path}, in configuration order. */
  static List<String> names(Config hocon, String path) {
    if (!hocon.hasPath(path)) {
      return List.of();
    }
    return new ArrayList<>(hocon.getObject(path).keySet()).stream().sorted().toList();
  }

  private static Config entry(Config hocon, String path, String name, String flag) {
    String key = name == null ? "" : name.strip();
    ConfigObject all = hocon.hasPath(path) ? hocon.getObject(path) : ConfigFactory.empty().root();
    ConfigValue v = all.get(key);
    if (v == null || v.valueType() != ConfigValueType.OBJECT) {
      throw new Main.BadInput(flag + " '" + name + "': unknown preset; known are "
          + String.join(", ", names(hocon, path)) + " (" + path + ", see docs/tasks.md)");
    }
    return ((ConfigObject) v).toConfig();
  }
}
