package io.reckon.actors;

import static org.assertj.core.api.Assertions.assertThat;

import io.reckon.actors.store.RunJournal;
import io.reckon.actors.store.StoreSettings;
import io.reckon.protocol.RunStatus;
import io.reckon.runtime.synthetic.SyntheticReasoner;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The same entity on a real PostgreSQL server (PostgreSQL 18, started by the test). */
class PostgresStoreTest {
  @TempDir Path dir;

  @Test
  void aRunIsJournaledToPostgresAndReadBack() throws Exception {
    try (EmbeddedPostgres pg = Stores.startPostgres(dir)) {
      StoreSettings store = Stores.postgres(pg, dir);
      ActorTestKit kit = ActorTestKit.create("pg", Stores.config(store, "reckon.run.concurrency = 8"));
      try {
        ReckonSettings s = Harness.settings(kit);
        SyntheticReasoner model = new SyntheticReasoner();
        kit.spawn(ProposerWorker.create(model, s.workers()), "proposer-0");
        kit.spawn(VerifierWorker.create(model, s.workers()), "verifier-0");
        ActorRef<Runs.Command> runs = kit.spawn(
            Runs.create(RunEnvironment.local(Stores.SYNTHETIC), s, store), "runs");
        TestProbe<RunEntity.Notification> events = kit.createTestProbe();
        TestProbe<StatusReply<RunStatus>> reply = kit.createTestProbe();
        runs.tell(new Runs.StartRun(
            Stores.spec(Harness.questions(30), "beam:m=4,agg=last", 16, "fixed", 2, 4),
            events.getRef(), reply.getRef()));
        String runId = reply.receiveMessage(Harness.PATIENCE).getValue().runId();
        while (!(events.receiveMessage(Harness.PATIENCE) instanceof RunEntity.Appended a
            && a.event() instanceof RunEntity.RunFinished)) {
          // until the end
        }
        long results = new RunJournal(kit.system()).currentResults(runId)
            .runFold(0L, (n, r) -> n + 1, kit.system()).toCompletableFuture().join();
        assertThat(results).isEqualTo(30);
      } finally {
        kit.shutdownTestKit();
      }
    }
  }
}
