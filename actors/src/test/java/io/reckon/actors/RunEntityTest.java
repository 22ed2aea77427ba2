package io.reckon.actors;

import static org.assertj.core.api.Assertions.assertThat;

import io.reckon.actors.store.RunJournal;
import io.reckon.actors.store.StoreSettings;
import io.reckon.protocol.Question;
import io.reckon.protocol.QuestionResult;
import io.reckon.protocol.RunSpec;
import io.reckon.protocol.RunStatus;
import io.reckon.protocol.RunSummary;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run entity on a real H2 journal: start, stop mid-run, recover, resume, finish. */
class RunEntityTest {
  @TempDir Path dir;
  private final List<ActorTestKit> kits = new ArrayList<>();

  @AfterEach
  void shutdown() {
    kits.forEach(ActorTestKit::shutdownTestKit);
  }

  private ActorTestKit node(StoreSettings store) {
    ActorTestKit kit = ActorTestKit.create("durable", Stores.config(store,
        "reckon.run.concurrency = 8\nreckon.store.snapshot-every = 10"));
    kits.add(kit);
    Stores.syntheticWorkers(kit);
    return kit;
  }

  private static ActorRef<Runs.Command> runs(ActorTestKit kit, StoreSettings store) {
    return kit.spawn(Runs.create(
        RunEnvironment.local(Stores.SYNTHETIC), Harness.settings(kit), store), "runs");
  }

  @Test
  void aRunStoppedMidwayResumesWithoutRecomputingAndEndsAsAnUninterruptedOne() {
    StoreSettings store = Stores.h2(dir);
    List<Question> questions = Harness.questions(60);
    RunSpec spec = Stores.spec(questions, "beam:m=4,agg=last", 16, "fixed", 11, 4);

    // Node 1 starts the run and is shut down hard after 20 questions were recorded.
    ActorTestKit first = node(store);
    ActorRef<Runs.Command> runs1 = runs(first, store);
    TestProbe<StatusReply<RunStatus>> reply = first.createTestProbe();
    runs1.tell(new Runs.StartRun(spec, reply.getRef()));
    RunStatus started = reply.receiveMessage(Harness.PATIENCE).getValue();
    String runId = started.runId();
    assertThat(RunIds.valid(runId)).isTrue();
    TestProbe<RunEntity.Notification> events = first.createTestProbe();
    runs1.tell(new Runs.ToRun(runId, new RunEntity.Subscribe(events.getRef())));
    Map<Integer, QuestionResult> before = new HashMap<>();
    while (before.size() < 20) {
      RunEntity.Notification n = events.receiveMessage(Harness.PATIENCE);
      if (n instanceof RunEntity.Appended a && a.event() instanceof RunEntity.QuestionFinished f) {
        before.put(f.index(), f.result());
      }
    }
    first.shutdownTestKit();
    kits.remove(first);

    // Node 2 recovers it from the journal: running, not executing, at least 20 done.
    ActorTestKit second = node(store);
    ActorRef<Runs.Command> runs2 = runs(second, store);
    TestProbe<StatusReply<RunStatus>> reply2 = second.createTestProbe();
    runs2.tell(new Runs.ToRun(runId, new RunEntity.GetStatus(reply2.getRef())));
    RunStatus recovered = reply2.receiveMessage(Harness.PATIENCE).getValue();
    assertThat(recovered.state()).isEqualTo(RunStatus.RUNNING);
    assertThat(recovered.executing()).isFalse();
    assertThat(recovered.done()).isGreaterThanOrEqualTo(20).isLessThan(60);
    int doneBefore = recovered.done();

    TestProbe<RunEntity.Notification> events2 = second.createTestProbe();
    runs2.tell(new Runs.ToRun(runId, new RunEntity.Subscribe(events2.getRef())));
    runs2.tell(new Runs.ToRun(runId, new RunEntity.Resume(reply2.getRef())));
    assertThat(reply2.receiveMessage(Harness.PATIENCE).isSuccess()).isTrue();
    RunSummary summary = null;
    List<Integer> resumedIndices = new ArrayList<>();
    while (summary == null) {
      RunEntity.Notification n = events2.receiveMessage(Harness.PATIENCE);
      if (n instanceof RunEntity.Appended a) {
        if (a.event() instanceof RunEntity.QuestionFinished f) {
          resumedIndices.add(f.index());
        } else if (a.event() instanceof RunEntity.RunFinished f) {
          summary = f.summary();
        }
      }
    }
    // The second session computed exactly the questions the first had not recorded.
    assertThat(resumedIndices).hasSize(60 - doneBefore).doesNotHaveDuplicates();
    assertThat(summary.questions()).isEqualTo(60);
    // The books rebuilt from the journal carried on: conserved, and every generation spent by a
    // question of either session is booked once.
    RunSummary.Pool pool = summary.pool();
    assertThat(pool.conserved()).isTrue();

    // The journal holds one result per question; under a fixed allocation each equals what an
    // uninterrupted run computes.
    RunJournal journal = new RunJournal(second.system());
    List<EventEnvelope> all = journal.currentEvents(runId, 1)
        .runWith(Sink.seq(), second.system()).toCompletableFuture().join();
    assertThat(all.get(0).event()).isInstanceOf(RunEntity.RunStarted.class);
    List<RunEntity.QuestionFinished> finished = all.stream().map(EventEnvelope::event)
        .filter(e -> e instanceof RunEntity.QuestionFinished)
        .map(e -> (RunEntity.QuestionFinished) e).toList();
    assertThat(finished).hasSize(60);
    assertThat(finished.stream().map(RunEntity.QuestionFinished::index).distinct()).hasSize(60);
    assertThat(pool.spent()).isEqualTo(
        finished.stream().mapToLong(f -> f.result().spent()).sum());
    for (RunEntity.QuestionFinished f : finished) {
      if (before.containsKey(f.index())) {
        assertThat(f.result()).isEqualTo(before.get(f.index())); // recorded once, kept as it was
      }
    }
    assertThat(journal.runIds().toCompletableFuture().join()).containsExactly(runId);
  }

