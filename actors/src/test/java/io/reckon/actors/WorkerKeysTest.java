package io.reckon.actors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reckon.actors.store.Digests;
import io.reckon.protocol.RunSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkerKeysTest {
  private static final RunSpec.ModelRef POLICY =
      new RunSpec.ModelRef("proposer", "arith-policy", "/m/p", Digests.text("p"));
  private static final RunSpec.ModelRef PRM =
      new RunSpec.ModelRef("verifier", "arith-prm", "/m/v", Digests.text("v"));

  @Test
  void aRunsKeysAreItsModelsDigestsAndAWorkerRegistersUnderItsKindsAndItsModels() {
    WorkerKeys keys = WorkerKeys.of(List.of(POLICY, PRM));
    assertThat(keys.byModel()).isTrue();
    assertThat(keys.proposers().id()).isEqualTo("reckon-proposer-" + POLICY.sha256());
    assertThat(keys.verifiers().id()).isEqualTo("reckon-verifier-" + PRM.sha256());
    assertThat(keys.proposerModel()).startsWith("arith-policy (sha256 ");
    assertThat(WorkerKeys.registered(ProposerWorker.KIND, POLICY))
        .containsExactly(ProposerWorker.KEY, keys.proposers());
    assertThat(WorkerKeys.registered(VerifierWorker.KIND, null))
        .containsExactly(VerifierWorker.KEY);
    // The same folder on another node (another path) is the same model.
    RunSpec.ModelRef elsewhere =
        new RunSpec.ModelRef("proposer", "arith-policy", "/other/p", POLICY.sha256());
    assertThat(WorkerKeys.of(List.of(elsewhere, PRM))).isEqualTo(keys);
  }

  @Test
  void aRunThatNamesNoModelsTakesAnyWorkerOfTheKind() {
    assertThat(WorkerKeys.of(List.of())).isEqualTo(WorkerKeys.ANY);
    assertThat(WorkerKeys.ANY.byModel()).isFalse();
    assertThatThrownBy(() -> ProposerWorker.key(" "))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sha256");
  }
}
