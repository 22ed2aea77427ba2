package io.reckon.search.adaptive;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adaptive allocation with a pool: every question samples in rounds and asks after each; a
 * stopping rule on its vote ends it; what it did not spend of its share returns to the run's pool,
 * and the pool grants it, a round at a time, to the questions whose vote is least settled, never
 * to one it deems hopeless.
 *
 * <p>Each question is entitled to its share ({@code total / questions}, the run's even split).
 * Within its share a question samples as long as its rule does not stop it. Once its share is
 * spent and its vote is still unsettled it asks the pool: a hopeless vote (no answer, or the
 * leader's share below {@link Settings#hopelessBelow}) is stopped; any other waits until budget
 * that questions saved is free, and the least settled waiting question (lowest
 * {@link StoppingRule#settled}) is served first. When nothing can come back any more (every
 * question still running is waiting too) the waiting questions stop.
 *
 * <p>Books, in generations: {@code total == free + reserved + held + spent} at all times, where
 * {@code reserved} is the shares of the questions that have not started, {@code held} what the
 * running questions may spend (share plus pool grants) and {@code spent} what finished questions
 * spent. Pure and single-threaded: the scheduler actor (or an offline simulation) drives it.
 */
public final class AdaptivePool {

  /**
   * The pool's parameters (HOCON {@code reckon.scheduler.adaptive}).
   *
   * @param rule when a question has sampled enough
   * @param round samples per round (what a question asks for at a time)
   * @param maxPerQuestion no question samples more than this in all (0 = no cap)
   * @param hopelessBelow a question past its share whose leader holds less than this share of
   *     the vote gets nothing from the pool
   */
  public record Settings(StoppingRule rule, int round, int maxPerQuestion, double hopelessBelow) {
    public Settings {
      if (rule == null) {
        throw new IllegalArgumentException("adaptive allocation needs a stopping rule");
      }
      if (round < 1) {
        throw new IllegalArgumentException("adaptive round must be >= 1 sample, was " + round);
      }
      if (maxPerQuestion < 0) {
        throw new IllegalArgumentException(
            "adaptive max-per-question must be >= 0 (0 = no cap), was " + maxPerQuestion);
      }
      if (!(hopelessBelow >= 0 && hopelessBelow <= 1)) {
        throw new IllegalArgumentException(
            "adaptive hopeless-below must be in [0, 1], was " + hopelessBelow);
      }
    }
  }

  /** Why a question stops. */
  public enum Reason {
    /** Its stopping rule is satisfied. */
    SETTLED,
    /** It reached the per-question cap. */
    CAP,
    /** Its share is spent and its vote looks hopeless, so the pool gives it nothing. */
    HOPELESS,
    /** Its share is spent and nothing is left, or can come back, in the pool. */
    POOL_EMPTY,
    /** It waited for the pool longer than allowed. */
    EXPIRED
  }

  /** What a question is told. */
  public sealed interface Decision {}

  /** Sample {@code n} more. */
  public record Sample(int n) implements Decision {}

  /** Sample no more; select from what you have. */
  public record Stop(Reason reason) implements Decision {}

  /** An answer to a question's ask, possibly for another question that was waiting. */
  public record Answer(String questionId, Decision decision) {}

  private final Settings settings;
  private long total;
  private int questions;
  private int started;
  private long spentFinished;
  private long returned;
  private long fromPool;
  private final Map<String, Long> held = new HashMap<>();
  /** Waiting questions in the order they asked: how settled each is, and what it spent. */
  private final Map<String, double[]> waiting = new LinkedHashMap<>();

  /**
   * @param total the pool in generations (every question's share included)
   * @param questions questions the run will ask about
   */
  public AdaptivePool(long total, int questions, Settings settings) {
    if (questions < 0 || total < 0) {
      throw new IllegalArgumentException("questions and total must be >= 0");
    }
    this.total = total;
    this.questions = questions;
    this.settings = settings;
  }

  /**
   * An open pool (a long-running service) takes one more question with {@code generations} as
   * its share's worth: the pool and its question count grow together.
   */
  public void admit(long generations) {
    total += generations;
    questions++;
  }

  /**
   * A continued run: {@code finished} questions finished before (as the journal says), having
   * been given {@code granted} and spent {@code spent} generations.
   */
  public void restore(int finished, long granted, long spent) {
    if (finished < 0 || spent < 0 || granted < spent) {
      throw new IllegalArgumentException("restored books must have 0 <= spent <= granted, finished >= 0");
    }
    started += finished;
    spentFinished += spent;
    returned += granted - spent;
  }

  public Settings settings() {
    return settings;
  }

  /**
   * A question's even share: the pool over its questions (an open pool's grows with each
   * admitted question by what that question brings).
   */
  public long share() {
    return questions == 0 ? 0 : total / questions;
  }

  /**
   * A question reports its votes after a round (or before its first, with no votes) and asks
   * whether to go on. The answers may include questions that were waiting; this question's own
   * answer is among them unless it has to wait.
   */
  public List<Answer> next(String questionId, Votes votes, long spent) {
    Long h = held.get(questionId);
    if (h == null) {
      h = share();
      held.put(questionId, h);
      started++;
    }
    waiting.remove(questionId);
    List<Answer> out = new ArrayList<>();
    int cap = settings.maxPerQuestion();
    if (settings.rule().stop(votes)) {
      out.add(new Answer(questionId, new Stop(Reason.SETTLED)));
    } else if (cap > 0 && spent >= cap) {
      out.add(new Answer(questionId, new Stop(Reason.CAP)));
    } else if (spent < h) {
      out.add(new Answer(questionId, new Sample(roundOf(h - spent, spent))));
    } else if (hopeless(votes)) {
      out.add(new Answer(questionId, new Stop(Reason.HOPELESS)));
    } else {
      waiting.put(questionId, new double[] {settings.rule().settled(votes), spent});
      drain(out);
    }
    return out;
  }

  /** True when the vote, past the question's share, is not worth the pool's budget. */
  public boolean hopeless(Votes votes) {
    return votes.answered() == 0 || votes.leaderShare() < settings.hopelessBelow();
  }

  /**
   * A question is done (stopped, answered or failed) having spent {@code spent} generations: what
   * it held and did not spend returns to the pool, which may serve waiting questions.
   */
  public List<Answer> finished(String questionId, long spent) {
    waiting.remove(questionId);
    Long h = held.remove(questionId);
    if (h == null) {
      // Failed before it ever asked: its share was still reserved.
      started++;
      h = share();
    }
    if (spent > h) {
      // Spent beyond what it held (a strategy that overran): the books follow what happened,
      // and free() shows the overdraft.
      h = spent;
    }
    returned += h - spent;
    spentFinished += spent;
    List<Answer> out = new ArrayList<>();
    drain(out);
    return out;
  }

  /** A waiting question waited too long: it stops (nothing is taken from the pool). */
  public List<Answer> expire(String questionId) {
    if (waiting.remove(questionId) == null) {
      return List.of();
    }
    return List.of(new Answer(questionId, new Stop(Reason.EXPIRED)));
  }

  /** Serves waiting questions, least settled first, while the pool has budget; stops them when
   * nothing can come back. */
  private void drain(List<Answer> out) {
    while (!waiting.isEmpty()) {
      long free = free();
      if (free < 1) {
        if (running() == 0) {
          for (String id : List.copyOf(waiting.keySet())) {
            out.add(new Answer(id, new Stop(Reason.POOL_EMPTY)));
          }
          waiting.clear();
        }
        return;
      }
      String next = null;
      double[] best = null;
      for (Map.Entry<String, double[]> e : waiting.entrySet()) {
        double[] w = e.getValue();
        if (best == null || w[0] < best[0] || (w[0] == best[0] && w[1] < best[1])) {
          best = w;
          next = e.getKey();
        }
      }
      waiting.remove(next);
      long spent = (long) best[1];
      int n = (int) Math.min(roundOf(Long.MAX_VALUE, spent), free);
      held.merge(next, (long) n, Long::sum);
      fromPool += n;
      out.add(new Answer(next, new Sample(n)));
    }
  }

  /** A round, within what the question may still spend and its cap. */
  private int roundOf(long left, long spent) {
    long n = Math.min(settings.round(), left);
    if (settings.maxPerQuestion() > 0) {
      n = Math.min(n, settings.maxPerQuestion() - spent);
    }
    return (int) Math.max(1, n);
  }

  /** Questions that are running and not waiting: they may still give budget back. */
  private int running() {
    return held.size() - waiting.size();
  }

  /** Shares of the questions that have not started. */
  public long reserved() {
    return share() * Math.max(0, questions - started);
  }

  /** What running questions may spend (their shares and the pool's grants). */
  public long held() {
    long sum = 0;
    for (long h : held.values()) {
      sum += h;
    }
    return sum;
  }

  /** Budget that finished questions saved and the pool has not granted yet. */
  public long free() {
    return total - reserved() - held() - spentFinished;
  }

  public long total() {
    return total;
  }

  /** What finished questions spent. */
  public long spent() {
    return spentFinished;
  }

  /** What finished questions did not spend of what they held. */
  public long returned() {
    return returned;
  }

  /** What the pool granted beyond shares (rounds for waiting questions). */
  public long grantedFromPool() {
    return fromPool;
  }

  /** Questions waiting for the pool now. */
  public List<String> waitingIds() {
    return List.copyOf(waiting.keySet());
  }
}