  private static String startAndWait(ActorTestKit kit, ActorRef<Runs.Command> runs, RunSpec spec,
      TestProbe<RunEntity.Notification> events, int results) {
    TestProbe<StatusReply<RunStatus>> reply = kit.createTestProbe();
    runs.tell(new Runs.StartRun(spec, events.getRef(), reply.getRef()));
    String runId = reply.receiveMessage(Harness.PATIENCE).getValue().runId();
    int seen = 0;
    while (seen < results) {
      if (events.receiveMessage(Harness.PATIENCE) instanceof RunEntity.Appended a
          && a.event() instanceof RunEntity.QuestionFinished) {
        seen++;
      }
    }
    return runId;
  }

  @Test
  void aFailedJournalWriteStopsTheRunLoudlyAndAResumeContinuesOnceTheStoreIsBack()
      throws Exception {
    StoreSettings store = Stores.h2(dir);
    List<Question> questions = Harness.questions(120);
    ActorTestKit kit = node(store);
    ActorRef<Runs.Command> runs = runs(kit, store);
    TestProbe<RunEntity.Notification> events = kit.createTestProbe();
    String runId = startAndWait(kit, runs,
        Stores.spec(questions, "beam:m=4,agg=last", 16, "fixed", 5, 4), events, 10);

    // The journal's table goes away under the running run: its next write fails.
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(store.jdbcUrl(), "", "");
        java.sql.Statement s = c.createStatement()) {
      s.execute("ALTER TABLE \"event_journal\" RENAME TO \"event_journal_away\"");
      RunEntity.Halted halted = null;
      while (halted == null) {
        if (events.receiveMessage(Harness.PATIENCE) instanceof RunEntity.Halted h) {
          halted = h;
        }
      }
      assertThat(halted.runId()).isEqualTo(runId);
      assertThat(halted.reason()).contains("journal write");
      s.execute("ALTER TABLE \"event_journal_away\" RENAME TO \"event_journal\"");
    }

