package io.reckon.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a command's configuration comes from, decided once before the command runs, so that every
 * {@code ConfigFactory.load()} in the code base sees the same thing:
 *
 * <ol>
 *   <li>the base: the distribution's {@code config/application.conf} (the launcher passes {@code
 *       -Dreckon.home}), else the copy built into the jar (running from a clone);
 *   <li>over it, {@code --config FILE} or else {@code RECKON_CONFIG}: a file holding only the
 *       settings it changes;
 *   <li>over both, {@code RECKON_*} variables and {@code -Dkey=value} (before or after the command).
 * </ol>
 *
 * It works through the system properties that Typesafe Config itself reads ({@code config.file},
 * and one property per {@code -D}), and puts them back when the command ends (the tests run many
 * commands in one JVM). A relative path in a setting or an option default that names a file
 * shipped with the distribution ({@code models/...}, {@code data/...}) and is not in the working
 * directory is read from the distribution, so {@code bin/reckon run} works from any directory.
 */
final class ConfigSetup implements AutoCloseable {
  static final String HOME = "reckon.home";
  static final String ENV = "RECKON_CONFIG";
  /** The distribution's folders that hold shipped files a relative path may name. */
  private static final java.util.Set<String> SHIPPED = java.util.Set.of("models", "data");

  private final Map<String, String> saved = new LinkedHashMap<>();
  private final List<String> sources = new ArrayList<>();
  private final Map<String, String> resolved = new LinkedHashMap<>();
  private Path overlay;

  private ConfigSetup() {}

  /** The distribution's folder (the launcher's {@code -Dreckon.home}), or null from a clone. */
  static Path home() {
    String h = System.getProperty(HOME);
    return h == null || h.isBlank() ? null : Path.of(h).toAbsolutePath().normalize();
  }

  /**
   * Applies the sources. {@code file} is {@code --config} (null: none), {@code defines} the
   * {@code -D} settings; {@code env} looks variables up.
   */
  static ConfigSetup apply(Path file, Map<String, String> defines,
      java.util.function.Function<String, String> env) {
    ConfigSetup s = new ConfigSetup();
    try {
      s.chooseFiles(file, env);
      ConfigFactory.invalidateCaches();
      // Before they are set: Typesafe Config reads every system property as a setting.
      s.checkDefines(defines);
      if (defines != null) {
        for (Map.Entry<String, String> d : defines.entrySet()) {
          s.set(d.getKey(), d.getValue());
        }
      }
      ConfigFactory.invalidateCaches();
      s.resolveShippedPaths();
      return s;
    } catch (RuntimeException e) {
      s.close();
      throw e;
    }
  }

  /** Settings read from the distribution: key to where the relative path was set, in words. */
  Map<String, String> resolved() {
    return resolved;
  }

  /** Where the settings come from, in order (the later wins), for {@code reckon config}. */
  List<String> sources() {
    return sources;
  }

