package io.reckon.actors;

import static org.assertj.core.api.Assertions.assertThat;

import io.reckon.protocol.GenerateReply;
import io.reckon.protocol.GenerateRequest;
import io.reckon.protocol.ModelRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A worker over a continuously batching model sends a new batch while another is still running,
 * so that a request arriving mid-decode joins at the next token instead of waiting for the batch.
 */
class ModelWorkerInFlightTest {
  private static final ActorTestKit kit = ActorTestKit.create(Harness.config("reckon.workers.linger = 0ms"));

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  private static GenerateRequest request(long id) {
    return new GenerateRequest(id, "q" + id, "1+1", List.of(), List.of(), 1, 0, 0.5, id, 1);
  }

  @Test
  void aSecondBatchIsSentWhileTheFirstRuns() {
    CountDownLatch secondStarted = new CountDownLatch(1);
    AtomicInteger calls = new AtomicInteger();
    ModelWorker.Backend backend = batch -> {
      int call = calls.incrementAndGet();
      if (call == 1) {
        // The first batch "decodes" until the second one has reached the model.
        assertThat(secondStarted.await(60, TimeUnit.SECONDS)).as("second batch sent mid-run").isTrue();
      } else {
        secondStarted.countDown();
      }
      List<GenerateReply> replies = new ArrayList<>();
      for (ModelRequest r : batch) {
        replies.add(new GenerateReply(r.requestId(), List.of(), 0, 0, 0));
      }
      return replies;
    };
    ReckonSettings settings = Harness.settings(kit);
    ActorRef<ModelWorker.Command> worker = kit.spawn(
        ModelWorker.create(ProposerWorker.KEY, ProposerWorker.KIND, backend, settings.workers(), 2),
        "continuous");
    TestProbe<WorkResult> probe = kit.createTestProbe();
    worker.tell(new ModelWorker.Work(request(1), 0, probe.getRef()));
    // Sent only once the first batch is in the model's hands.
    probe.awaitAssert(Harness.PATIENCE, () -> {
      assertThat(calls.get()).isEqualTo(1);
      return null;
    });
    worker.tell(new ModelWorker.Work(request(2), 0, probe.getRef()));
    List<WorkResult> results = probe.receiveSeveralMessages(2, Harness.PATIENCE);
    assertThat(results).allMatch(r -> r instanceof WorkResult.Done);
    // Both answered: the first could only finish once the second had reached the model.
    assertThat(results).extracting(WorkResult::requestId).containsExactlyInAnyOrder(1L, 2L);
    assertThat(calls.get()).isEqualTo(2);
  }
}
