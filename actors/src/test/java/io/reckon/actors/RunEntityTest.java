package io.reckon.actors;

import static org.assertj.core.api.Assertions.assertThat;

import io.reckon.actors.store.RunJournal;
import io.reckon.actors.store.StoreSettings;
import io.reckon.protocol.Question;
import io.reckon.protocol.QuestionResult;
import io.reckon.protocol.RunSpec;
import io.reckon.protocol.RunStatus;
import io.reckon.protocol.RunSummary;
import io.reckon.runtime.synthetic.SyntheticReasoner;
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
    ReckonSettings s = Harness.settings(kit);
    SyntheticReasoner model = new SyntheticReasoner();
    kit.spawn(ProposerWorker.create(model, s.workers()), "proposer-0");
    kit.spawn(VerifierWorker.create(model, s.workers()), "verifier-0");
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
    assertThat(journal.runIds().toCompletableFuture().join()).containsExactly(runId);
  }
}
