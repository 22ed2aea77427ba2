package io.reckon.actors;

import static org.assertj.core.api.Assertions.assertThat;

import io.reckon.actors.store.RunIndex;
import io.reckon.actors.store.RunJournal;
import io.reckon.actors.store.RunPruner;
import io.reckon.actors.store.StoreSettings;
import io.reckon.protocol.RunStatus;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention on a real H2 store: ended runs go whole, a run that has not ended stays. */
class RunPruneTest {
  @TempDir Path dir;
  private ActorTestKit kit;

  @AfterEach
  void stop() {
    if (kit != null) {
      kit.shutdownTestKit();
    }
  }

  @Test
  void pruneDeletesEndedRunsWithTheirEventsSnapshotsAndIndexRows() throws Exception {
    StoreSettings h2 = Stores.h2(dir);
    StoreSettings store = new StoreSettings(h2.kind(), h2.dir(), h2.url(), h2.user(),
        h2.password(), h2.connectTimeout(), 3, h2.writeBatch(), h2.writeLinger(),
        h2.passivateAfter()); // a snapshot every 3 events: the prune must take them too
    kit = ActorTestKit.create("prune", Stores.config(store,
        "reckon.run.concurrency = 4\nreckon.store.snapshot-every = 3"));
    ReckonSettings s = Harness.settings(kit);
    Stores.syntheticWorkers(kit);
    ActorRef<Runs.Command> runs = kit.spawn(
        Runs.create(RunEnvironment.local(Stores.SYNTHETIC), s, store), "runs");
    TestProbe<StatusReply<RunStatus>> reply = kit.createTestProbe();
    for (int i = 0; i < 3; i++) {
      runs.tell(new Runs.StartRun(Stores.spec(Harness.questions(6), "best-of-n", 2, "fixed", i, 1),
          reply.getRef()));
      reply.receiveMessage(Harness.PATIENCE);
    }
    RunIndex index = RunIndex.get(kit.system());
    long end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (System.nanoTime() < end && !index.recent(10).toCompletableFuture().join().stream()
        .allMatch(r -> RunStatus.FINISHED.equals(r.state()))) {
      Thread.sleep(100);
    }
    // A run that has not ended (stopped midway, resumable): never pruned.
    try (Connection c = DriverManager.getConnection(store.jdbcUrl(), "", "");
        Statement st = c.createStatement()) {
      st.executeUpdate("INSERT INTO \"reckon_runs\" VALUES ('000000-000000-open', 0, NULL, "
          + "'running', '{}')");
    }
    RunPruner.Freed dry;
    RunPruner.Freed freed;
    try (Connection c = DriverManager.getConnection(store.jdbcUrl(), "", "")) {
      // Nothing ended longer ago than an hour.
      assertThat(new RunPruner(store.kind()).prune(c, Instant.now().minusSeconds(3600), false)
          .runs()).isZero();
      dry = new RunPruner(store.kind()).prune(c, Instant.now().plusSeconds(60), true);
      freed = new RunPruner(store.kind()).prune(c, Instant.now().plusSeconds(60), false);
    }
    assertThat(dry).isEqualTo(freed);
    assertThat(freed.runs()).isEqualTo(3);
    assertThat(freed.events()).isEqualTo(3 * (1 + 6 + 1)); // started, 6 questions, finished
    assertThat(freed.eventBytes()).isPositive();
    assertThat(freed.snapshots()).isPositive(); // every 3 events
    assertThat(freed.describe(false)).startsWith("pruned 3 runs: 24 events");
    RunJournal journal = new RunJournal(kit.system());
    assertThat(journal.runIds().toCompletableFuture().join()).isEmpty();
    try (Connection c = DriverManager.getConnection(store.jdbcUrl(), "", "");
        Statement st = c.createStatement()) {
      var r = st.executeQuery("SELECT COUNT(*) FROM \"snapshot\"");
      r.next();
      assertThat(r.getLong(1)).isZero();
      var ids = st.executeQuery("SELECT \"run_id\" FROM \"reckon_runs\"");
      ids.next();
      assertThat(ids.getString(1)).isEqualTo("000000-000000-open");
      assertThat(ids.next()).isFalse();
    }
    assertThat(RunPruner.parseAge("30d")).isEqualTo(Duration.ofDays(30));
    assertThat(RunPruner.parseAge("2w")).isEqualTo(Duration.ofDays(14));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> RunPruner.parseAge("30 days"))
        .hasMessageContaining("30d");
    assertThat(List.of(freed.runIds().get(0))).isNotEmpty();
  }
}
