package io.reckon.actors;

import static org.assertj.core.api.Assertions.assertThat;

import io.reckon.protocol.RunSummary.Pool;
import io.reckon.search.adaptive.AdaptivePool;
import io.reckon.search.adaptive.StoppingRule;
import io.reckon.search.adaptive.Votes;
import io.reckon.protocol.Question;
import io.reckon.protocol.QuestionResult;
import io.reckon.protocol.RunSummary;
import io.reckon.runtime.synthetic.SyntheticReasoner;
import io.reckon.search.StrategyConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The scheduler under adaptive allocation, driven as question supervisors drive it. */
class AdaptiveSchedulerTest {
  private static ActorTestKit kit;

  @BeforeAll
  static void start() {
    kit = ActorTestKit.create("adaptive-scheduler-test", Harness.config(""));
  }

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  private static ActorRef<Scheduler.Command> scheduler(int questions, long total, Duration maxWait) {
    return kit.spawn(Scheduler.create(questions, total, 0, new Scheduler.ByAdaptive(
        new AdaptivePool.Settings(new StoppingRule.PosteriorBeta(0.95), 1, 0, 0.2), maxWait)));
  }

  private static Pool pool(ActorRef<Scheduler.Command> s) {
    TestProbe<Pool> probe = kit.createTestProbe();
    s.tell(new Scheduler.GetPool(probe.getRef()));
    return probe.receiveMessage(Harness.PATIENCE);
  }

  private static void balanced(Pool p) {
    assertThat(p.granted() - p.returned() + p.remaining()).isEqualTo(p.total());
  }

  @Test
  void whatASettledQuestionSavesIsGrantedToTheWaitingUnsettledOneAndNotToAHopelessOne() {
    ActorRef<Scheduler.Command> s = scheduler(3, 24, Duration.ofSeconds(30));
    TestProbe<Scheduler.Round> easy = kit.createTestProbe();
    TestProbe<Scheduler.Round> close = kit.createTestProbe();
    TestProbe<Scheduler.Round> spread = kit.createTestProbe();
    for (var p : new Object[][] {{"easy", easy}, {"close", close}, {"spread", spread}}) {
      @SuppressWarnings("unchecked")
      TestProbe<Scheduler.Round> probe = (TestProbe<Scheduler.Round>) p[1];
      s.tell(new Scheduler.NextRound((String) p[0], Votes.EMPTY, 0, probe.getRef()));
      assertThat(probe.receiveMessage(Harness.PATIENCE).samples()).isEqualTo(1);
    }
    // "close" spent its share of 8 on a 5:3 split: it waits for budget to come back
    s.tell(new Scheduler.NextRound("close", Votes.majority(0, 1, 0, 1, 0, 1, 0, 0), 8, close.getRef()));
    close.expectNoMessage(Duration.ofMillis(200));
    // "spread" spent its share on eight different answers: hopeless, stopped at once
    s.tell(new Scheduler.NextRound("spread", Votes.majority(0, 1, 2, 3, 4, 5, 6, 7), 8, spread.getRef()));
    assertThat(spread.receiveMessage(Harness.PATIENCE)).isEqualTo(new Scheduler.Round("spread", 0, "hopeless"));
    s.tell(new Scheduler.Finished("spread", 8));
    // "easy" settles after four agreeing samples and finishes: its four unspent go to "close"
    s.tell(new Scheduler.NextRound("easy", Votes.majority(0, 0, 0, 0), 4, easy.getRef()));
    assertThat(easy.receiveMessage(Harness.PATIENCE)).isEqualTo(new Scheduler.Round("easy", 0, "settled"));
    s.tell(new Scheduler.Finished("easy", 4));
    assertThat(close.receiveMessage(Harness.PATIENCE)).isEqualTo(new Scheduler.Round("close", 1, null));
    Pool p = pool(s);
    balanced(p);
    assertThat(p.spent()).isEqualTo(12);
    assertThat(p.remaining()).isEqualTo(3);
    s.tell(new Scheduler.Finished("close", 9));
    Pool end = pool(s);
    balanced(end);
    assertThat(end.spent()).isEqualTo(21);
    assertThat(end.spent()).isLessThanOrEqualTo(end.total());
  }

  @Test
  void anAdaptiveRunStopsSettledQuestionsEarlyAndGivesTheirSavingsToOthers() {
    ActorTestKit run = ActorTestKit.create("adaptive-run-test", Harness.config("reckon.run.concurrency = 16"));
    try {
      ReckonSettings s = Harness.settings(run);
      SyntheticReasoner model = new SyntheticReasoner();
      run.spawn(ProposerWorker.create(model, s.workers()), "proposer-0");
      run.spawn(VerifierWorker.create(model, s.workers()), "verifier-0");
      List<Question> questions = Harness.questions(120);
      Harness.Collected c = Harness.run(run, new RunSupervisor.Run(questions.iterator(),
          questions.size(), StrategyConfig.parse("best-of-n:sel=majority"), null, 8, 3,
          RunSupervisor.Allocation.ADAPTIVE));
      assertThat(c.results()).allSatisfy(r -> assertThat(r.probe()).isZero());
      booksBalanceAndSavingsMove(c, 120, 8);
    } finally {
      run.shutdownTestKit();
    }
  }