    // The store is back: the run resumes from what was written and completes.
    TestProbe<StatusReply<RunStatus>> reply = kit.createTestProbe();
    TestProbe<RunEntity.Notification> events2 = kit.createTestProbe();
    runs.tell(new Runs.ToRun(runId, new RunEntity.Subscribe(events2.getRef())));
    runs.tell(new Runs.ToRun(runId, new RunEntity.Resume(reply.getRef())));
    assertThat(reply.receiveMessage(Harness.PATIENCE).isSuccess()).isTrue();
    while (!(events2.receiveMessage(Harness.PATIENCE) instanceof RunEntity.Appended a
        && a.event() instanceof RunEntity.RunFinished)) {
      // until the end
    }
    List<Integer> indices = new RunJournal(kit.system()).currentEvents(runId, 1)
        .runWith(Sink.seq(), kit.system()).toCompletableFuture().join().stream()
        .map(EventEnvelope::event)
        .filter(e -> e instanceof RunEntity.QuestionFinished)
        .map(e -> ((RunEntity.QuestionFinished) e).index()).toList();
    assertThat(indices).hasSize(120).doesNotHaveDuplicates();
  }

  @Test
  void aResumeOnOtherModelsIsRefusedAndTheRunStaysResumable() {
    StoreSettings store = Stores.h2(dir);
    ActorTestKit kit = node(store);
    ActorRef<Runs.Command> runs = runs(kit, store);
    TestProbe<RunEntity.Notification> events = kit.createTestProbe();
    String runId = startAndWait(kit, runs,
        Stores.spec(Harness.questions(400), "beam:m=4,agg=last", 16, "fixed", 5, 4), events, 5);
    kit.shutdownTestKit();
    kits.remove(kit);

    ActorTestKit other = node(store);
    List<RunSpec.ModelRef> otherModels = List.of(
        new RunSpec.ModelRef("proposer", "arith-policy", "/m/arith-policy", "00".repeat(32)),
        Stores.SYNTHETIC.get(1));
    ActorRef<Runs.Command> runs2 = other.spawn(Runs.create(
        RunEnvironment.local(otherModels), Harness.settings(other), store), "runs");
    TestProbe<StatusReply<RunStatus>> reply = other.createTestProbe();
    runs2.tell(new Runs.ToRun(runId, new RunEntity.Resume(reply.getRef())));
    StatusReply<RunStatus> refused = reply.receiveMessage(Harness.PATIENCE);
    assertThat(refused.isError()).isTrue();
    assertThat(refused.getError().getMessage())
        .contains("run " + runId, "the proposer model changed since the run started")
        .doesNotContain("\n");
    runs2.tell(new Runs.ToRun(runId, new RunEntity.GetStatus(reply.getRef())));
    RunStatus status = reply.receiveMessage(Harness.PATIENCE).getValue();
    assertThat(status.state()).isEqualTo(RunStatus.RUNNING);
    assertThat(status.executing()).isFalse();
    // Asked again as soon as each answer arrives (as the runs API's status, events and results
    // calls do), every ask is answered: none reaches the entity that is stopping after the last.
    for (int i = 0; i < 20; i++) {
      runs2.tell(new Runs.ToRun("261201-000000-0000", new RunEntity.GetStatus(reply.getRef())));
      assertThat(reply.receiveMessage(Harness.PATIENCE).getError().getMessage())
          .isEqualTo("unknown run id 261201-000000-0000");
    }
  }

  @Test
  void aCancelledRunStopsItsQuestionsRecordsNoMoreAndCannotBeResumed() throws Exception {
    StoreSettings store = Stores.h2(dir);
    ActorTestKit kit = node(store);
    ActorRef<Runs.Command> runs = runs(kit, store);
    TestProbe<RunEntity.Notification> events = kit.createTestProbe();
    String runId = startAndWait(kit, runs,
        Stores.spec(Harness.questions(400), "beam:m=4,agg=last", 16, "fixed", 5, 4), events, 5);
    TestProbe<StatusReply<RunStatus>> reply = kit.createTestProbe();
    runs.tell(new Runs.ToRun(runId, new RunEntity.Cancel("by the test", reply.getRef())));
    RunStatus cancelled = reply.receiveMessage(Harness.PATIENCE).getValue();
    assertThat(cancelled.state()).isEqualTo(RunStatus.CANCELLED);
    assertThat(cancelled.endedAt()).isNotNull();
    while (!(events.receiveMessage(Harness.PATIENCE) instanceof RunEntity.Appended a
        && a.event() instanceof RunEntity.RunCancelled c && c.reason().equals("by the test"))) {
      // the results written before the cancel
    }
    // Nothing more is journaled: the cancel is the last event, and stays the last.
    Thread.sleep(500);
    List<EventEnvelope> all = new RunJournal(kit.system()).currentEvents(runId, 1)
        .runWith(Sink.seq(), kit.system()).toCompletableFuture().join();
    assertThat(all.get(all.size() - 1).event()).isInstanceOf(RunEntity.RunCancelled.class);
    assertThat(all.size()).isLessThan(400);
    runs.tell(new Runs.ToRun(runId, new RunEntity.Resume(reply.getRef())));
    assertThat(reply.receiveMessage(Harness.PATIENCE).getError().getMessage())
        .isEqualTo("run " + runId + " is cancelled: nothing to resume");
    runs.tell(new Runs.ToRun(runId, new RunEntity.Cancel("again", reply.getRef())));
    assertThat(reply.receiveMessage(Harness.PATIENCE).getError().getMessage())
        .isEqualTo("run " + runId + " is cancelled already");
  }
}
