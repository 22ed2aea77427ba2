package io.reckon.actors;

import static org.assertj.core.api.Assertions.assertThat;

import io.reckon.protocol.GenerateReply;
import io.reckon.protocol.GenerateRequest;
import io.reckon.protocol.ModelRequest;
import io.reckon.protocol.ScoreRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A {@link WorkerLink} batches the requests of many questions into one message to its worker,
 * routes each answer back to the question that asked, and stops when its worker does; its batch
 * message costs fewer bytes per request than a request sent alone.
 */
class WorkerLinkTest {
  private static final ActorTestKit kit =
      ActorTestKit.create(Harness.config("reckon.workers.linger = 0ms\nreckon.workers.batch-size = 4"));

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  private static GenerateRequest request(long id) {
    return new GenerateRequest(id, "q" + id, "12*3+4", List.of(), List.of("12*3=36"), 2, 0, 0.8, id, 2);
  }

  /** A proposer whose model answers once {@code open} opens, recording each batch it sees. */
  private static ActorRef<ModelWorker.Command> worker(
      String name, CountDownLatch open, List<List<Long>> batches) {
    ModelWorker.Backend backend = batch -> {
      assertThat(open.await(60, TimeUnit.SECONDS)).isTrue();
      List<Long> ids = new ArrayList<>();
      List<GenerateReply> replies = new ArrayList<>();
      for (ModelRequest r : batch) {
        ids.add(r.requestId());
        replies.add(new GenerateReply(r.requestId(), List.of(), 3, 5, 16.0));
      }
      batches.add(ids);
      return replies;
    };
    return kit.spawn(ModelWorker.create(ProposerWorker.KEY, ProposerWorker.KIND, backend,
        Harness.settings(kit).workers(), 1), name);
  }

  @Test
  void batchesRequestsAndRoutesEachAnswerToItsQuestion() {
    CountDownLatch open = new CountDownLatch(1);
    List<List<Long>> batches = new CopyOnWriteArrayList<>();
    ActorRef<ModelWorker.Command> worker = worker("batched", open, batches);
    ActorRef<WorkerLink.Command> link =
        kit.spawn(WorkerLink.create(worker, Duration.ofMinutes(1), () -> { }), "link-batched");
    List<TestProbe<WorkResult>> questions = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      TestProbe<WorkResult> q = kit.createTestProbe();
      questions.add(q);
      link.tell(new WorkerLink.Send(request(i), i % 2, q.getRef()));
    }
    // A score request to a proposer is refused, and the refusal finds its question too.
    TestProbe<WorkResult> wrong = kit.createTestProbe();
    link.tell(new WorkerLink.Send(
        new ScoreRequest(9, "q9", "1+1", List.of(List.of("A: 2"))), 3, wrong.getRef()));
    open.countDown();
    for (int i = 0; i < 5; i++) {
      WorkResult r = questions.get(i).receiveMessage(Harness.PATIENCE);
      assertThat(r).isInstanceOf(WorkResult.Done.class);
      assertThat(r.requestId()).isEqualTo(i);
      assertThat(r.attempt()).isEqualTo(i % 2);
      questions.get(i).expectNoMessage(Duration.ofMillis(50));
    }
    WorkResult refused = wrong.receiveMessage(Harness.PATIENCE);
    assertThat(refused).isInstanceOf(WorkResult.Failed.class);
    assertThat(refused.requestId()).isEqualTo(9);
    // The model saw the five in batches of at most 4 (the worker's batch size), all of them once.
    assertThat(batches.stream().mapToInt(List::size).sum()).isEqualTo(5);
    assertThat(batches).allMatch(b -> b.size() <= 4);
  }

  @Test
  void stopsWhenItsWorkerStops() {
    CountDownLatch open = new CountDownLatch(1);
    ActorRef<ModelWorker.Command> worker = worker("stopping", open, new CopyOnWriteArrayList<>());
    CountDownLatch stopped = new CountDownLatch(1);
    ActorRef<WorkerLink.Command> link =
        kit.spawn(WorkerLink.create(worker, Duration.ofMinutes(1), stopped::countDown), "link-stopping");
    TestProbe<Object> watcher = kit.createTestProbe();
    kit.stop(worker);
    watcher.expectTerminated(link, Harness.PATIENCE);
    assertThat(stopped.getCount()).isZero();
  }

  @Test
  void aBatchCostsFewerBytesPerRequestThanRequestsSentAlone() {
    var serialization = SerializationExtension.get(kit.system().classicSystem());
    ActorRef<WorkResult> question = kit.<WorkResult>createTestProbe().getRef();
    ActorRef<WorkerLink.Results> linkRef = kit.<WorkerLink.Results>createTestProbe().getRef();
    int alone = serialization.serialize(new ModelWorker.Work(request(1), 0, question)).get().length;
    List<WorkerLink.Item> items = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      items.add(new WorkerLink.Item(i, request(i), 0));
    }
    int batch = serialization.serialize(new ModelWorker.WorkBatch(items, linkRef)).get().length;
    assertThat(batch / 8.0).as("CBOR bytes per request in a batch of 8 vs alone (%d)", alone)
        .isLessThan(alone);
    GenerateReply reply = new GenerateReply(1, List.of(), 3, 5, 16.0);
    int answerAlone = serialization.serialize(new WorkResult.Done(reply, 0, "proposer-0", 8)).get().length;
    List<WorkerLink.Answered> answers = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      answers.add(new WorkerLink.Answered(i, new WorkResult.Done(reply, 0, "proposer-0", 8)));
    }
    int results = serialization.serialize(new WorkerLink.Results(answers)).get().length;
    // An answer in a batch costs its ticket and its type name more than one alone; what it saves
    // is the message (Artery's envelope and the question's reply address) that is not sent.
    assertThat(results / 8.0).isLessThan(answerAlone + 32);
  }
}
