package io.reckon.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.Map;

/**
 * Checks, before a command runs, that every {@code reckon.*} setting has the type of its built-in
 * default (a number, a boolean, a duration, a size): a {@code RECKON_CONCURRENCY=abc} is then one
 * line naming the full key, its variable and where the value came from, instead of Typesafe
 * Config's message about a key relative to whichever section a settings class happened to read.
 */
final class ConfigCheck {
  private ConfigCheck() {}

  /** The built-in reckon.* settings and every prefix of them (reckon.run and reckon.run.seed). */
  static java.util.Set<String> builtInKeys() {
    java.util.Set<String> keys = new java.util.TreeSet<>();
    ConfigFactory.parseResourcesAnySyntax("application")
        .resolve(ConfigResolveOptions.defaults().setUseSystemEnvironment(false).setAllowUnresolved(true))
        .getConfig("reckon").entrySet().forEach(e -> {
          String key = "reckon." + e.getKey();
          for (int dot = key.indexOf('.'); dot > 0; dot = key.indexOf('.', dot + 1)) {
            keys.add(key.substring(0, dot));
          }
          keys.add(key);
        });
    return keys;
  }

  /** Throws {@link Main.BadInput} for the first setting of the wrong type. */
  static void check(Config effective) {
    Config defaults = ConfigFactory.parseResourcesAnySyntax("application")
        .resolve(ConfigResolveOptions.defaults().setUseSystemEnvironment(false).setAllowUnresolved(true));
    if (!defaults.hasPath("reckon") || !effective.hasPath("reckon")) {
      return;
    }
    Map<String, String> variables = ConfigDoc.variables(ConfigDoc.builtIn());
    for (Map.Entry<String, ConfigValue> d : defaults.getConfig("reckon").entrySet()) {
      String key = "reckon." + d.getKey();
      if (!effective.hasPath(key)) {
        continue;
      }
      String wanted = problem(d.getValue(), defaults, effective, key);
      if (wanted != null) {
        throw new Main.BadInput(message(key, wanted, effective.getValue(key), variables.get(key)));
      }
    }
  }

  /** What the value should be ("a number like 64"), or null when it is fine. */
  private static String problem(ConfigValue def, Config defaults, Config effective, String key) {
    String example = def.render(ConfigRenderOptions.concise());
    try {
      if (def.valueType() == ConfigValueType.NUMBER) {
        effective.getNumber(key);
      } else if (def.valueType() == ConfigValueType.BOOLEAN) {
        effective.getBoolean(key);
      } else if (def.valueType() == ConfigValueType.STRING) {
        boolean duration = parses(() -> defaults.getDuration(key));
        boolean size = parses(() -> defaults.getBytes(key));
        if (duration && size) {
          if (!parses(() -> effective.getDuration(key)) && !parses(() -> effective.getBytes(key))) {
            return "a duration or a size like " + example;
          }
        } else if (duration) {
          effective.getDuration(key);
        } else if (size) {
          effective.getBytes(key);
        }
        return null;
      }
      return null;
    } catch (ConfigException e) {
      String kind = def.valueType() == ConfigValueType.NUMBER ? "a number"
          : def.valueType() == ConfigValueType.BOOLEAN ? "on or off (true or false)"
          : parses(() -> defaults.getDuration(key)) ? "a duration" : "a size";
      return kind + " like " + example;
    }
  }

  private static boolean parses(Runnable r) {
    try {
      r.run();
      return true;
    } catch (ConfigException e) {
      return false;
    }
  }

  static String message(String key, String wanted, ConfigValue value, String variable) {
    String shown = value.render(ConfigRenderOptions.concise());
    if (shown.length() > 40) {
      shown = shown.substring(0, 40) + "...";
    }
    String from = origin(value.origin(), key, variable);
    return "configuration: " + key + " must be " + wanted + ", but " + from + " is " + shown
        + (variable == null ? "" : " (env " + variable + ")");
  }

  /** Where a value came from, in words: "RECKON_...", "-Dkey", "FILE:LINE". */
  static String origin(ConfigOrigin o, String key, String variable) {
    String d = o.description();
    if (d.contains("env variables")) {
      return variable != null ? variable : "an environment variable";
    }
    if (d.contains("system properties")) {
      return "-D" + key;
    }
    if (o.resource() != null) {
      return "the built-in " + o.resource() + ":" + o.lineNumber();
    }
    if (o.filename() != null) {
      return o.filename() + ":" + o.lineNumber();
    }
    return d;
  }
}
