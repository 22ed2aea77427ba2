package io.reckon.app;

import io.reckon.runtime.UserMessages;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A file a command writes, checked before any work: never one of the command's inputs, never a
 * directory, in a directory that exists. A regular file is written whole to a temporary file
 * beside it and moved into place, so a reader never sees half of it and a failed or stopped run
 * leaves the old file as it was; the temporary file gets the mode a plain write would give (the
 * existing file's, or what the umask allows), not the owner-only mode of a temp file. A device or
 * a pipe ({@code /dev/stdout}, {@code /dev/null}, a FIFO) is written directly: renaming onto it
 * would replace it.
 */
final class OutputTarget {
  // The file system's usual limit on one name (NAME_MAX), in bytes.
  static final int MAX_NAME_BYTES = 255;
  private static final AtomicLong SEQUENCE = new AtomicLong();

  private final String option;
  private final Path target;
  private final boolean direct;
  private volatile Path temp;

  private OutputTarget(String option, Path target, boolean direct) {
    this.option = option;
    this.target = target;
    this.direct = direct;
  }

  /**
   * Checks that {@code out} can be written and clobbers none of {@code inputs}.
   *
   * @param inputs option name to file, e.g. {@code "--data" -> questions.jsonl}; null files are skipped
   * @throws Main.BadInput naming the option and the real problem
   */
  static OutputTarget check(String option, Path out, Map<String, Path> inputs) {
    String shown = option + " " + out;
    if (out.toString().isBlank()) {
      throw new Main.BadInput(option + " is empty: name a file");
    }
    if (Files.isDirectory(out)) {
      throw new Main.BadInput(shown + " is a directory: name a file in it");
    }
    Path name = out.getFileName();
    if (name == null) {
      throw new Main.BadInput(shown + ": name a file");
    }
    int bytes = name.toString().getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_NAME_BYTES) {
      throw new Main.BadInput(option + ": the file name is " + bytes + " bytes long, more than the "
          + MAX_NAME_BYTES + " a file system allows in one name");
    }
    for (Map.Entry<String, Path> in : inputs.entrySet()) {
      if (in.getValue() != null && sameFile(out, in.getValue())) {
        throw new Main.BadInput(shown + " is the same file as " + in.getKey() + " " + in.getValue()
            + ": writing it would overwrite that input; choose another " + option);
      }
    }
    boolean exists = Files.exists(out);
    if (exists && !Files.isRegularFile(out)) {
      if (!Files.isWritable(out)) {
        throw new Main.BadInput(shown + ": cannot write to it: permission denied");
      }
      return new OutputTarget(option, out, true);
    }
    Path real = out;
    if (exists) {
      try {
        real = out.toRealPath(); // a symbolic link is written through, as a plain write would
      } catch (IOException e) {
        throw new Main.BadInput(shown + ": " + UserMessages.io(e));
      }
    }
    Path dir = real.toAbsolutePath().getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      throw new Main.BadInput(shown + ": directory " + dir + " does not exist");
    }
    if (!Files.isWritable(dir)) {
      throw new Main.BadInput(shown + ": cannot write in directory " + dir + ": permission denied");
    }
    return new OutputTarget(option, real.toAbsolutePath(), false);
  }

  /** Shorthand for one input. */
  static OutputTarget check(String option, Path out, String inputOption, Path input) {
    return check(option, out, input == null ? Map.of() : Map.of(inputOption, input));
  }

  private static boolean sameFile(Path out, Path in) {
    try {
      if (Files.exists(out) && Files.exists(in)) {
        return Files.isSameFile(out, in);
      }
      return out.toAbsolutePath().normalize().equals(in.toAbsolutePath().normalize());
    } catch (IOException | SecurityException e) {
      return false;
    }
  }

  Path path() {
    return target;
  }

  /** Whether the target is written in place (a device or a pipe). */
  boolean direct() {
    return direct;
  }

  /** Opens the stream to write; for a regular file, a new temporary file beside the target. */
  OutputStream open() throws IOException {
    if (direct) {
      return Files.newOutputStream(target, StandardOpenOption.WRITE);
    }
    // A short name of its own: one derived from a long target name could exceed NAME_MAX.
    Path tmp = target.resolveSibling(
        ".reckon-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet() + ".tmp");
    OutputStream stream;
    try {
      stream = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new Main.BadInput(option + " " + target + ": cannot write in " + target.getParent()
          + ": " + UserMessages.io(e));
    }
    temp = tmp;
    if (Files.exists(target)) {
      try { // an existing file keeps its mode, as it would under a plain write
        Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(target));
      } catch (UnsupportedOperationException | IOException e) {
        // not a POSIX file system: the default mode stays
      }
    }
    return stream;
  }

  /** A UTF-8 writer over {@link #open}. */
  Writer writer() throws IOException {
    return new BufferedWriter(new OutputStreamWriter(open(), StandardCharsets.UTF_8), 1 << 16);
  }

  /** Moves the written temporary file into place (nothing to do for a device or a pipe). */
  void commit() throws IOException {
    Path tmp = temp;
    if (direct || tmp == null) {
      return;
    }
    try {
      try {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      temp = null;
    } catch (IOException e) {
      throw new Main.BadInput(option + " " + target + ": cannot write it: " + UserMessages.io(e));
    } finally {
      abort();
    }
  }

  /** Deletes the temporary file, if any; safe to call from a shutdown hook and more than once. */
  void abort() {
    Path tmp = temp;
    if (tmp != null) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // best effort: a leftover is named .reckon-<pid>-<n>.tmp
      }
    }
  }

  /** Writes {@code text} whole (opened, written, committed; the temporary file removed on failure). */
  void write(String text) {
    try {
      try (Writer w = writer()) {
        w.write(text);
      }
      commit();
    } catch (IOException e) {
      abort();
      throw new Main.BadInput(option + " " + target + ": cannot write it: " + UserMessages.io(e));
    } catch (RuntimeException e) {
      abort();
      throw e;
    }
  }

  /** True when two targets name the same file (e.g. --out and the summary beside it). */
  boolean sameAs(OutputTarget other) {
    return Objects.equals(target.toAbsolutePath().normalize(), other.target.toAbsolutePath().normalize());
  }

  static Map<String, Path> inputs(Object... optionAndPath) {
    java.util.LinkedHashMap<String, Path> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i + 1 < optionAndPath.length; i += 2) {
      if (optionAndPath[i + 1] != null) {
        m.put((String) optionAndPath[i], (Path) optionAndPath[i + 1]);
      }
    }
    return m;
  }
}
