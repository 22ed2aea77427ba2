package io.reckon.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code reckon runs prune}: says what it freed; a bad age is one line. */
class RunsPruneCommandTest {
  @Test
  void prunesAndSaysHowMuchItFreed() {
    Cli.Result dry = Cli.reckon("runs", "prune", "--older-than", "30d", "--dry-run");
    assertThat(dry.status()).as(dry.err()).isZero();
    assertThat(dry.out()).startsWith("would prune 0 runs: 0 events (0 B) and 0 snapshots (0 B)")
        .contains("RunsPruneCommandTest"); // the store of this class (StorePerClass)
    Cli.Result real = Cli.reckon("runs", "prune", "--older-than", "12h");
    assertThat(real.status()).as(real.err()).isZero();
    assertThat(real.out()).startsWith("pruned 0 runs");
  }

  @Test
  void aBadAgeIsOneLine() {
    Cli.assertBadInput(Cli.reckon("runs", "prune", "--older-than", "a month"),
        "--older-than", "30d");
  }
}
