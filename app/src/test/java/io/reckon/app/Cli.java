package io.reckon.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs the CLI in-process and reads the shipped files, for the command tests. */
final class Cli {
  private Cli() {}

  record Result(int status, String out, String err) {}

  static Result reckon(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(status, out.toString(), err.toString());
  }

  static Path root() {
    return Path.of(System.getProperty("reckon.root", "..")).toAbsolutePath().normalize();
  }

  /** The first {@code perLevel} questions of every level of a shipped split, as a file in dir. */
  static Path smallData(Path dir, String split, int perLevel) throws IOException {
    List<String> lines = Files.readAllLines(root().resolve("data/arith/" + split));
    List<String> picked = new ArrayList<>();
    for (int level = 1; level <= 6; level++) {
      String tag = "\"level\": " + level + "}";
      lines.stream().filter(l -> l.contains(tag)).limit(perLevel).forEach(picked::add);
    }
    Path file = dir.resolve("small-" + split);
    Files.write(file, picked, StandardCharsets.UTF_8);
    return file;
  }

  /** Bad input: status 2 and one line naming the problem, no stack trace. */
  static void assertBadInput(Result r, String... fragments) {
    assertThat(r.status()).as(r.err()).isEqualTo(Main.BAD_INPUT);
    String message = r.err().strip();
    assertThat(message).as("one line, no stack trace").doesNotContain("\n").doesNotContain("\tat ");
    for (String f : fragments) {
      assertThat(message).contains(f);
    }
  }
}
