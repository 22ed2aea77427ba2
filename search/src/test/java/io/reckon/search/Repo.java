package io.reckon.search;

import io.reckon.protocol.Question;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The repository's shipped files, for tests (surefire passes the root as {@code reckon.root}). */
public final class Repo {
  private static final Pattern LINE = Pattern.compile(
      "\\{\"id\": \"([^\"]+)\", \"question\": \"([^\"]+)\", \"answer\": \"([^\"]+)\", \"level\": (\\d+)}");

  private Repo() {}

  static Path root() {
    String root = System.getProperty("reckon.root");
    if (root != null && !root.isBlank()) {
      return Path.of(root);
    }
    // run from an IDE without surefire: the first ancestor that holds data/arith
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.isDirectory(p.resolve("data/arith"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException("cannot find the repository root: set -Dreckon.root");
    }
    return p;
  }

  /**
   * The shipped question sets, read without Jackson (search has no JSON dependency): they are
   * written one object per line in a fixed shape, which runtime's Dataset tests check.
   */
  public static List<Question> questions(String file) {
    try {
      List<Question> out = new ArrayList<>();
      for (String line : Files.readAllLines(root().resolve("data/arith").resolve(file))) {
        if (line.isBlank()) {
          continue;
        }
        Matcher m = LINE.matcher(line.strip());
        if (!m.matches()) {
          throw new IllegalStateException(file + ": unexpected line " + line);
        }
        out.add(new Question(m.group(1), m.group(2), m.group(3), Integer.parseInt(m.group(4))));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
