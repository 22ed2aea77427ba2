package io.reckon.actors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.reckon.protocol.Compute;
import io.reckon.protocol.Question;
import io.reckon.protocol.QuestionResult;
import io.reckon.protocol.RunSummary;
import io.reckon.runtime.synthetic.SyntheticReasoner;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RunSupervisorTest {
  private ActorTestKit kit;

  @AfterEach
  void shutdown() {
    if (kit != null) {
      kit.shutdownTestKit();
    }
  }

  private ActorTestKit kit(String overrides) {
    kit = ActorTestKit.create("run-test", Harness.config(overrides));
    return kit;
  }

  private static Compute sum(List<RunSummary.WorkerStats> workers) {
    Compute c = Compute.ZERO;
    for (RunSummary.WorkerStats w : workers) {
      c = c.plus(w.compute());
    }
    return c;
  }

  private static Compute sumResults(List<QuestionResult> results) {
    Compute c = Compute.ZERO;
    for (QuestionResult r : results) {
      c = c.plus(r.compute());
    }
    return c;
  }

  @Test
  void twoHundredQuestionsEachGetOneOutcomeWithinBudgetAndTheBooksBalance() {
    kit("reckon.run.concurrency = 32");
    ReckonSettings s = Harness.settings(kit);
    SyntheticReasoner model = new SyntheticReasoner();
    kit.spawn(ProposerWorker.create(model, s.workers()), "proposer-0");
    kit.spawn(VerifierWorker.create(model, s.workers()), "verifier-0");
    List<Question> questions = Harness.questions(200);

    Harness.Collected run = Harness.run(kit, questions, "beam:m=4", 16, 7);

    // Exactly one outcome per question.
    Set<String> ids = new HashSet<>();
    run.results().forEach(r -> assertThat(ids.add(r.id())).as("duplicate %s", r.id()).isTrue());
    assertThat(ids).containsExactlyInAnyOrderElementsOf(questions.stream().map(Question::id).toList());
    assertThat(run.results()).allSatisfy(r -> {
      assertThat(r.status()).isEqualTo(QuestionResult.OK);
      assertThat(r.spent()).isLessThanOrEqualTo(r.granted());
      assertThat(r.probe()).isEqualTo(4);
      assertThat(r.difficulty()).isNotNull();
      assertThat(r.candidates()).isNotEmpty();
    });
    RunSummary summary = run.summary();
    assertThat(summary.questions()).isEqualTo(200);
    assertThat(summary.failed()).isZero();
    assertThat(summary.accuracy()).isGreaterThan(0.5);

    // The pool is conserved and its books agree with what the questions spent.
    RunSummary.Pool pool = summary.pool();
    long spent = run.results().stream().mapToLong(QuestionResult::spent).sum();
    assertThat(pool.total()).isEqualTo(200L * 16);
    assertThat(pool.conserved()).isTrue();
    assertThat(pool.spent()).isEqualTo(spent);
    assertThat(pool.granted() - pool.returned()).isEqualTo(spent);
    assertThat(pool.spent() + pool.remaining()).isEqualTo(pool.total());

    // What the questions spent is what the workers computed.
    Compute questionsSpent = sumResults(run.results());
    Compute workers = sum(summary.workers());
    assertThat(summary.compute()).isEqualTo(questionsSpent);
    assertThat(workers.generations()).isEqualTo(questionsSpent.generations());
    assertThat(workers.promptTokens()).isEqualTo(questionsSpent.promptTokens());
    assertThat(workers.generatedTokens()).isEqualTo(questionsSpent.generatedTokens());
    assertThat(workers.verifierTokens()).isEqualTo(questionsSpent.verifierTokens());
    assertThat(workers.flops()).isCloseTo(questionsSpent.flops(), within(1e-6 * workers.flops()));
  }

  @Test
  void aWorkerThatThrowsOnEveryFifthBatchDoesNotLoseAQuestion() {
    kit("""
        reckon.workers.restart.min-backoff = 5ms
        reckon.workers.restart.max-backoff = 50ms
        reckon.run.concurrency = 16
        """);
    ReckonSettings s = Harness.settings(kit);
    FlakyReasoner flaky = new FlakyReasoner(5);
    SyntheticReasoner healthy = new SyntheticReasoner();
    kit.spawn(ProposerWorker.create(flaky, s.workers()), "proposer-0");
    kit.spawn(VerifierWorker.create(healthy, s.workers()), "verifier-0");
    List<Question> questions = Harness.questions(60);

    Harness.Collected run = Harness.run(kit, questions, "beam:m=4", 16, 11);

    assertThat(run.results()).hasSize(60);
    assertThat(run.results()).allSatisfy(r -> {
      assertThat(r.status()).as(r.id() + ": " + r.error()).isEqualTo(QuestionResult.OK);
      assertThat(r.answer()).isNotNull();
    });
    assertThat(flaky.thrown.get()).isPositive();
    // Retries are visible per question and in the summary.
    assertThat(run.results().stream().filter(r -> r.retries() > 0)).isNotEmpty();
    assertThat(run.summary().retries())
        .isEqualTo(run.results().stream().mapToLong(QuestionResult::retries).sum())
        .isGreaterThanOrEqualTo(flaky.thrown.get());
    RunSummary.WorkerStats proposer = run.summary().workers().stream()
        .filter(w -> w.kind().equals(ProposerWorker.KIND)).findFirst().orElseThrow();
    assertThat(proposer.failedBatches()).isEqualTo(flaky.thrown.get());
    // Failed batches computed nothing that was charged: the ledgers still agree.
    assertThat(sum(run.summary().workers()).generations())
        .isEqualTo(sumResults(run.results()).generations());
    assertThat(run.summary().pool().conserved()).isTrue();
  }

  @Test
  void twoWorkersOfEachKindBatchRequestsFromSeveralQuestions() {
    kit("""
        reckon.workers.linger = 20ms
        reckon.run.concurrency = 32
        """);
    ReckonSettings s = Harness.settings(kit);
    SyntheticReasoner model = new SyntheticReasoner();
    for (int i = 0; i < 2; i++) {
      kit.spawn(ProposerWorker.create(model, s.workers()), "proposer-" + i);
      kit.spawn(VerifierWorker.create(model, s.workers()), "verifier-" + i);
    }

    Harness.Collected run = Harness.run(kit, Harness.questions(100), "best-of-n", 8, 3);

    assertThat(run.results()).hasSize(100).allSatisfy(r -> assertThat(r.failed()).isFalse());
    List<RunSummary.WorkerStats> workers = run.summary().workers();
    assertThat(workers).hasSize(4);
    assertThat(workers).allSatisfy(w -> {
      assertThat(w.batches()).as(w.worker()).isPositive();
      // Batch sizes the worker saw: some batch held requests of several questions.
      assertThat(w.batchSizes().keySet().stream().mapToInt(Integer::intValue).max().orElse(0))
          .as("largest batch of %s: %s", w.worker(), w.batchSizes())
          .isGreaterThan(1);
      assertThat(w.maxQuestionsInBatch()).as(w.worker()).isGreaterThan(1);
    });
  }

  @Test
  void requestsFailedByABrokenWorkerAreRetriedOnAnother() {
    kit("""
        reckon.workers.restart.min-backoff = 5ms
        reckon.workers.restart.max-backoff = 20ms
        """);
    ReckonSettings s = Harness.settings(kit);
    FlakyReasoner broken = new FlakyReasoner(1); // throws on every batch
    SyntheticReasoner healthy = new SyntheticReasoner();
    kit.spawn(ProposerWorker.create(broken, s.workers()), "proposer-0");
    kit.spawn(ProposerWorker.create(healthy, s.workers()), "proposer-1");
    kit.spawn(VerifierWorker.create(healthy, s.workers()), "verifier-0");

    Harness.Collected run = Harness.run(kit, Harness.questions(40), "best-of-n", 8, 5);

    assertThat(run.results()).allSatisfy(r ->
        assertThat(r.status()).as(r.id() + ": " + r.error()).isEqualTo(QuestionResult.OK));
    assertThat(broken.thrown.get()).isPositive();
    assertThat(run.summary().retries()).isPositive();
    assertThat(run.summary().workers()).filteredOn(w -> w.worker().equals("proposer-1"))
        .singleElement().satisfies(w -> assertThat(w.requests()).isPositive());
  }

  @Test
  void aWorkerThatNeverAnswersCannotHangARun() {
    kit("""
        reckon.question.request-timeout = 300ms
        reckon.question.max-retries = 1
        reckon.run.stats-timeout = 500ms
        """);
    ReckonSettings s = Harness.settings(kit);
    // A "proposer" that swallows every request.
    TestProbe<ModelWorker.Command> blackHole = kit.createTestProbe();
    kit.system().receptionist().tell(Receptionist.register(ProposerWorker.KEY, blackHole.getRef()));
    kit.spawn(VerifierWorker.create(new SyntheticReasoner(), s.workers()), "verifier-0");

    Harness.Collected run = Harness.run(kit, Harness.questions(10), "beam:m=4", 16, 1);

    assertThat(run.results()).hasSize(10).allSatisfy(r -> {
      assertThat(r.status()).isEqualTo(QuestionResult.FAILED);
      assertThat(r.error()).contains("no answer within");
      assertThat(r.retries()).isEqualTo(1);
    });
    assertThat(run.summary().failed()).isEqualTo(10);
    assertThat(run.summary().pool().conserved()).isTrue();
    assertThat(run.summary().pool().spent() + run.summary().pool().remaining())
        .isEqualTo(run.summary().pool().total());
  }
}
