package io.reckon.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Runs that start: what they write, with which mode, where, and how they stop. */
@Timeout(120)
class CliHardeningRunTest {
  @TempDir Path dir;

  private Path data(int n) throws IOException {
    List<String> lines = Files.readAllLines(Cli.root().resolve("data/arith/test.jsonl"));
    List<String> picked = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      picked.add(lines.get(i % lines.size()).replaceFirst("\"id\": \"([^\"]*)\"", "\"id\": \"$1-" + i + "\""));
    }
    Path f = dir.resolve("q.jsonl");
    Files.write(f, picked, StandardCharsets.UTF_8);
    return f;
  }

  private static List<String> tempFiles(Path d) throws IOException {
    try (Stream<Path> s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList();
    }
  }

  @Test
  void resultsGetTheModeAPlainWriteGives() throws IOException {
    Path data = data(6);
    Path results = dir.resolve("r.jsonl");
    Cli.Result r = Cli.reckon("run", "--backend", "synthetic", "--data", data.toString(),
        "--budget", "4", "--out", results.toString());
    assertThat(r.status()).as(r.err()).isEqualTo(0);
    assertThat(Files.readAllLines(results)).hasSize(6);
    Path plain = dir.resolve("plain");
    try (OutputStream o = Files.newOutputStream(plain, StandardOpenOption.CREATE_NEW)) {
      o.write(1);
    }
    assertThat(Files.getPosixFilePermissions(results)).isEqualTo(Files.getPosixFilePermissions(plain));
    assertThat(tempFiles(dir)).isEmpty();

    // An existing file keeps its own mode.
    Set<PosixFilePermission> mode = PosixFilePermissions.fromString("rw-r-----");
    Files.setPosixFilePermissions(results, mode);
    r = Cli.reckon("run", "--backend", "synthetic", "--data", data.toString(),
        "--budget", "4", "--out", results.toString());
    assertThat(r.status()).as(r.err()).isEqualTo(0);
    assertThat(Files.getPosixFilePermissions(results)).isEqualTo(mode);
  }

  @Test
  void aDeviceIsWrittenNotReplaced() throws IOException {
    Path devNull = Path.of("/dev/null");
    Cli.Result r = Cli.reckon("run", "--backend", "synthetic", "--data", data(3).toString(),
        "--budget", "4", "--out", devNull.toString());
    assertThat(r.status()).as(r.err()).isEqualTo(0);
    assertThat(Files.isRegularFile(devNull)).isFalse();
    assertThat(Files.exists(devNull)).isTrue();
    assertThat(tempFiles(Path.of("/dev"))).isEmpty();
  }

  @Test
  void manyWorkersAreSummarisedPerKind() throws IOException {
    Cli.Result r = Cli.reckon("run", "--backend", "synthetic", "--data", data(3).toString(),
        "--budget", "4", "--workers", "200", "--out", dir.resolve("r.jsonl").toString());
    assertThat(r.status()).as(r.err()).isEqualTo(0);
    assertThat(r.out()).contains("200 workers");
    assertThat(r.out().lines().count()).isLessThan(40);
  }

  @Test
  void failedQuestionsExitWithTheirOwnStatus() throws IOException {
    System.setProperty("reckon.question.timeout", "1ms");
    ConfigFactory.invalidateCaches();
    Cli.Result r;
    Path results = dir.resolve("r.jsonl");
    try {
      r = Cli.reckon("run", "--backend", "synthetic", "--data", data(4).toString(),
          "--budget", "16", "--out", results.toString());
    } finally {
      System.clearProperty("reckon.question.timeout");
      ConfigFactory.invalidateCaches();
    }
    assertThat(r.status()).as(r.err()).isEqualTo(Main.QUESTIONS_FAILED);
    assertThat(r.out()).contains("questions failed");
    assertThat(Files.readString(results)).contains("timed out after 1ms").doesNotContain("PT");
  }

  /** SIGTERM (what a scheduler or Ctrl-\ sends) stops a long run promptly and leaves no temporary file. */
  @Test
  void sigtermStopsARunAndCleansUp() throws Exception {
    Path data = data(3000);
    Path results = dir.resolve("r.jsonl");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // The run is journaled (the default): to a store of the test's own, not reckon-data/ in the
    // working tree.
    Process p = new ProcessBuilder(java, "-Xmx512m",
        "-Dreckon.store.dir=" + dir.resolve("store"), "-cp", System.getProperty("java.class.path"),
        "io.reckon.app.Main", "run", "--backend", "synthetic", "--data", data.toString(),
        "--budget", "1024", "--out", results.toString())
        .directory(Cli.root().toFile())
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("child.log").toFile())
        .start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      // A journaled run (the default) prints its id once the run has started; its results file
      // is written from the journal only at the end, so there is no temporary file before that.
      while (!Files.readString(dir.resolve("child.log")).startsWith("run ") && p.isAlive()
          && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertThat(Files.readString(dir.resolve("child.log"))).startsWith("run ");
      Thread.sleep(1500); // into the run proper
      p.destroy(); // SIGTERM
      assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("exits within 20 s of SIGTERM").isTrue();
      assertThat(tempFiles(dir)).isEmpty();
      assertThat(results).doesNotExist();
      assertThat(p.exitValue()).isEqualTo(143);
      assertThat(Files.readString(dir.resolve("child.log"))).contains("stopped before the end")
          .contains("'reckon resume ")
          .doesNotContain("Exception");
    } finally {
      p.destroyForcibly();
    }
  }
}
