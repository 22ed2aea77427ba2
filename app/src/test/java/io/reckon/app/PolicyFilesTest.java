package io.reckon.app;

import static io.reckon.app.Cli.assertBadInput;
import static io.reckon.app.Cli.reckon;
import static org.assertj.core.api.Assertions.assertThat;

import io.reckon.runtime.JsonFiles;
import io.reckon.search.policy.Policy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyFilesTest {
  @TempDir Path dir;

  private Path write(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  private Cli.Result runWith(Path policy) {
    return reckon("run", "--strategy", "compute-optimal", "--policy", policy.toString(),
        "--data", Cli.root().resolve("data/arith/test.jsonl").toString(),
        "--out", dir.resolve("out.jsonl").toString());
  }

  @Test
  void aPolicyRoundTripsThroughItsFile() {
    Policy policy = Policies.handMade(List.of("synthetic", "synthetic"));
    Path file = dir.resolve("policy.json");
    JsonFiles.write(file, policy);
    Policy back = PolicyFiles.readPolicy(file);
    assertThat(back).isEqualTo(policy);
    assertThat(back.choose(2, 8).name()).isEqualTo(policy.choose(2, 8).name());
    assertThat(back.curve(3)).isEqualTo(policy.curve(3));
  }

  @Test
  void malformedJsonIsNamedWithItsPosition() throws IOException {
    String good = JsonFiles.toJson(Policies.handMade(List.of("synthetic", "synthetic")));
    Path cut = write("cut.json", good.substring(0, good.length() / 2));
    assertBadInput(runWith(cut), "cut.json", "malformed JSON", "line ");
    Path junk = write("junk.json", "{\"models\": [\"synthetic\"], oops}");
    assertBadInput(runWith(junk), "junk.json", "malformed JSON", "line 1, column");
  }

  @Test
  void aMissingFieldIsNamed() throws IOException {
    String good = JsonFiles.toJson(Policies.handMade(List.of("synthetic", "synthetic")));
    Path missing = write("missing.json", good.replaceFirst("\"probeSize\" : 4,", ""));
    assertBadInput(runWith(missing), "missing.json", "probeSize");
  }

  @Test
  void aWrongTypeIsNamedWithItsPath() throws IOException {
    String good = JsonFiles.toJson(Policies.handMade(List.of("synthetic", "synthetic")));
    Path wrong = write("wrong.json", good.replaceFirst("\"probeSize\" : 4", "\"probeSize\" : \"four\""));
    assertBadInput(runWith(wrong), "wrong.json", "probeSize");
    Path list = write("list.json", good.replaceFirst("\"budgets\" : \\[ 4, 8, 16 \\]", "\"budgets\" : 16"));
    assertBadInput(runWith(list), "list.json", "budgets");
    Path unknown = write("unknown.json", good.replaceFirst("\"probeSize\"", "\"extra\" : 1, \"probeSize\""));
    assertBadInput(runWith(unknown), "unknown.json", "unknown field 'extra'");
  }

  @Test
  void anInconsistentPolicyIsRefusedWithTheField() throws IOException {
    String good = JsonFiles.toJson(Policies.handMade(List.of("synthetic", "synthetic")));
    // Thresholds for 2 bins, a table of 3.
    Path inconsistent = write("inconsistent.json",
        good.replaceFirst("\"thresholds\" : \\[ 0.4, 0.6 \\]", "\"thresholds\" : [ 0.5 ]"));
    assertBadInput(runWith(inconsistent), "inconsistent.json", "policy:");
    Path badConfig = write("config.json", good.replaceFirst("dvts:m=4,agg=last", "telepathy"));
    assertBadInput(runWith(badConfig), "config.json", "unknown strategy 'telepathy'");
  }

  @Test
  void aPolicyForOtherModelsIsRefused() {
    Path file = dir.resolve("other.json");
    JsonFiles.write(file, Policies.handMade(List.of("arith-policy", "arith-prm")));
    assertBadInput(runWith(file), "other.json", "learned with models [arith-policy, arith-prm]",
        "[synthetic, synthetic]");
    assertThat(dir.resolve("out.jsonl")).doesNotExist();
  }

  @Test
  void theDefaultPolicyMissingSaysWhatToDo() {
    // Tests run in app/, where models/policy.json is not.
    Cli.Result r = reckon("run", "--strategy", "compute-optimal",
        "--data", Cli.root().resolve("data/arith/test.jsonl").toString(),
        "--out", dir.resolve("out.jsonl").toString());
    assertBadInput(r, "models/policy.json", "reckon sweep");
  }

  @Test
  void aMissingPolicyFileIsNamed() {
    assertBadInput(runWith(dir.resolve("nope.json")), "nope.json", "not found");
  }
}
