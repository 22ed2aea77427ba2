package io.reckon.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code reckon config}: the effective configuration, each value with where it came from. */
@Command(
    name = "config",
    mixinStandardHelpOptions = true,
    description = "Prints the effective configuration: every setting under reckon (or under PREFIX), "
        + "its value and where the value came from (a file and line, a RECKON_* variable, a -D "
        + "option). Secrets (passwords, tokens) are masked. The first lines name the files read, "
        + "in order.")
final class ConfigCommand implements Callable<Integer> {
  /** Keys whose values are secrets. Names of variables that hold secrets (…-env) are not. */
  private static final Pattern SECRET =
      Pattern.compile("(?i).*(password|secret|token|api-key|apikey|credentials?)$");

  @Parameters(index = "0", arity = "0..1", paramLabel = "PREFIX",
      description = "Only settings whose key starts with this, e.g. reckon.serve (default: reckon)")
  String prefix;

  @Option(names = "--all", description = "Every setting, Pekko's and the libraries' included")
  boolean all;

  @Option(names = "--no-origin", negatable = false,
      description = "Values only, without where they came from")
  boolean noOrigin;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Set by Main: the files read, in order. */
  static List<String> sources = List.of();

  /** Set by Main: settings whose relative path was read from the distribution, and from where. */
  static Map<String, String> resolved = Map.of();

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Config c;
    try {
      c = ConfigFactory.load();
    } catch (ConfigException e) {
      throw new Main.BadInput("configuration: " + e.getMessage());
    }
    for (int i = 0; i < sources.size(); i++) {
      out.println("# " + (i == 0 ? "read " : "then ") + sources.get(i));
    }
    out.println("# then RECKON_* variables and -D options");
    Map<String, String> variables = ConfigDoc.variables(ConfigDoc.builtIn());
    String root = prefix != null ? prefix : all ? "" : "reckon";
    Map<String, ConfigValue> values = new TreeMap<>();
    for (Map.Entry<String, ConfigValue> e : c.entrySet()) {
      String key = e.getKey();
      if (root.isEmpty() || key.equals(root) || key.startsWith(root + ".")) {
        values.put(key, e.getValue());
      }
    }
    if (values.isEmpty()) {
      java.util.Set<String> keys = ConfigCheck.builtInKeys();
      String near = Suggest.nearest(root, keys);
      throw new Main.BadInput("no setting starts with " + root
          + (near == null ? "" : " (did you mean " + near + "?)"));
    }
    int width = 0;
    List<String[]> rows = new ArrayList<>();
    for (Map.Entry<String, ConfigValue> e : values.entrySet()) {
      String line = e.getKey() + " = " + render(e.getKey(), e.getValue());
      width = Math.max(width, Math.min(line.length(), 72));
      rows.add(new String[] {line, resolved.containsKey(e.getKey()) ? resolved.get(e.getKey())
          : ConfigCheck.origin(e.getValue().origin(), e.getKey(), variables.get(e.getKey()))});
    }
    for (String[] row : rows) {
      if (noOrigin) {
        out.println(row[0]);
      } else {
        out.println(String.format(Locale.ROOT, "%-" + width + "s  # %s", row[0], row[1]));
      }
    }
    out.flush();
    return 0;
  }

  static String render(String key, ConfigValue v) {
    String last = key.substring(key.lastIndexOf('.') + 1);
    if (SECRET.matcher(last).matches() && !last.endsWith("-env")) {
      boolean empty = v.valueType() == ConfigValueType.STRING && ((String) v.unwrapped()).isEmpty();
      return empty ? "\"\"" : "\"********\" (masked)";
    }
    // A password inside a URL (jdbc:postgresql://user:secret@host/db) is a secret too.
    return v.render(ConfigRenderOptions.concise()).replaceAll("://([^/@:\\s\"]+):[^/@\\s\"]+@", "://$1:********@");
  }
}
