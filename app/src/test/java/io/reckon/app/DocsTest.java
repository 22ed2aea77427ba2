package io.reckon.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The user documentation holds together: every relative link (and #anchor) in the Markdown pages
 * points at something that exists, and every {@code reckon ...} command in a shell code block
 * parses with today's commands and options.
 */
class DocsTest {
  /**
   * Pages that other branches add (tasks and formats, adaptive allocation, the service's security);
   * the docs map links them already. Remove each once it exists.
   */
  static final Set<String> PAGES_COMING = Set.of("docs/security.md");

  private static final Pattern LINK = Pattern.compile("\\[[^\\]]*]\\(([^)\\s]+)\\)");
  private static final Pattern COMMAND = Pattern.compile(
      "^(?:\\$ )?(?:[A-Z_][A-Z0-9_]*=\\S+ )*(reckon|bin/reckon|java (?:-\\S+ )*-jar \\S*reckon\\.jar) (.*)$");

  static List<Path> pages() throws IOException {
    List<Path> pages = new ArrayList<>();
    Path root = Cli.root();
    for (String f : List.of("README.md", "CONTRIBUTING.md", "CHANGELOG.md", "deploy/README.md",
        "bench/RESULTS.md")) {
      if (Files.exists(root.resolve(f))) {
        pages.add(root.resolve(f));
      }
    }
    try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
    }
    return pages;
  }

  @Test
  void theReadmeIsShortAndTheDocsExist() throws IOException {
    Path root = Cli.root();
    assertThat(Files.readAllLines(root.resolve("README.md"))).hasSizeLessThanOrEqualTo(200);
    for (String page : List.of("index", "getting-started", "concepts", "strategies", "cli",
        "configuration", "service", "durability", "cluster", "deployment", "kafka", "models",
        "architecture")) {
      assertThat(root.resolve("docs/" + page + ".md")).exists();
    }
    assertThat(root.resolve("docs/openapi.yaml")).exists();
    for (String f : List.of("LICENSE", "NOTICE", "CHANGELOG.md", "CONTRIBUTING.md", "CITATION.cff",
        "bench/RESULTS.md", "deploy/README.md")) {
      assertThat(root.resolve(f)).exists();
    }
  }

  @Test
  void everyRelativeLinkResolves() throws IOException {
    Path root = Cli.root();
    List<String> broken = new ArrayList<>();
    for (Path page : pages()) {
      String text = withoutCode(Files.readString(page, StandardCharsets.UTF_8));
      Matcher m = LINK.matcher(text);
      while (m.find()) {
        String target = m.group(1);
        if (target.matches("^[a-z]+:.*")) {
          continue; // http:, https:, mailto:
        }
        String file = target.contains("#") ? target.substring(0, target.indexOf('#')) : target;
        String anchor = target.contains("#") ? target.substring(target.indexOf('#') + 1) : null;
        Path resolved = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
        String rel = root.relativize(resolved).toString();
        String where = root.relativize(page) + ": (" + target + ")";
        if (!Files.exists(resolved)) {
          if (!PAGES_COMING.contains(rel)) {
            broken.add(where + " -> no " + rel);
          }
          continue;
        }
        if (anchor != null && rel.endsWith(".md") && !anchors(resolved).contains(anchor)) {
          broken.add(where + " -> no heading #" + anchor + " in " + rel);
        }
      }
    }
    assertThat(broken).as("broken links").isEmpty();
  }

  @Test
  void everyReckonCommandInACodeBlockParses() throws IOException {
    List<String> bad = new ArrayList<>();
    int checked = 0;
    for (Path page : pages()) {
      for (String command : commands(Files.readString(page, StandardCharsets.UTF_8))) {
        checked++;
        List<String> args = words(command);
        try {
          Main.commandLine(new Main()).parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
          bad.add(Cli.root().relativize(page) + ": reckon " + command + "\n    " + e.getMessage());
        }
      }
    }
    assertThat(checked).as("commands found in code blocks").isGreaterThan(20);
    assertThat(bad).as("commands that do not parse").isEmpty();
  }

  /** The arguments after "reckon" of each command line in a bash/sh/shell or unmarked block. */
  static List<String> commands(String markdown) {
    List<String> out = new ArrayList<>();
    boolean shell = false;
    boolean inBlock = false;
    StringBuilder joined = new StringBuilder();
    for (String line : markdown.split("\n")) {
      String t = line.strip();
      if (t.startsWith("```")) {
        if (!inBlock) {
          String lang = t.substring(3).strip().toLowerCase(Locale.ROOT);
          shell = lang.isEmpty() || lang.equals("bash") || lang.equals("sh") || lang.equals("shell")
              || lang.equals("console");
        }
        inBlock = !inBlock;
        continue;
      }
      if (!inBlock || !shell) {
        continue;
      }
      if (t.endsWith("\\")) {
        joined.append(t, 0, t.length() - 1).append(' ');
        continue;
      }
      joined.append(t);
      String full = joined.toString().strip();
      joined.setLength(0);
      Matcher m = COMMAND.matcher(full);
      if (m.matches()) {
        out.add(cut(m.group(2)));
      }
    }
    return out;
  }

  /** The command's own words: up to a pipe, redirection, comment, background or sequence. */
  private static String cut(String s) {
    StringBuilder b = new StringBuilder();
    char quote = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == '|' || c == '>' || c == '&' || c == ';' || c == '<'
          || (c == '#' && (i == 0 || s.charAt(i - 1) == ' '))) {
        break;
      }
      b.append(c);
    }
    return b.toString().strip().replaceAll("\\s+2$", "");
  }

  /** Shell words, quotes removed. */
  static List<String> words(String s) {
    List<String> words = new ArrayList<>();
    StringBuilder w = new StringBuilder();
    char quote = 0;
    boolean any = false;
    for (char c : s.toCharArray()) {
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else {
          w.append(c);
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
        any = true;
      } else if (Character.isWhitespace(c)) {
        if (any || w.length() > 0) {
          words.add(w.toString());
        }
        w.setLength(0);
        any = false;
      } else {
        w.append(c);
      }
    }
    if (any || w.length() > 0) {
      words.add(w.toString());
    }
    return words;
  }

  private static String withoutCode(String markdown) {
    return markdown.replaceAll("(?s)```.*?```", "").replaceAll("`[^`\n]*`", "");
  }

  /** GitHub's anchors of a page's headings. */
  static Set<String> anchors(Path page) throws IOException {
    Set<String> anchors = new HashSet<>();
    boolean inBlock = false;
    for (String line : Files.readAllLines(page, StandardCharsets.UTF_8)) {
      if (line.strip().startsWith("```")) {
        inBlock = !inBlock;
      }
      if (!inBlock && line.startsWith("#")) {
        String heading = line.replaceFirst("^#+\\s*", "").strip();
        String a = heading.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
        String unique = a;
        for (int n = 1; !anchors.add(unique); n++) {
          unique = a + "-" + n;
        }
      }
    }
    return anchors;
  }
}
