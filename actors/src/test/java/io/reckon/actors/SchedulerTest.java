package io.reckon.actors;

import static org.assertj.core.api.Assertions.assertThat;

import io.reckon.protocol.RunSummary.Pool;
import io.reckon.search.Allocation;
import io.reckon.search.policy.AccuracyCurve;
import io.reckon.search.policy.GainAllocation;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SchedulerTest {
  private static ActorTestKit kit;

  @BeforeAll
  static void start() {
    kit = ActorTestKit.create("scheduler-test", Harness.config(""));
  }

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  private static int grant(ActorRef<Scheduler.Command> scheduler, String id, double mean,
      double confidence) {
    TestProbe<Scheduler.Grant> probe = kit.createTestProbe();
    scheduler.tell(new Scheduler.ProbeReport(id, mean, confidence, 4, 4, 0, probe.getRef()));
    Scheduler.Grant g = probe.receiveMessage(Harness.PATIENCE);
    assertThat(g.questionId()).isEqualTo(id);
    return g.generations();
  }

  private static int grant(ActorRef<Scheduler.Command> scheduler, String id, int bin, double confidence) {
    TestProbe<Scheduler.Grant> probe = kit.createTestProbe();
    scheduler.tell(new Scheduler.ProbeReport(id, 0.5, confidence, 4, 4, bin, probe.getRef()));
    return probe.receiveMessage(Harness.PATIENCE).generations();
  }

  private static Pool pool(ActorRef<Scheduler.Command> scheduler) {
    TestProbe<Pool> probe = kit.createTestProbe();
    scheduler.tell(new Scheduler.GetPool(probe.getRef()));
    return probe.receiveMessage(Harness.PATIENCE);
  }

  @Test
  void booksRestoredFromFinishedQuestionsEqualTheBooksOfTheRunThatFinishedThem() {
    // One scheduler sees 4 of 10 questions through; another is restored from their results, as a
    // resumed run's is from its journal. Their books, and the next grant, must be the same.
    var lived = kit.spawn(Scheduler.create(10, 160, 4, Allocation.Rule.DEFAULT));
    long[] spent = {16, 9, 30, 4};
    double[] means = {0.5, 0.9, 0.3, 0.95};
    long granted = 0;
    for (int i = 0; i < 4; i++) {
      int g = grant(lived, "q" + i, means[i], 0.6);
      long s = Math.min(spent[i], 4 + g);
      spent[i] = s;
      granted += 4 + g;
      lived.tell(new Scheduler.Finished("q" + i, s));
    }
    Pool before = pool(lived);
    long spentAll = spent[0] + spent[1] + spent[2] + spent[3];
    var restored = kit.spawn(Scheduler.create(10, 160, 4, new Scheduler.ByRule(Allocation.Rule.DEFAULT),
        new Scheduler.Restored(4, granted, spentAll, new long[0])));
    Pool after = pool(restored);
    assertThat(after).isEqualTo(before);
    assertThat(after.conserved()).isTrue();
    assertThat(after.remaining()).isEqualTo(160 - spentAll);
    assertThat(grant(restored, "q4", 0.5, 0.6)).isEqualTo(grant(lived, "q4", 0.5, 0.6));
  }

  @Test
  void grantsMoreToWhatTheRulePrefers() {
    // 4 questions x 16 = 64; probes of 4 each leave 12 per question for main searches.
    var scheduler = kit.spawn(Scheduler.create(4, 64, 4, Allocation.Rule.DEFAULT));
    int middle = grant(scheduler, "middle", 0.5, 0.5);
    int agreed = grant(scheduler, "agreed", 0.95, 1.0);
    int hopeless = grant(scheduler, "hopeless", 0.05, 0.3);
    assertThat(middle).isEqualTo(18); // 1.5 x the fair share of 12
    assertThat(agreed).isLessThan(middle);
    assertThat(hopeless).isLessThan(middle);
    Pool p = pool(scheduler);
    assertThat(p.conserved()).isTrue();
    assertThat(p.granted()).isEqualTo(3 * 4 + middle + agreed + hopeless);
  }

  @Test
  void budgetReturnedByAnEarlyFinishedQuestionIsGrantedToOthers() {
    var a = kit.spawn(Scheduler.create(3, 48, 4, Allocation.Rule.DEFAULT));
    var b = kit.spawn(Scheduler.create(3, 48, 4, Allocation.Rule.DEFAULT));
    // Same reports to both; in b the first question finishes having spent only its probe.
    int a1 = grant(a, "q1", 0.5, 0.5);
    int b1 = grant(b, "q1", 0.5, 0.5);
    assertThat(b1).isEqualTo(a1);
    b.tell(new Scheduler.Finished("q1", 4));
    int a2 = grant(a, "q2", 0.5, 0.5);
    int b2 = grant(b, "q2", 0.5, 0.5);
    assertThat(b2).isGreaterThan(a2);
    Pool pb = pool(b);
    assertThat(pb.returned()).isEqualTo(b1);
    assertThat(pb.conserved()).isTrue();
  }

  @Test
  void releasesAndFinishesKeepTheBooksBalanced() {
    var s = kit.spawn(Scheduler.create(2, 32, 4, Allocation.Rule.DEFAULT));
    int g1 = grant(s, "q1", 0.9, 1.0);
    s.tell(new Scheduler.Release("q1", 1));
    s.tell(new Scheduler.Finished("q1", 4 + g1 - 1));
    int g2 = grant(s, "q2", 0.5, 0.5);
    s.tell(new Scheduler.Finished("q2", 4 + g2 / 2));
    Pool p = pool(s);
    assertThat(p.conserved()).isTrue();
    assertThat(p.spent()).isEqualTo(4 + g1 - 1 + 4 + g2 / 2);
    assertThat(p.spent() + p.remaining()).isEqualTo(p.total());
    assertThat(p.granted() - p.returned()).isEqualTo(p.spent());
  }

  @Test
  void anOpenPoolGrowsWithEachAdmittedQuestionAndItsBooksBalance() {
    var s = kit.spawn(Scheduler.create(0, 0, 4, Allocation.Rule.DEFAULT));
    s.tell(new Scheduler.Admit(16));
    int alone = grant(s, "q1", 0.5, 0.5);
    assertThat(alone).isEqualTo(12); // its own share less its probe: nothing else is in the pool
    s.tell(new Scheduler.Finished("q1", 4));
    s.tell(new Scheduler.Admit(16));
    s.tell(new Scheduler.Admit(16));
    // q1 returned all of its main grant; the next questions share it.
    int second = grant(s, "q2", 0.5, 0.5);
    assertThat(second).isGreaterThan(12);
    Pool p = pool(s);
    assertThat(p.total()).isEqualTo(48);
    assertThat(p.conserved()).isTrue();
  }

  @Test
  void aFixedPlanGivesEveryQuestionExactlyItsShareWhateverOthersLeave() {
    var s = kit.spawn(Scheduler.create(3, 48, 4, new Scheduler.Fixed()));
    assertThat(grant(s, "q1", 0.5, 0.5)).isEqualTo(12);
    s.tell(new Scheduler.Finished("q1", 4));
    assertThat(grant(s, "q2", 0.95, 1.0)).isEqualTo(12);
    assertThat(grant(s, "q3", 0.05, 0.2)).isEqualTo(12);
    Pool p = pool(s);
    assertThat(p.conserved()).isTrue();
    assertThat(p.returned()).isEqualTo(12);
  }

  @Test
  void aGainPlanFillsTheBinThatGainsMostAndSkipsDecisiveProbes() {
    // Bin 1 is flat past the probe's 4 generations; bin 2 gains steadily up to 32.
    AccuracyCurve easy = new AccuracyCurve(List.of(4, 16), List.of(0.9, 0.9)).concave();
    AccuracyCurve hard = new AccuracyCurve(List.of(4, 32), List.of(0.2, 0.8)).concave();
    var plan = new Scheduler.ByGain(List.of(easy, hard), new GainAllocation.Settings(0.95, 5, 4));
    var s = kit.spawn(Scheduler.create(4, 64, 4, plan));
    int hardGrant = grant(s, "hard", 2, 0.5);
    int easyGrant = grant(s, "easy", 1, 0.5);
    int decisive = grant(s, "decisive", 2, 1.0);
    assertThat(easyGrant).isZero();
    assertThat(decisive).isZero();
    assertThat(hardGrant).isGreaterThan(12); // more than the fair share, from the easy ones' part
    Pool p = pool(s);
    assertThat(p.conserved()).isTrue();
    assertThat(p.granted()).isEqualTo(3 * 4 + hardGrant);
  }
}
