package io.reckon.actors;

import static org.assertj.core.api.Assertions.assertThat;

import io.reckon.protocol.Candidate;
import io.reckon.protocol.Compute;
import io.reckon.protocol.Continuation;
import io.reckon.protocol.GenerateReply;
import io.reckon.protocol.GenerateRequest;
import io.reckon.protocol.Question;
import io.reckon.protocol.QuestionResult;
import io.reckon.protocol.RunSpec;
import io.reckon.protocol.RunStatus;
import io.reckon.protocol.RunSummary;
import io.reckon.protocol.ScoreReply;
import io.reckon.protocol.ScoreRequest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.SerializationTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.jackson.JacksonCborSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every public message round-trips through the Jackson CBOR binding of the marker. */
class SerializationTest {
  private static ActorTestKit kit;

  @BeforeAll
  static void start() {
    kit = kit == null ? ActorTestKit.create("serialization-test", Harness.config("")) : kit;
  }

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  static Stream<Object> messages() {
    kit = kit == null ? ActorTestKit.create("serialization-test", Harness.config("")) : kit;
    ActorRef<WorkResult> results = kit.<WorkResult>createTestProbe().getRef();
    ActorRef<ModelWorker.Command> worker = kit.<ModelWorker.Command>createTestProbe().getRef();
    TestProbe<Object> any = kit.createTestProbe();
    GenerateRequest gen = new GenerateRequest(
        3, "q1", "2*3+4", List.of(List.of("2*3=6", "A: 6")), List.of("2*3=6"), 4, 1, 0.8, 42L, 4);
    ScoreRequest score = new ScoreRequest(4, "q1", "2*3+4", List.of(List.of("2*3=6", "6+4=10")));
    GenerateReply genReply = new GenerateReply(
        3, List.of(new Continuation(List.of("6+4=10"), false, 7, -0.1)), 10, 7, 34.0);
    ScoreReply scoreReply = new ScoreReply(4, List.of(List.of(0.9, 0.8)), 12, 24.0);
    Compute compute = new Compute(16, 100, 200, 300, 1e6, 2e6);
    Candidate scored = new Candidate(List.of("2*3=6", "6+4=10", "A: 10"), "10",
        List.of(0.9, 0.8, 0.7), 0.7, 0, "probe");
    Candidate unscored = new Candidate(List.of("2*3=7"), null, List.of(), Double.NaN, 2, "beam");
    QuestionResult result = new QuestionResult(
        "q1", 2, "10", "10", true, QuestionResult.OK, null, "beam:m=4,agg=last", 3, 4, 16, 12, 600,
        3e6, 0.25, 0.9, 1, compute, List.of(scored, unscored));
    RunSummary.WorkerStats stats = new RunSummary.WorkerStats(
        "proposer-0", "proposer", 10, 1, 40, 160, 0, 7, Map.of(1, 2L, 8, 8L), compute);
    RunSummary summary = new RunSummary(
        1, 0, 1, 1, Map.of(2, new RunSummary.Level(1, 1, 1, 12)), compute, 1,
        new RunSummary.Pool(16, 16, 4, 4, 12), List.of(stats), 1234);
    return Stream.of(
        new ModelWorker.Work(gen, 0, results),
        new ModelWorker.Work(score, 2, results),
        new ModelWorker.GetStats(any.getRef().<RunSummary.WorkerStats>narrow()),
        new WorkResult.Done(genReply, 0, "proposer-0", 8),
        new WorkResult.Done(scoreReply, 1, "verifier-0", 3),
        new WorkResult.Failed(5, 1, "proposer-0", "model failed: boom"),
        new ModelWorker.WorkBatch(List.of(new WorkerLink.Item(7, gen, 0),
            new WorkerLink.Item(8, score, 2)), kit.<WorkerLink.Results>createTestProbe().getRef()),
        new WorkerLink.Results(List.of(
            new WorkerLink.Answered(7, new WorkResult.Done(genReply, 0, "proposer-0", 2)),
            new WorkerLink.Answered(8, new WorkResult.Done(scoreReply, 2, "verifier-0", 1)),
            new WorkerLink.Answered(9, new WorkResult.Failed(9, 1, "verifier-0", "model failed")))),
        new Scheduler.ProbeReport("q1", 0.6, 0.75, 4, 4, 2, any.getRef().<Scheduler.Grant>narrow()),
        new Scheduler.ProbeReport("q2", Double.NaN, 0, 0, 0, 0, any.getRef().<Scheduler.Grant>narrow()),
        new Scheduler.Release("q1", 2),
        new Scheduler.Finished("q1", 12),
        new Scheduler.GetPool(any.getRef().<RunSummary.Pool>narrow()),
        new Scheduler.Grant("q1", 12),
        new Scheduler.Admit(16),
        new Scheduler.NextRound("q1", new io.reckon.search.adaptive.Votes(new int[] {0, -1, 1, 0},
            new double[] {1, 1, 0.25, 1}), 4, any.getRef().<Scheduler.Round>narrow()),
        new Scheduler.NextRound("q2", io.reckon.search.adaptive.Votes.EMPTY, 0,
            any.getRef().<Scheduler.Round>narrow()),
        new Scheduler.Round("q1", 1, null),
        new Scheduler.Round("q2", 0, "settled"),
        new ServiceRun.Answer(result, true),
        new ServiceRun.Status(1, 2, 3, 4, new RunSummary.Pool(16, 16, 4, 4, 12)),
        new QuestionSupervisor.WorkersChanged(List.of(worker), List.of(worker, worker)),
        new WorkerLoad(worker, ProposerWorker.KIND, 17),
        new QuestionSupervisor.Report(7, result),
        new RunSupervisor.QuestionFinished(3, result, 7),
        new RunSupervisor.RunFinished(summary),
        new RunSupervisor.RunFailed("no workers"),
        result,
        summary,
        new RunEntity.Start(SPEC, any.getRef().<StatusReply<RunStatus>>narrow()),
        new RunEntity.Resume(any.getRef().<StatusReply<RunStatus>>narrow()),
        new RunEntity.Cancel("by DELETE", any.getRef().<StatusReply<RunStatus>>narrow()),
        new RunEntity.GetStatus(any.getRef().<StatusReply<RunStatus>>narrow()),
        new RunEntity.Subscribe(any.getRef().<RunEntity.Notification>narrow()),
        new RunEntity.RunStarted("261201-141530-k3q9", Instant.parse("2026-12-01T14:15:30.123Z"), SPEC),
        new RunEntity.RunStarted("261201-141530-k3q9", Instant.EPOCH, INLINE_SPEC),
        new RunEntity.QuestionFinished(41, result, 64),
        new RunEntity.RunResumed(Instant.parse("2026-12-01T15:00:00Z"), 549, 63),
        new RunEntity.RunFinished(Instant.parse("2026-12-01T15:01:00Z"), summary),
        new RunEntity.RunCancelled(Instant.parse("2026-12-01T15:02:00Z"), "by DELETE"),
        new RunEntity.Appended(7, new RunEntity.QuestionFinished(3, result, 9)),
        new RunEntity.Halted("261201-141530-k3q9", "no workers"),
        new RunEntity.Record(List.of(new RunSupervisor.QuestionFinished(3, result, 7),
            new RunSupervisor.RunFinished(summary)), any.getRef().<RunExecution.Command>narrow()),
        new RunTally(3, 1, 2, 1, 5, compute, Map.of(0, new RunSummary.Level(1, 0, 0, 4),
            3, new RunSummary.Level(2, 2, 1, 28))),
        new RunStatus("261201-141530-k3q9", Instant.EPOCH, RunStatus.RUNNING, true,
            "beam:m=4,agg=last", 16, 1200, 549, 1, 540, 520, 8784, null));
  }