  private void chooseFiles(Path file, java.util.function.Function<String, String> env) {
    Path home = home();
    Path base = null;
    if (System.getProperty("config.file") != null || System.getProperty("config.resource") != null
        || System.getProperty("config.url") != null) {
      sources.add("the file named by -Dconfig.file/-Dconfig.resource/-Dconfig.url");
    } else if (home != null && Files.isRegularFile(home.resolve("config/application.conf"))) {
      base = home.resolve("config/application.conf");
      sources.add(base + " (the distribution's config/)");
    } else {
      sources.add("application.conf built into the jar (a copy of config/ when it was built)");
    }
    String from = "--config";
    if (file == null) {
      String named = env.apply(ENV);
      if (named != null && !named.isBlank()) {
        file = Path.of(named);
        from = ENV;
      }
    }
    if (file == null) {
      if (base != null) {
        set("config.file", base.toString());
      }
      return;
    }
    if (!Files.isRegularFile(file)) {
      throw new Main.BadInput(from + " names " + file + ", which is not a file");
    }
    Path user = file.toAbsolutePath().normalize();
    sources.add(user + " (" + from + ")");
    // HOCON merges included files in order, the later winning, and resolves each file's own
    // includes relative to itself: the user's file overrides the base key by key.
    StringBuilder text = new StringBuilder("# written by reckon: the base configuration, then "
        + from + "\n");
    text.append(base != null ? "include required(file(" + quote(base.toString()) + "))\n"
        : "include required(classpath(\"application.conf\"))\n");
    text.append("include required(file(").append(quote(user.toString())).append("))\n");
    try {
      overlay = Files.createTempFile("reckon-config-", ".conf");
      Files.writeString(overlay, text, StandardCharsets.UTF_8);
      overlay.toFile().deleteOnExit();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    set("config.file", overlay.toString());
  }

  /** A -D under reckon. that names no setting is a typo: refused, with the nearest key. */
  private void checkDefines(Map<String, String> defines) {
    if (defines == null || defines.isEmpty()) {
      return;
    }
    Config defaults = ConfigFactory.defaultApplication().withFallback(ConfigFactory.defaultReference())
        .resolve();
    for (String key : defines.keySet()) {
      if (!key.startsWith("reckon.")) {
        continue;
      }
      boolean known;
      try {
        known = defaults.hasPathOrNull(key);
      } catch (ConfigException e) {
        known = false;
      }
      if (!known) {
        String near = Suggest.nearest(key, ConfigCheck.builtInKeys());
        throw new Main.BadInput("-D" + key + ": there is no such setting"
            + (near == null ? "" : " (did you mean " + near + "?)") + "; 'reckon config' lists them");
      }
    }
  }

  /** Settings naming a file of the distribution that the working directory lacks: read from home. */
  private void resolveShippedPaths() {
    Path home = home();
    if (home == null) {
      return;
    }
    Config c;
    try {
      c = ConfigFactory.load();
    } catch (ConfigException e) {
      return; // the type check names the problem
    }
    if (!c.hasPath("reckon")) {
      return;
    }
    for (Map.Entry<String, ConfigValue> e : c.getConfig("reckon").entrySet()) {
      if (e.getValue().valueType() != ConfigValueType.STRING) {
        continue;
      }
      String there = shipped((String) e.getValue().unwrapped(), home);
      if (there != null) {
        String key = "reckon." + e.getKey();
        resolved.put(key, e.getValue().unwrapped() + " (" + ConfigCheck.origin(e.getValue().origin(),
            key, null) + ") read from the distribution");
        set(key, there);
      }
    }
    ConfigFactory.invalidateCaches();
  }

  /**
   * {@code value} resolved against the distribution when it is a relative path that the working
   * directory lacks and the distribution has; null otherwise.
   */
  static String shipped(String value, Path home) {
    if (home == null || value == null || value.isBlank() || value.contains(":")
        || value.chars().anyMatch(Character::isWhitespace)) {
      return null;
    }
    Path p;
    try {
      p = Path.of(value);
    } catch (java.nio.file.InvalidPathException e) {
      return null;
    }
    // Only what the distribution ships: the store (reckon-data/), results and outputs stay where
    // the command runs even if someone once ran one inside the distribution's folder.
    if (p.isAbsolute() || Files.exists(p) || p.getNameCount() == 0
        || !SHIPPED.contains(p.getName(0).toString())) {
      return null;
    }
    Path there = home.resolve(p).normalize();
    return there.startsWith(home) && Files.exists(there) ? there.toString() : null;
  }

  private void set(String key, String value) {
    if (!saved.containsKey(key)) {
      saved.put(key, System.getProperty(key));
    }
    System.setProperty(key, value);
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  @Override
  public void close() {
    for (Map.Entry<String, String> e : saved.entrySet()) {
      if (e.getValue() == null) {
        System.clearProperty(e.getKey());
      } else {
        System.setProperty(e.getKey(), e.getValue());
      }
    }
    saved.clear();
    if (overlay != null) {
      try {
        Files.deleteIfExists(overlay);
      } catch (IOException e) {
        // deleteOnExit takes it
      }
    }
    ConfigFactory.invalidateCaches();
  }
}