  /**
   * What an adaptive run must show: every question answered within what it was granted, the
   * pool's books balanced and within the run's budget, and settled questions' savings spent by
   * others (some below their share, some above).
   */
  static void booksBalanceAndSavingsMove(Harness.Collected c, int questions, int share) {
    assertThat(c.results()).hasSize(questions).allSatisfy(r -> {
      assertThat(r.status()).isEqualTo(QuestionResult.OK);
      assertThat(r.spent()).isLessThanOrEqualTo(r.granted());
      assertThat(r.candidates()).hasSize((int) r.spent());
    });
    long spent = c.results().stream().mapToLong(QuestionResult::spent).sum();
    assertThat(c.summary().pool().conserved()).isTrue();
    assertThat(c.summary().pool().spent()).isEqualTo(spent);
    assertThat(spent).isLessThanOrEqualTo((long) share * questions);
    assertThat(c.results()).anySatisfy(r -> assertThat(r.spent()).isLessThan(share));
    assertThat(c.results()).anySatisfy(r -> assertThat(r.spent()).isGreaterThan(share));
  }

  @Test
  void aServiceSharesItsPoolAdaptivelyAcrossConcurrentRequests() {
    ActorTestKit serve = ActorTestKit.create("adaptive-serve-test",
        Harness.config("reckon.scheduler.adaptive.in-serve = true\nreckon.run.concurrency = 32"));
    try {
      ReckonSettings s = Harness.settings(serve);
      assertThat(s.adaptive().inServe()).isTrue();
      SyntheticReasoner model = new SyntheticReasoner();
      serve.spawn(ProposerWorker.create(model, s.workers()), "proposer-0");
      serve.spawn(VerifierWorker.create(model, s.workers()), "verifier-0");
      ActorRef<ServiceRun.Command> service = serve.spawn(ServiceRun.create(s, 8), "service");
      TestProbe<ServiceRun.Status> status = serve.createTestProbe();
      do {
        service.tell(new ServiceRun.GetStatus(status.getRef()));
      } while (!status.receiveMessage(Harness.PATIENCE).ready());
      TestProbe<ServiceRun.Answer> answers = serve.createTestProbe();
      List<Question> questions = Harness.questions(60);
      for (int i = 0; i < questions.size(); i++) {
        service.tell(new ServiceRun.Ask(questions.get(i), StrategyConfig.parse("best-of-n:sel=majority"),
            null, null, i, Duration.ofMinutes(2), answers.getRef()));
      }
      List<QuestionResult> results = new ArrayList<>();
      for (int i = 0; i < questions.size(); i++) {
        ServiceRun.Answer a = answers.receiveMessage(Harness.PATIENCE);
        assertThat(a.pooled()).isTrue();
        results.add(a.result());
      }
      assertThat(results).allSatisfy(r -> {
        assertThat(r.status()).isEqualTo(QuestionResult.OK);
        assertThat(r.probe()).isZero();
      });
      long spent = results.stream().mapToLong(QuestionResult::spent).sum();
      assertThat(spent).isLessThanOrEqualTo(8L * 60);
      assertThat(results).anySatisfy(r -> assertThat(r.spent()).isLessThan(8));
      assertThat(results).anySatisfy(r -> assertThat(r.spent()).isGreaterThan(8));
      service.tell(new ServiceRun.GetStatus(status.getRef()));
      Pool pool = status.receiveMessage(Harness.PATIENCE).pool();
      assertThat(pool.conserved()).isTrue();
      assertThat(pool.spent()).isEqualTo(spent);
    } finally {
      serve.shutdownTestKit();
    }
  }

  @Test
  void aQuestionThatWaitsTooLongStops() {
    ActorRef<Scheduler.Command> s = scheduler(2, 4, Duration.ofMillis(300));
    TestProbe<Scheduler.Round> a = kit.createTestProbe();
    TestProbe<Scheduler.Round> b = kit.createTestProbe();
    s.tell(new Scheduler.NextRound("a", Votes.EMPTY, 0, a.getRef()));
    s.tell(new Scheduler.NextRound("b", Votes.EMPTY, 0, b.getRef()));
    a.receiveMessage(Harness.PATIENCE);
    b.receiveMessage(Harness.PATIENCE);
    s.tell(new Scheduler.NextRound("a", Votes.majority(0, 1), 2, a.getRef()));
    // "b" is still running (it might give budget back), so "a" waits, then gives up
    assertThat(a.receiveMessage(Harness.PATIENCE)).isEqualTo(new Scheduler.Round("a", 0, "expired"));
  }
}
