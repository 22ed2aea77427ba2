package io.reckon.search.adaptive;

import static org.assertj.core.api.Assertions.assertThat;

import io.reckon.search.adaptive.AdaptivePool.Answer;
import io.reckon.search.adaptive.AdaptivePool.Reason;
import io.reckon.search.adaptive.AdaptivePool.Sample;
import io.reckon.search.adaptive.AdaptivePool.Stop;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AdaptivePoolTest {

  private static final AdaptivePool.Settings BETA =
      new AdaptivePool.Settings(new StoppingRule.PosteriorBeta(0.95), 1, 0, 0.3);

  private static void balanced(AdaptivePool pool) {
    assertThat(pool.free() + pool.reserved() + pool.held() + pool.spent()).isEqualTo(pool.total());
    assertThat(pool.free()).isGreaterThanOrEqualTo(0);
  }

  private static Answer only(List<Answer> answers) {
    assertThat(answers).hasSize(1);
    return answers.get(0);
  }

  /** Drives one question alone through its share: samples from {@code classes} until told otherwise. */
  private static Votes runShare(AdaptivePool pool, String id, int... classes) {
    Votes v = Votes.EMPTY;
    int i = 0;
    while (true) {
      Answer a = only(pool.next(id, v, v.samples()));
      assertThat(a.questionId()).isEqualTo(id);
      if (!(a.decision() instanceof Sample s)) {
        return v;
      }
      for (int k = 0; k < s.n(); k++) {
        v = v.plus(classes[i++], 1.0);
      }
    }
  }

  @Test
  void whatASettledQuestionSavesGoesToAnUnsettledOneNotToAHopelessOne() {
    // three questions, share 8 each
    AdaptivePool pool = new AdaptivePool(24, 3, BETA);
    // "easy" settles after 4 agreeing samples: saves 4
    Votes easy = runShare(pool, "easy", 0, 0, 0, 0, 0, 0, 0, 0);
    assertThat(easy.samples()).isEqualTo(4);
    // "close" spends its 8 on a 5:3 split: unsettled, so it waits for the pool
    Votes close = Votes.majority(0, 1, 0, 1, 0, 1, 0, 0);
    List<Answer> a = pool.next("close", close.first(0), 0);
    assertThat(a).containsExactly(new Answer("close", new Sample(1)));
    assertThat(pool.next("close", close, 8)).isEmpty(); // waits: nothing saved yet, "easy" runs
    assertThat(pool.waitingIds()).containsExactly("close");
    // "spread" spends its 8 on eight different answers: hopeless, it stops without the pool
    Votes spread = Votes.majority(0, 1, 2, 3, 4, 5, 6, 7);
    pool.next("spread", Votes.EMPTY, 0);
    assertThat(only(pool.next("spread", spread, 8)).decision()).isEqualTo(new Stop(Reason.HOPELESS));
    pool.finished("spread", 8);
    balanced(pool);
    // "easy" finishes with 4 of 8 spent: the 4 it saved serve "close", a round at a time
    List<Answer> served = pool.finished("easy", 4);
    assertThat(served).containsExactly(new Answer("close", new Sample(1)));
    assertThat(pool.free()).isEqualTo(3);
    balanced(pool);
    // "close" draws 0 0 0: 6:3 is still below 0.95 -> 7:3 -> 8:3 ... it takes all 4 saved
    Votes v = close.plus(0, 1);
    int got = 1;
    while (true) {
      Answer next = only(pool.next("close", v, v.samples()));
      if (next.decision() instanceof Sample s) {
        got += s.n();
        v = v.plus(0, 1);
      } else {
        // the pool ran dry with nobody left to give back: it stops
        assertThat(next.decision()).isIn(new Stop(Reason.POOL_EMPTY), new Stop(Reason.SETTLED));
        break;
      }
      balanced(pool);
    }
    assertThat(got).isEqualTo(4);
    pool.finished("close", v.samples());
    assertThat(pool.spent()).isEqualTo(24); // 4 + 12 + 8: the books balance to the generation
    assertThat(pool.free()).isZero();
    balanced(pool);
  }

  @Test
  void theLeastSettledWaitingQuestionIsServedFirst() {
    AdaptivePool pool = new AdaptivePool(12, 3, BETA); // share 4
    Votes solid = Votes.majority(0, 0, 0, 1); // 3:1, P = 0.8125
    Votes shaky = Votes.majority(0, 1, 0, 2); // 2:1, P = 0.6875
    for (String id : List.of("solid", "shaky", "saver")) {
      pool.next(id, Votes.EMPTY, 0);
    }
    assertThat(pool.next("solid", solid, 4)).isEmpty();
    assertThat(pool.next("shaky", shaky, 4)).isEmpty();
    // "saver" stops at once (a hand-built settled vote) and gives back 3
    Votes settled = Votes.majority(0, 0, 0, 0);
    assertThat(only(pool.next("saver", settled, 1)).decision()).isEqualTo(new Stop(Reason.SETTLED));
    List<Answer> served = pool.finished("saver", 1);
    // both get one round; the shaky one first, and the solid one from what is left
    assertThat(served).containsExactly(
        new Answer("shaky", new Sample(1)), new Answer("solid", new Sample(1)));
    balanced(pool);
  }

  @Test
  void waitingQuestionsStopWhenNothingCanComeBack() {
    AdaptivePool pool = new AdaptivePool(8, 2, BETA);
    Votes unsettled = Votes.majority(0, 1, 0, 1, 0);
    pool.next("a", Votes.EMPTY, 0);
    pool.next("b", Votes.EMPTY, 0);
    assertThat(pool.next("a", unsettled.first(4).plus(0, 1), 4)).isEmpty();
    // "b" finishes having spent its whole share: nothing saved, nobody left running
    assertThat(pool.finished("b", 4)).containsExactly(new Answer("a", new Stop(Reason.POOL_EMPTY)));
    balanced(pool);
  }

  @Test
  void theCapEndsAQuestionAndExpiryEndsAWait() {
    AdaptivePool pool = new AdaptivePool(40, 2,
        new AdaptivePool.Settings(new StoppingRule.Never(), 3, 5, 0.0));
    assertThat(only(pool.next("a", Votes.EMPTY, 0)).decision()).isEqualTo(new Sample(3));
    assertThat(only(pool.next("a", Votes.majority(0, 1, 0), 3)).decision()).isEqualTo(new Sample(2));
    assertThat(only(pool.next("a", Votes.majority(0, 1, 0, 1, 0), 5)).decision())
        .isEqualTo(new Stop(Reason.CAP));
    AdaptivePool small = new AdaptivePool(4, 2, BETA);
    small.next("x", Votes.EMPTY, 0);
    small.next("y", Votes.EMPTY, 0);
    assertThat(small.next("x", Votes.majority(0, 1), 2)).isEmpty();
    assertThat(small.expire("x")).containsExactly(new Answer("x", new Stop(Reason.EXPIRED)));
    assertThat(small.expire("x")).isEmpty();
  }

  /**
   * Many questions with random answer streams, finishing in random order: the books balance after
   * every event, nobody spends beyond what it was told, and the run spends no more than its pool.
   */
  @Test
  void booksBalanceUnderRandomRuns() {
    for (long seed = 0; seed < 30; seed++) {
      Random rng = new Random(seed);
      int questions = 5 + rng.nextInt(20);
      int share = 1 + rng.nextInt(10);
      AdaptivePool pool = new AdaptivePool((long) share * questions + rng.nextInt(questions), questions,
          new AdaptivePool.Settings(new StoppingRule.PosteriorBeta(0.9), 1 + rng.nextInt(3), 0, 0.3));
      Map<String, Votes> votes = new HashMap<>();
      Map<String, Integer> allowed = new HashMap<>();
      Map<String, Integer> classesOf = new HashMap<>();
      List<String> ready = new ArrayList<>();
      for (int q = 0; q < questions; q++) {
        String id = "q" + q;
        votes.put(id, Votes.EMPTY);
        allowed.put(id, 0);
        classesOf.put(id, 1 + rng.nextInt(4));
        ready.add(id);
      }
      List<Answer> inbox = new ArrayList<>();
      for (String id : ready) {
        inbox.addAll(pool.next(id, Votes.EMPTY, 0));
      }
      int finished = 0;
      while (finished < questions) {
        assertThat(inbox).as("seed %d: somebody must have an answer", seed).isNotEmpty();
        Answer a = inbox.remove(rng.nextInt(inbox.size()));
        String id = a.questionId();
        if (a.decision() instanceof Sample s) {
          allowed.merge(id, s.n(), Integer::sum);
          Votes v = votes.get(id);
          for (int k = 0; k < s.n(); k++) {
            v = v.plus(rng.nextInt(classesOf.get(id)), 1.0);
          }
          votes.put(id, v);
          inbox.addAll(pool.next(id, v, v.samples()));
        } else {
          assertThat(votes.get(id).samples()).isLessThanOrEqualTo(allowed.get(id));
          inbox.addAll(pool.finished(id, votes.get(id).samples()));
          finished++;
        }
        balanced(pool);
      }
      assertThat(pool.spent()).isLessThanOrEqualTo(pool.total());
      assertThat(pool.held()).isZero();
    }
  }
}
