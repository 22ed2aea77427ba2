package io.reckon.actors;

import static org.assertj.core.api.Assertions.assertThat;

import io.reckon.actors.cluster.ClusterSettings;
import io.reckon.protocol.Candidate;
import io.reckon.protocol.CborSerializable;
import io.reckon.protocol.Compute;
import io.reckon.protocol.QuestionResult;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.Test;

/**
 * The largest message Reckon sends between nodes under its default limits: one question's result
 * (on its way to a run's subscriber on another node) of a best-of-N at the CLI's largest budget
 * (reckon.limits.max-budget = 4096 candidates), each candidate a full max-new-tokens (256)
 * solution in 16 steps with a PRM score per step. It does not fit Artery's default 256 KiB frame;
 * it fits reckon.cluster.maximum-frame-size and crosses a real remote boundary there and back.
 */
class ClusterFrameSizeTest {
  static final int MAX_BUDGET = 4096;
  static final int MAX_NEW_TOKENS = 256;
  static final int STEPS = 16;

  /** Sent to a node's echo actor, which sends the result back to {@code replyTo}. */
  record Echo(RunEntity.Appended appended, ActorRef<RunEntity.Appended> replyTo)
      implements CborSerializable {}

  static final ServiceKey<Echo> ECHO = ServiceKey.create(Echo.class, "frame-size-echo");

  static RunEntity.Appended largest() {
    List<Candidate> candidates = new ArrayList<>(MAX_BUDGET);
    int perStep = MAX_NEW_TOKENS / STEPS;
    for (int c = 0; c < MAX_BUDGET; c++) {
      List<String> steps = new ArrayList<>(STEPS);
      List<Double> scores = new ArrayList<>(STEPS);
      for (int s = 0; s < STEPS; s++) {
        // Digits that differ per candidate: nothing for CBOR to share between strings.
        steps.add(String.format(java.util.Locale.ROOT, "%0" + perStep + "d", (long) c * STEPS + s));
        scores.add(0.123456789 + s * 1e-3);
      }
      candidates.add(new Candidate(steps, Integer.toString(c), scores, 0.987654321, c % 97, "main"));
    }
    QuestionResult r = new QuestionResult("test-L6-0001", 6, "4096", "4096", true, QuestionResult.OK,
        null, "best-of-n:sel=weighted,agg=last", 5, 4, MAX_BUDGET, MAX_BUDGET, 1_000_000, 1e12,
        0.5, 0.5, 0, Compute.ZERO, candidates);
    return new RunEntity.Appended(1234,
        new RunEntity.QuestionFinished(4095, r, MAX_BUDGET));
  }

  @Test
  void theLargestResultNeedsTheConfiguredFrameAndCrossesNodes() throws Exception {
    ActorTestKit a = ClusterNodes.start("coordinator", Harness.config(""), null);
    ActorTestKit b = null;
    try {
      b = ClusterNodes.start("worker", Harness.config(""), ClusterNodes.address(a));
      RunEntity.Appended big = largest();
      Serialization serialization = SerializationExtension.get(a.system().classicSystem());
      int bytes = serialization.serialize(big).get().length;
      long frame = ClusterSettings.from(a.system().settings().config()).maximumFrameSize();
      assertThat(bytes).as("larger than Artery's default 256 KiB frame").isGreaterThan(256 * 1024);
      assertThat((long) bytes).as("fits reckon.cluster.maximum-frame-size").isLessThan(frame);

      a.spawn(Behaviors.<Echo>setup(ctx -> {
        ctx.getSystem().receptionist().tell(Receptionist.register(ECHO, ctx.getSelf()));
        return Behaviors.receiveMessage(e -> {
          e.replyTo().tell(e.appended());
          return Behaviors.same();
        });
      }), "echo");
      ActorTestKit other = b;
      TestProbe<Receptionist.Listing> listing = b.createTestProbe();
      ActorRef<Echo> echo = listing.awaitAssert(Harness.PATIENCE, () -> {
        other.system().receptionist().tell(Receptionist.find(ECHO, listing.getRef()));
        return listing.receiveMessage().getServiceInstances(ECHO).iterator().next();
      });
      TestProbe<RunEntity.Appended> back = b.createTestProbe();
      echo.tell(new Echo(big, back.getRef()));
      RunEntity.Appended received = back.receiveMessage(Harness.PATIENCE);
      assertThat(received).isEqualTo(big);
    } finally {
      if (b != null) {
        b.shutdownTestKit();
      }
      a.shutdownTestKit();
    }
  }
}
