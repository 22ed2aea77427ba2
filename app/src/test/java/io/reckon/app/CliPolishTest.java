package io.reckon.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What a newcomer meets first: versions, typos, help, completion, -D and the configuration. */
class CliPolishTest {
  @TempDir Path dir;

  @Test
  void everyCommandPrintsTheVersionWithItsRuntimes() {
    CommandLine root = Main.commandLine(new Main());
    assertThat(root.getSubcommands()).containsKeys("run", "serve", "worker", "cancel", "config",
        "completion", "help");
    for (String name : root.getSubcommands().keySet()) {
      if (name.equals("help")) {
        continue;
      }
      Cli.Result r = Cli.reckon(name, "--version");
      assertThat(r.status()).as(name).isZero();
      assertThat(r.out()).as(name).contains("reckon ").contains("commit ").contains("built ")
          .contains("Apache Pekko 1.7.0").contains("ONNX Runtime ");
    }
  }

  @Test
  void aMistypedCommandOrOptionGetsTheNearestSpelling() {
    Cli.assertBadInput(Cli.reckon("rn"), "unknown command 'rn'", "did you mean 'run'");
    Cli.assertBadInput(Cli.reckon("serv"), "did you mean 'serve'");
    Cli.assertBadInput(Cli.reckon("run", "--buget", "3"), "'--buget'", "did you mean '--budget'");
  }

  @Test
  void helpNamesACommandsOptionsAndNoInternalTrackerWords() {
    Cli.Result r = Cli.reckon("help", "runs");
    assertThat(r.status()).isZero();
    assertThat(r.out()).contains("Usage: reckon runs").contains("--json").contains("--limit");
    CommandLine root = Main.commandLine(new Main());
    for (CommandLine c : root.getSubcommands().values()) {
      assertThat(c.getUsageMessage(CommandLine.Help.Ansi.OFF).toLowerCase(java.util.Locale.ROOT))
          .as(c.getCommandName()).doesNotContain("issue");
    }
  }

  @Test
  void completionScriptsAreGeneratedForBashAndZsh() {
    Cli.Result bash = Cli.reckon("completion");
    assertThat(bash.status()).isZero();
    assertThat(bash.out()).contains("complete -F").contains("serve").contains("--seed-nodes");
    Cli.Result zsh = Cli.reckon("completion", "zsh");
    assertThat(zsh.out()).startsWith("autoload -U +X compinit").contains("bashcompinit");
    Cli.assertBadInput(Cli.reckon("completion", "fish"), "SHELL must be bash or zsh");
  }

  @Test
  void dashDAfterTheCommandSetsASettingForThatCommandOnly() {
    Cli.Result r = Cli.reckon("config", "reckon.run.seed", "-Dreckon.run.seed=7");
    assertThat(r.status()).as(r.err()).isZero();
    assertThat(r.out()).containsPattern("reckon\\.run\\.seed = \"7\" +# -Dreckon\\.run\\.seed");
    assertThat(System.getProperty("reckon.run.seed")).as("undone after the command").isNull();
    Cli.assertBadInput(Cli.reckon("run", "-Dreckon.run.sed=7"),
        "-Dreckon.run.sed: there is no such setting", "did you mean reckon.run.seed?");
  }

  @Test
  void aSettingOfTheWrongTypeNamesItsFullKeyAndVariable() {
    Cli.assertBadInput(Cli.reckon("run", "--backend", "synthetic", "-Dreckon.run.concurrency=lots"),
        "reckon run: configuration: reckon.run.concurrency must be a number like 64, but "
            + "-Dreckon.run.concurrency is \"lots\" (env RECKON_CONCURRENCY)");
    Cli.assertBadInput(Cli.reckon("runs", "-Dreckon.store.connect-timeout=soon"),
        "reckon.store.connect-timeout must be a duration like \"10s\"", "RECKON_STORE_CONNECT_TIMEOUT");
  }

  @Test
  void configShowsOriginsLayersTheUserFileAndMasksSecrets() throws Exception {
    Path mine = dir.resolve("mine.conf");
    Files.writeString(mine, "reckon.run.seed = 9\n"
        + "reckon.store.password = \"s3cret\"\n"
        + "reckon.store.url = \"jdbc:postgresql://ann:pw@db:5432/reckon\"\n");
    Cli.Result r = Cli.reckon("config", "--config", mine.toString(), "reckon.store");
    assertThat(r.status()).as(r.err()).isZero();
    assertThat(r.out()).contains("# then " + mine.toAbsolutePath() + " (--config)")
        .contains("reckon.store.password = \"********\" (masked)")
        .contains("jdbc:postgresql://ann:********@db:5432/reckon")
        .containsPattern("reckon\\.store\\.kind = \"?h2\"? +# the built-in persistence\\.conf:\\d+")
        .doesNotContain("s3cret").doesNotContain(":pw@");

    // RECKON_CONFIG does the same; --config wins over it.
    StringWriter out = new StringWriter();
    int status = Main.execute(new String[] {"config", "reckon.run.seed"}, new PrintWriter(out, true),
        new PrintWriter(new StringWriter(), true), Map.of("RECKON_CONFIG", mine.toString())::get);
    assertThat(status).isZero();
    assertThat(out.toString()).containsPattern("reckon\\.run\\.seed = 9 +# " + mine.toAbsolutePath() + ":1")
        .contains("(RECKON_CONFIG)");
    Cli.assertBadInput(Cli.reckon("config", "--config", dir.resolve("none.conf").toString()),
        "--config names", "none.conf, which is not a file");
    Cli.assertBadInput(Cli.reckon("config", "reckon.rn"), "no setting starts with reckon.rn",
        "did you mean reckon.run");
  }

  @Test
  void theTypeCheckPassesTheShippedSettingsAndNamesEveryBadOne() {
    com.typesafe.config.Config base = com.typesafe.config.ConfigFactory.load();
    ConfigCheck.check(base);
    java.util.Map<String, String> bad = new java.util.LinkedHashMap<>();
    bad.put("reckon.workers.batch-size", "\"many\"");
    bad.put("reckon.workers.linger", "\"a while\"");
    bad.put("reckon.limits.max-line-bytes", "\"big\"");
    bad.put("reckon.serve.max-body", "\"huge\"");
    bad.put("reckon.models.onnx.top-p", "[]");
    for (java.util.Map.Entry<String, String> e : bad.entrySet()) {
      com.typesafe.config.Config c = com.typesafe.config.ConfigFactory
          .parseString(e.getKey() + " = " + e.getValue()).withFallback(base).resolve();
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> ConfigCheck.check(c))
          .as(e.getKey()).isInstanceOf(Main.BadInput.class)
          .hasMessageStartingWith("configuration: " + e.getKey() + " must be ")
          .hasMessageNotContaining("\n");
    }
  }
}
