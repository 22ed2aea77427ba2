package io.reckon.actors;

import static org.assertj.core.api.Assertions.assertThat;

import io.reckon.actors.store.RunIndex;
import io.reckon.actors.store.StoreSettings;
import io.reckon.protocol.RunStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A long-lived node holds only the runs in use: idle entities stop; listings read the index. */
class RunPassivationTest {
  @TempDir Path dir;
  private ActorTestKit kit;

  @AfterEach
  void stop() {
    if (kit != null) {
      kit.shutdownTestKit();
    }
  }

  @Test
  void manyFinishedRunsLeaveNoEntityLiveAndAreListedFromTheIndex() throws Exception {
    StoreSettings store = Stores.h2(dir).withPassivateAfter(Duration.ofSeconds(1));
    kit = ActorTestKit.create("passivation", Stores.config(store, "reckon.run.concurrency = 4"));
    ReckonSettings s = Harness.settings(kit);
    Stores.syntheticWorkers(kit);
    ActorRef<Runs.Command> runs = kit.spawn(
        Runs.create(RunEnvironment.local(Stores.SYNTHETIC), s, store), "runs");
    int n = 40;
    List<String> ids = new ArrayList<>();
    TestProbe<StatusReply<RunStatus>> reply = kit.createTestProbe();
    TestProbe<RunEntity.Notification> events = kit.createTestProbe();
    for (int i = 0; i < n; i++) {
      runs.tell(new Runs.StartRun(
          Stores.spec(Harness.questions(2), "best-of-n", 2, "fixed", i, 1),
          events.getRef(), reply.getRef()));
      ids.add(reply.receiveMessage(Harness.PATIENCE).getValue().runId());
    }
    RunIndex index = RunIndex.get(kit.system());
    long end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    List<RunStatus> listed = List.of();
    while (System.nanoTime() < end) {
      listed = index.recent(100).toCompletableFuture().join();
      if (listed.size() == n && listed.stream().allMatch(r -> RunStatus.FINISHED.equals(r.state()))) {
        break;
      }
      Thread.sleep(100);
    }
    assertThat(listed).hasSize(n);
    assertThat(listed).allMatch(r -> RunStatus.FINISHED.equals(r.state()) && !r.executing()
        && r.done() == 2);
    // Newest first, to the second: a run id is its start second and a random suffix, so runs
    // started in the same second list in suffix order.
    List<String> listedIds = listed.stream().map(RunStatus::runId).toList();
    assertThat(listedIds).containsExactlyInAnyOrderElementsOf(ids)
        .isSortedAccordingTo(java.util.Comparator.reverseOrder());
    assertThat(listedIds.get(0).substring(0, 13)).isEqualTo(ids.get(n - 1).substring(0, 13));

    // Every entity stops once idle (it had a subscriber until its run ended).
    TestProbe<Integer> count = kit.createTestProbe();
    int live = -1;
    while (System.nanoTime() < end) {
      runs.tell(new Runs.CountLive(count.getRef()));
      live = count.receiveMessage();
      if (live == 0) {
        break;
      }
      Thread.sleep(100);
    }
    assertThat(live).as("run entities live after all ended and idled").isZero();

    // Listing reads the index: it recovers no entity.
    assertThat(index.recent(100).toCompletableFuture().join()).hasSize(n);
    runs.tell(new Runs.CountLive(count.getRef()));
    assertThat(count.receiveMessage()).isZero();

    // Asked for again, a passivated run is recovered with its summary, then idles away again.
    TestProbe<StatusReply<RunStatus>> status = kit.createTestProbe();
    runs.tell(new Runs.ToRun(ids.get(0), new RunEntity.GetStatus(status.getRef())));
    assertThat(status.receiveMessage(Harness.PATIENCE).getValue().done()).isEqualTo(2);
    runs.tell(new Runs.CountLive(count.getRef()));
    assertThat(count.receiveMessage()).isEqualTo(1);
    while (System.nanoTime() < end) {
      runs.tell(new Runs.CountLive(count.getRef()));
      live = count.receiveMessage();
      if (live == 0) {
        break;
      }
      Thread.sleep(100);
    }
    assertThat(live).isZero();
  }
}
