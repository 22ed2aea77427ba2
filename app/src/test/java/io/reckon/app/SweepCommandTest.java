package io.reckon.app;

import static io.reckon.app.Cli.assertBadInput;
import static io.reckon.app.Cli.reckon;
import static org.assertj.core.api.Assertions.assertThat;

import io.reckon.search.policy.Policy;
import io.reckon.search.policy.SweepResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SweepCommandTest {
  @TempDir Path dir;

  @Test
  void writesTheSweepAndAPolicyARunAccepts() throws IOException {
    Path data = Cli.smallData(dir, "validation.jsonl", 2);
    Path policy = dir.resolve("policy.json");
    Path sweep = dir.resolve("val-sweep.json");
    Cli.Result r = reckon("sweep", "--data", data.toString(), "--budgets", "1,2,4",
        "--grid", "weighted-bon;majority", "--grid", "beam:m=2", "--out", policy.toString(),
        "--sweep-out", sweep.toString(), "--seed", "1", "--bins", "3");
    assertThat(r.status()).as(r.err()).isZero();
    assertThat(r.err()).contains("pool", "search", "12/12 questions");
    assertThat(r.out()).contains("predicted-difficulty thresholds", "best configuration");

    SweepResult s = PolicyFiles.readSweep(sweep);
    assertThat(s.questions()).hasSize(12);
    assertThat(s.configs()).containsExactly(
        "best-of-n:sel=weighted,agg=last", "best-of-n:sel=majority,agg=last", "beam:m=2,agg=last");
    Policy p = PolicyFiles.readPolicy(policy);
    assertThat(p.models()).isEqualTo(List.of("synthetic", "synthetic"));
    assertThat(p.bins()).hasSize(3);
    assertThat(p.budgets()).containsExactly(1, 2, 4);
    try (var files = Files.list(dir)) {
      assertThat(files.map(f -> f.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
    }
  }

  @Test
  void badInputIsOneLine() throws IOException {
    Path data = Cli.smallData(dir, "validation.jsonl", 1);
    assertBadInput(reckon("sweep", "--data", data.toString(), "--budgets", "4,2",
        "--sweep-out", dir.resolve("s.json").toString()), "--budgets must be ascending");
    assertBadInput(reckon("sweep", "--data", data.toString(), "--grid", "telepathy",
        "--sweep-out", dir.resolve("s.json").toString()), "unknown strategy 'telepathy'");
    assertBadInput(reckon("sweep", "--data", data.toString(), "--budgets", "1,2", "--pool", "1",
        "--sweep-out", dir.resolve("s.json").toString()), "--pool");
    assertBadInput(reckon("sweep", "--data", dir.resolve("none.jsonl").toString(),
        "--sweep-out", dir.resolve("s.json").toString()), "not found");
    assertBadInput(reckon("sweep", "--data", data.toString(),
        "--out", dir.resolve("missing/p.json").toString()), "does not exist");
    Path noAnswer = dir.resolve("noanswer.jsonl");
    Files.writeString(noAnswer, "{\"id\": \"a\", \"question\": \"1+2\"}\n");
    assertBadInput(reckon("sweep", "--data", noAnswer.toString(),
        "--sweep-out", dir.resolve("s.json").toString()), "'a' has no answer");
    assertThat(dir.resolve("s.json")).doesNotExist();
  }
}
