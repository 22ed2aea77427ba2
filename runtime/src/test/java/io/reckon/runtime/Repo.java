package io.reckon.runtime;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository root, for tests that read shipped files (surefire sets {@code reckon.root}). */
public final class Repo {
  private Repo() {}

  public static Path root() {
    String root = System.getProperty("reckon.root");
    if (root != null && !root.isBlank()) {
      return Path.of(root);
    }
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.isDirectory(p.resolve("data/arith"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException("cannot find the repository root: set -Dreckon.root");
    }
    return p;
  }

  public static Path arith(String file) {
    return root().resolve("data/arith").resolve(file);
  }
}
