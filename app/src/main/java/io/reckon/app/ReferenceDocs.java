package io.reckon.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Writes the generated references: {@code docs/cli.md} from picocli's model of the commands and
 * {@code docs/configuration.md} from the text of {@code config/*.conf}. {@code ReferenceDocsTest}
 * fails when a page in the repository differs from what this renders; {@code docs/generate.sh}
 * runs this to write them again.
 *
 * <p>Usage: {@code java -cp app/target/reckon.jar io.reckon.app.ReferenceDocs REPOSITORY_ROOT}
 */
public final class ReferenceDocs {
  static final String REGENERATE = "./docs/generate.sh";

  /**
   * Variables read by the code or the launcher rather than by a {@code ${?RECKON_...}} in
   * config/: a RECKON_ variable anywhere in the main sources must be in config/ or here
   * ({@code ReferenceDocsTest} checks it).
   */
  static final Map<String, String> CODE_VARIABLES = codeVariables();

  private ReferenceDocs() {}

  private static Map<String, String> codeVariables() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("RECKON_CONFIG", "A file of settings read over the configuration, as `--config FILE` "
        + "(which wins over it). It holds only what it changes.");
    m.put("RECKON_DEBUG", "Any value: an internal error also prints its stack trace.");
    m.put("RECKON_JVM_DEFAULTS", "bin/reckon only: replaces the launcher's JVM defaults "
        + "(`-XX:MaxRAMPercentage=...`); `JAVA_OPTS` is added after them either way.");
    return m;
  }

  public static void main(String[] args) throws IOException {
    Path root = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
    for (Map.Entry<Path, String> page : render(root).entrySet()) {
      Files.writeString(page.getKey(), page.getValue(), StandardCharsets.UTF_8);
      System.out.println("wrote " + root.relativize(page.getKey()));
    }
  }

  /** Each generated page's path and its content. */
  static Map<Path, String> render(Path root) throws IOException {
    Map<Path, String> pages = new LinkedHashMap<>();
    pages.put(root.resolve("docs/cli.md"), cli());
    pages.put(root.resolve("docs/configuration.md"), configuration(root.resolve("config")));
    return pages;
  }

  private static String banner(String from) {
    return "<!-- Generated from " + from + " by io.reckon.app.ReferenceDocs: do not edit by hand; "
        + "run " + REGENERATE + " after changing them. -->\n\n";
  }

  // ---- the CLI reference ----

  static String cli() {
    CommandLine root = Main.commandLine(new Main());
    StringBuilder md = new StringBuilder("# CLI reference\n\n");
    md.append(banner("the commands' picocli annotations (app/src/main/java/io/reckon/app)"));
    md.append("Every command takes `--help`, `--version`, `--config FILE` and `-Dkey=value` (before or "
        + "after the command's name). Exit status: 0 done; 1 the run failed or the service could "
        + "not start; 2 bad input (one line on stderr names the problem; nothing was written); 3 "
        + "`run` finished but some questions failed; 130/143 stopped by a signal. From a clone, "
        + "`reckon` is `java -jar app/target/reckon.jar`; in the distribution it is `bin/reckon`. "
        + "Shell completion: `source <(reckon completion bash)`.\n\n");
    List<CommandLine> all = new ArrayList<>();
    collect(root, all);
    md.append("| command | what it does |\n|---|---|\n");
    for (CommandLine c : all) {
      String[] d = c.getCommandSpec().usageMessage().description();
      String first = d.length == 0 ? ""
          : firstSentence(String.join(" ", d).replace("%n", " ").strip());
      md.append("| [`").append(c.getCommandSpec().qualifiedName()).append("`](#")
          .append(anchor(c.getCommandSpec().qualifiedName())).append(") | ")
          .append(first.replace("|", "\\|")).append(" |\n");
    }
    for (CommandLine c : all) {
      md.append("\n## ").append(c.getCommandSpec().qualifiedName()).append("\n\n```text\n")
          .append(c.getUsageMessage(CommandLine.Help.Ansi.OFF).stripTrailing()).append("\n```\n");
    }
    return md.toString();
  }

  private static void collect(CommandLine c, List<CommandLine> out) {
    out.add(c);
    Map<String, CommandLine> seen = new LinkedHashMap<>();
    for (Map.Entry<String, CommandLine> e : c.getSubcommands().entrySet()) {
      // Aliases map to the same command: list it once.
      if (!e.getValue().getCommandSpec().usageMessage().hidden() && !seen.containsValue(e.getValue())) {
        seen.put(e.getKey(), e.getValue());
      }
    }
    for (CommandLine sub : seen.values()) {
      collect(sub, out);
    }
  }

  private static String firstSentence(String s) {
    int dot = s.indexOf(". ");
    int colon = s.indexOf(": ");
    int end = dot < 0 ? s.length() : dot + 1;
    if (colon > 0 && colon < end) {
      end = colon;
    }
    return s.substring(0, end).strip();
  }

  /** GitHub's heading anchor: lower case, spaces to dashes, punctuation dropped. */
  static String anchor(String heading) {
    return heading.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9 _-]", "").replace(' ', '-');
  }

  // ---- the configuration reference ----

  static String configuration(Path configDir) throws IOException {
    ConfigDoc.FileDoc app = ConfigDoc.parse("application.conf",
        Files.readString(configDir.resolve("application.conf"), StandardCharsets.UTF_8));
    List<ConfigDoc.FileDoc> files = new ArrayList<>(List.of(app));
    for (String include : app.includes()) {
      Path f = configDir.resolve(include);
      if (Files.isRegularFile(f)) {
        files.add(ConfigDoc.parse(include, Files.readString(f, StandardCharsets.UTF_8)));
      }
    }
    StringBuilder md = new StringBuilder("# Configuration reference\n\n");
    md.append(banner("config/*.conf and their comments"));
    md.append("Reckon reads HOCON. Everything it reads lives under `reckon { }`; Pekko's own settings "
        + "(`pekko { }`) can be set the same way. Where a value comes from, the later winning:\n\n"
        + "1. the base: the distribution's `config/application.conf` (and the files it includes), "
        + "read when a command starts, so an edit needs no rebuild; from a clone, the copy of "
        + "`config/` built into `app/target/reckon.jar`;\n"
        + "2. `--config FILE` or else `RECKON_CONFIG=FILE`: a file holding only the settings it "
        + "changes;\n"
        + "3. the `RECKON_*` environment variables below;\n"
        + "4. `-Dkey=value`, before or after the command's name (`reckon run -Dreckon.run.concurrency=32`); "
        + "a `-Dreckon...` that names no setting is refused with the nearest one.\n\n"
        + "`reckon config [PREFIX]` prints the effective value of every setting and where it came from, "
        + "secrets masked. A value of the wrong type (`RECKON_CONCURRENCY=lots`) is refused before "
        + "any work, naming the full key and its variable. Relative paths are relative to the working "
        + "directory; in the distribution, a relative path to a shipped file (`models/...`, `data/...`) "
        + "that the working directory lacks is read from the distribution. Logging is "
        + "`config/logback.xml` (in the distribution, read at run time too).\n\n");
    // Every variable, sorted.
    Map<String, String[]> variables = new TreeMap<>();
    for (ConfigDoc.FileDoc f : files) {
      for (ConfigDoc.Entry e : f.entries()) {
        if (!e.env().isEmpty()) {
          variables.put(e.env(), new String[] {"`" + e.key() + "`", value(e.value()),
              "[" + f.file() + "](#" + anchor(f.file()) + ")"});
        }
      }
    }
    Path logback = configDir.resolve("logback.xml");
    if (Files.isRegularFile(logback)) {
      Matcher m = Pattern.compile("\\$\\{(RECKON_[A-Z0-9_]+):-([^}]*)}")
          .matcher(Files.readString(logback, StandardCharsets.UTF_8));
      while (m.find()) {
        variables.put(m.group(1), new String[] {"log level of Reckon and the libraries "
            + "(`TRACE`, `DEBUG`, `INFO`, `WARN`, `ERROR`)", "`" + m.group(2) + "`",
            "[logback.xml](#logbackxml)"});
      }
    }
    for (Map.Entry<String, String> v : CODE_VARIABLES.entrySet()) {
      variables.put(v.getKey(), new String[] {v.getValue(), "", ""});
    }
    md.append("## Environment variables\n\n| variable | sets | default | file |\n|---|---|---|---|\n");
    for (Map.Entry<String, String[]> v : variables.entrySet()) {
      String[] r = v.getValue();
      md.append("| `").append(v.getKey()).append("` | ").append(r[0]).append(" | ").append(r[1])
          .append(" | ").append(r[2]).append(" |\n");
    }
    for (ConfigDoc.FileDoc f : files) {
      md.append("\n## ").append(f.file()).append("\n\n");
      if (!f.header().isEmpty()) {
        md.append(f.header()).append("\n\n");
      }
      if (f.entries().isEmpty()) {
        md.append("(only includes)\n");
        continue;
      }
      Map<String, String> blockComments = new LinkedHashMap<>();
      for (ConfigDoc.Block b : f.blocks()) {
        blockComments.putIfAbsent(b.path(), b.comment());
      }
      String group = null;
      for (ConfigDoc.Entry e : f.entries()) {
        String parent = e.key().contains(".") ? e.key().substring(0, e.key().lastIndexOf('.')) : "";
        if (!parent.equals(group)) {
          group = parent;
          md.append("\n### `").append(parent.isEmpty() ? "(top level)" : parent).append("`\n\n");
          String c = blockComments.getOrDefault(parent, "");
          if (!c.isEmpty() && !c.equals(f.header())) {
            md.append(c).append("\n\n");
          }
          md.append("| key | default | variable | meaning |\n|---|---|---|---|\n");
        }
        md.append("| `").append(e.key().substring(parent.isEmpty() ? 0 : parent.length() + 1))
            .append("` | ").append(value(e.value())).append(" | ")
            .append(e.env().isEmpty() ? "" : "`" + e.env() + "`").append(" | ")
            .append(cell(e.comment())).append(" |\n");
      }
    }
    md.append("\n## logback.xml\n\nLogs go to stderr (stdout carries results and summaries). "
        + "`RECKON_LOG_LEVEL=INFO` (or `DEBUG`) shows more; the file's comments say which loggers are "
        + "quieted and why.\n");
    return md.toString();
  }

  private static String value(String v) {
    if (v.isEmpty()) {
      return "";
    }
    String shown = v.length() > 60 ? v.substring(0, 57) + "..." : v;
    return "`" + shown.replace("|", "\\|").replace("`", "'") + "`";
  }

  private static String cell(String s) {
    return s.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;");
  }
}