  static final RunSpec SPEC = new RunSpec(
      new RunSpec.Questions("/data/arith/test.jsonl", "ab".repeat(32), 1200, null),
      RunSpec.COMPUTE_OPTIMAL, new RunSpec.FileRef("/models/policy.json", "cd".repeat(32)), 16,
      "gain", -7, 4, List.of(
          new RunSpec.ModelRef("proposer", "arith-policy", "/models/arith-policy", "ef".repeat(32)),
          new RunSpec.ModelRef("verifier", "arith-prm", "/models/arith-prm", "01".repeat(32))),
      new RunSpec.TaskRef("math", "23".repeat(32)));
  static final RunSpec INLINE_SPEC = Stores.spec(
      List.of(new Question("q1", "2*3+4", "10", 2, "Algebra"), new Question("u", "1+1", null, null)),
      "beam:m=4,agg=last", 8, "fixed", 3, 0);

  @Test
  void theRunEntitysSnapshotStateRoundTrips() {
    RunEntity.State state = new RunEntity.State("261201-141530-k3q9", Instant.EPOCH, SPEC,
        RunStatus.RUNNING, new long[] {0b1011L, 1L << 63}, RunTally.EMPTY, 48, 40,
        new long[] {2, 0, 1}, 70, null, null);
    org.apache.pekko.serialization.Serialization serialization =
        SerializationExtension.get(kit.system().classicSystem());
    org.apache.pekko.serialization.Serializer serializer = serialization.findSerializerFor(state);
    assertThat(serializer).isInstanceOf(JacksonCborSerializer.class);
    byte[] bytes = serializer.toBinary(state);
    Object back = serialization.deserialize(bytes, serializer.identifier(),
        ((org.apache.pekko.serialization.SerializerWithStringManifest) serializer).manifest(state)).get();
    assertThat(back).usingRecursiveComparison().isEqualTo(state);
    assertThat(((RunEntity.State) back).finishedSet()).isEqualTo(state.finishedSet());
  }

  @ParameterizedTest
  @MethodSource("messages")
  void roundTripsThroughJacksonCbor(Object message) {
    assertThat(SerializationExtension.get(kit.system().classicSystem()).findSerializerFor(message))
        .isInstanceOf(JacksonCborSerializer.class);
    Object back = new SerializationTestKit(kit.system()).verifySerialization(message, true);
    assertThat(back).isEqualTo(message);
  }
}
