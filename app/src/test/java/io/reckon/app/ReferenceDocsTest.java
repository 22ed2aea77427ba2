package io.reckon.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The generated references are what the code and config/ say now. */
class ReferenceDocsTest {

  @Test
  void generatedPagesAreCurrent() throws IOException {
    for (Map.Entry<Path, String> page : ReferenceDocs.render(Cli.root()).entrySet()) {
      Path file = page.getKey();
      String name = Cli.root().relativize(file).toString();
      assertThat(file).as(name + " is missing: run " + ReferenceDocs.REGENERATE).exists();
      assertThat(Files.readString(file, StandardCharsets.UTF_8))
          .as(name + " is stale (the commands or config/ changed since it was generated): run "
              + ReferenceDocs.REGENERATE + " and commit the result")
          .isEqualTo(page.getValue());
    }
  }

  @Test
  void everyReckonVariableIsDocumented() throws IOException {
    String reference = Files.readString(Cli.root().resolve("docs/configuration.md"));
    Set<String> used = new TreeSet<>();
    Pattern variable = Pattern.compile("\\bRECKON_[A-Z0-9_]*[A-Z0-9]\\b");
    try (Stream<Path> files = Files.walk(Cli.root())) {
      for (Path f : (Iterable<Path>) files::iterator) {
        String p = Cli.root().relativize(f).toString();
        boolean product = (p.contains("/src/main/") && p.endsWith(".java"))
            || (p.startsWith("config/") && !Files.isDirectory(f)) || p.equals("dist/src/bin/reckon");
        if (!product || p.contains("/target/")) {
          continue;
        }
        Matcher m = variable.matcher(Files.readString(f, StandardCharsets.UTF_8));
        while (m.find()) {
          used.add(m.group());
        }
      }
    }
    assertThat(used).isNotEmpty();
    for (String v : used) {
      assertThat(reference)
          .as(v + " is read by the product but not in docs/configuration.md: give it a "
              + "${?" + v + "} line in config/ or an entry in ReferenceDocs.CODE_VARIABLES, then run "
              + ReferenceDocs.REGENERATE)
          .contains("`" + v + "`");
    }
  }
}
