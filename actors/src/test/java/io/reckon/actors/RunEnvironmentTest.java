package io.reckon.actors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reckon.actors.store.Digests;
import io.reckon.protocol.RunSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run continues only on the inputs it started with: every digest is checked on load. */
class RunEnvironmentTest {
  @TempDir Path dir;

  private Path questions() throws Exception {
    Path file = dir.resolve("q.jsonl");
    Files.writeString(file, """
        {"id": "a", "question": "2+3", "answer": "5", "level": 1}
        {"id": "b", "question": "7*6-2", "answer": "40", "level": 2}
        """, StandardCharsets.UTF_8);
    return file;
  }

  private static RunSpec spec(Path file, List<RunSpec.ModelRef> models) {
    return new RunSpec(new RunSpec.Questions(file.toString(), Digests.file(file), 2, null),
        "beam:m=4,agg=last", null, 16, "fixed", 1, 4, models);
  }

  @Test
  void theSameInputsLoadInTheRunsOrder() throws Exception {
    Path file = questions();
    RunEnvironment.Inputs in = RunEnvironment.local(Stores.SYNTHETIC).load(spec(file, Stores.SYNTHETIC));
    assertThat(in.questions()).extracting(q -> q.id()).containsExactly("a", "b");
    assertThat(in.strategy().name()).isEqualTo("beam:m=4,agg=last");
    assertThat(in.policy()).isNull();
  }

  @Test
  void aChangedQuestionFileIsRefusedWithOneLineNamingIt() throws Exception {
    Path file = questions();
    RunSpec spec = spec(file, Stores.SYNTHETIC);
    Files.writeString(file, Files.readString(file).replace("\"40\"", "\"41\""));
    assertThatThrownBy(() -> RunEnvironment.local(Stores.SYNTHETIC).load(spec))
        .isInstanceOf(RunEnvironment.InputsChanged.class)
        .hasMessageContaining("question file " + file + " changed since the run started")
        .hasMessageNotContaining("\n");
    Files.delete(file);
    assertThatThrownBy(() -> RunEnvironment.local(Stores.SYNTHETIC).load(spec))
        .hasMessageContaining(file + " is gone");
  }

  @Test
  void otherModelsOrAChangedPolicyAreRefused() throws Exception {
    Path file = questions();
    RunSpec spec = spec(file, Stores.SYNTHETIC);
    List<RunSpec.ModelRef> other = List.of(
        new RunSpec.ModelRef("proposer", "arith-policy", "/m/arith-policy", Digests.text("x")),
        Stores.SYNTHETIC.get(1));
    assertThatThrownBy(() -> RunEnvironment.local(other).load(spec))
        .hasMessageContaining("the proposer model changed since the run started")
        .hasMessageContaining("synthetic").hasMessageContaining("arith-policy");

    Path policy = dir.resolve("policy.json");
    Files.writeString(policy, "{}");
    RunSpec optimal = new RunSpec(spec.questions(), RunSpec.COMPUTE_OPTIMAL,
        new RunSpec.FileRef(policy.toString(), Digests.file(policy)), 16, "gain", 1, 4,
        Stores.SYNTHETIC);
    Files.writeString(policy, "{ }");
    assertThatThrownBy(() -> RunEnvironment.local(Stores.SYNTHETIC).load(optimal))
        .hasMessageContaining("policy " + policy + " changed since the run started");
  }
}
