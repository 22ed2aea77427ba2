package io.reckon.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution as a user gets it: the tarball unpacked in a temporary folder, bin/reckon run
 * from another folder (so the shipped models and data must be found through the launcher, not the
 * working directory), config/ read at run time.
 */
class DistributionIT {
  @TempDir static Path tmp;
  static Path home;

  @BeforeAll
  static void unpack() throws Exception {
    Path tarball = Path.of(System.getProperty("reckon.dist.tarball"));
    assertThat(tarball).as("mvn package builds it").isRegularFile();
    Path into = Files.createDirectories(tmp.resolve("opt"));
    Result r = exec(into, Map.of(), "tar", "-xzf", tarball.toString());
    assertThat(r.status()).as(r.err()).isZero();
    home = into.resolve("reckon-" + System.getProperty("reckon.dist.version"));
    for (String part : List.of("bin/reckon", "lib/reckon.jar", "config/application.conf",
        "config/logback.xml", "models/arith-policy/model.onnx", "models/arith-prm/model.onnx",
        "models/policy.json", "data/arith/test.jsonl", "LICENSE", "NOTICE", "README.md")) {
      assertThat(home.resolve(part)).as(part).exists();
    }
    assertThat(Files.getPosixFilePermissions(home.resolve("bin/reckon")))
        .contains(PosixFilePermission.OWNER_EXECUTE);
  }

  @Test
  void runsTheSyntheticBackendFromAnotherDirectory() throws Exception {
    Path work = Files.createDirectories(tmp.resolve("work"));
    Result r = reckon(work, Map.of(), "run", "--backend", "synthetic", "--budget", "4");
    assertThat(r.status()).as(r.err()).isZero();
    // The shipped test questions came from the distribution; results and store from here.
    List<String> results = Files.readAllLines(work.resolve("results.jsonl"));
    assertThat(results).hasSize(1200);
    assertThat(r.out().lines().findFirst().orElseThrow()).matches("run \\d{6}-\\d{6}-[a-z0-9]{4}");
    assertThat(work.resolve("reckon-data")).isDirectory();
    assertThat(home.resolve("reckon-data")).doesNotExist();
    Result runs = reckon(work, Map.of(), "runs", "--json");
    assertThat(runs.status()).as(runs.err()).isZero();
    assertThat(runs.out()).contains("\"state\" : \"finished\"");
  }

  @Test
  void printsTheEffectiveConfigurationAndReadsEditsWithoutARebuild() throws Exception {
    Path work = Files.createDirectories(tmp.resolve("config-work"));
    Result r = reckon(work, Map.of(), "config");
    assertThat(r.status()).as(r.err()).isZero();
    String conf = home.resolve("config").toString();
    assertThat(r.out())
        .contains("# read " + home.resolve("config/application.conf"))
        .containsPattern("reckon\\.run\\.concurrency = 64 +# " + java.util.regex.Pattern.quote(conf)
            + "/application\\.conf:\\d+")
        // Shipped paths resolve against the distribution when the working directory lacks them.
        .contains("reckon.models.policy = \"" + home.resolve("models/arith-policy") + "\"")
        .containsPattern("# models/arith-policy \\(" + java.util.regex.Pattern.quote(conf)
            + "/models\\.conf:\\d+\\) read from the distribution");

    // An edit of the distribution's config/ counts at once.
    Path app = home.resolve("config/application.conf");
    String original = Files.readString(app);
    try {
      Files.writeString(app, original.replace("concurrency = 64", "concurrency = 7"));
      Result edited = reckon(work, Map.of(), "config", "reckon.run.concurrency");
      assertThat(edited.out()).contains("reckon.run.concurrency = 7");
    } finally {
      Files.writeString(app, original);
    }

    // RECKON_CONFIG adds a file of overrides; a variable and -D after the command win over it.
    Path mine = work.resolve("mine.conf");
    Files.writeString(mine, "reckon.run.seed = 11\nreckon.store.password = \"hunter2\"\n");
    Result layered = reckon(work, Map.of("RECKON_CONFIG", mine.toString(), "RECKON_PROBE_SAMPLES", "2"),
        "config", "-Dreckon.workers.count=3");
    assertThat(layered.status()).as(layered.err()).isZero();
    assertThat(layered.out())
        .contains("# then " + mine + " (RECKON_CONFIG)")
        .containsPattern("reckon\\.run\\.seed = 11 +# " + java.util.regex.Pattern.quote(mine.toString()) + ":1")
        .containsPattern("reckon\\.question\\.probe-samples = \"?2\"? +# RECKON_PROBE_SAMPLES")
        .containsPattern("reckon\\.workers\\.count = \"?3\"? +# -Dreckon\\.workers\\.count")
        .contains("reckon.store.password = \"********\" (masked)")
        .doesNotContain("hunter2");
  }

  @Test
  void versionAndBadInputAreOneLineEach() throws Exception {
    Result v = reckon(tmp, Map.of(), "run", "--version");
    assertThat(v.status()).isZero();
    assertThat(v.out()).contains("reckon " + System.getProperty("reckon.dist.version"))
        .contains("commit ").contains("Apache Pekko 1.7.0").contains("ONNX Runtime");
    Result typo = reckon(tmp, Map.of("RECKON_CONCURRENCY", "lots"), "config");
    assertThat(typo.status()).isEqualTo(2);
    assertThat(typo.err().strip())
        .isEqualTo("reckon config: configuration: reckon.run.concurrency must be a number like 64, "
            + "but RECKON_CONCURRENCY is \"lots\" (env RECKON_CONCURRENCY)");
  }

  record Result(int status, String out, String err) {}

  static Result reckon(Path dir, Map<String, String> env, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(home.resolve("bin/reckon").toString());
    command.addAll(List.of(args));
    Map<String, String> withJava = new java.util.HashMap<>(env);
    withJava.put("JAVA_HOME", System.getProperty("java.home"));
    // Small machines run the test suite: the launcher's share of memory is more than needed.
    withJava.putIfAbsent("JAVA_OPTS", "-Xmx512m");
    return exec(dir, withJava, command.toArray(String[]::new));
  }

  static Result exec(Path dir, Map<String, String> env, String... command)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("RECKON_"));
    pb.environment().putAll(env);
    Path out = Files.createTempFile(tmp, "out", ".txt");
    Path err = Files.createTempFile(tmp, "err", ".txt");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process p = pb.start();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("timed out: " + String.join(" ", command));
    }
    return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }
}
