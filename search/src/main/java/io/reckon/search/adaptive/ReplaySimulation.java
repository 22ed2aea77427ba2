package io.reckon.search.adaptive;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Replays recorded samples through the allocation methods, offline: every method sees the same
 * questions in the same sample orders, so their accuracies differ only by how they spend samples.
 *
 * <ul>
 *   <li>{@link #fixed}: the first k samples of each question (majority@k, RM-weighted@k, RM-best@k);
 *   <li>{@link #independent}: each question alone, in rounds, until its stopping rule stops it or
 *       it reaches its cap (Adaptive-Consistency with a posterior rule, ESC with the window rule);
 *   <li>{@link #pooled}: every question shares the run's pool through {@link AdaptivePool}, exactly
 *       as the scheduler does in a run: all questions start at once and take their rounds in turn.
 * </ul>
 *
 * Answers arrive already grouped into classes by the run's task equivalence ({@link Recorded}); no
 * answer text is compared here.
 */
public final class ReplaySimulation {
  private ReplaySimulation() {}

  /**
   * One question's recorded samples.
   *
   * @param id the question's id
   * @param classes per recorded sample, its answer's class under the task's equivalence (-1 = none)
   * @param scores per recorded sample, the verifier's score ({@code NaN} where none was recorded)
   * @param correct per class, whether it is the right answer
   */
  public record Recorded(String id, int[] classes, double[] scores, boolean[] correct) {
    public Recorded {
      if (classes.length != scores.length) {
        throw new IllegalArgumentException(id + ": " + classes.length + " samples, " + scores.length + " scores");
      }
      for (int c : classes) {
        if (c >= correct.length) {
          throw new IllegalArgumentException(id + ": class " + c + " but " + correct.length + " classes");
        }
      }
    }

    public int samples() {
      return classes.length;
    }

    boolean right(int answerClass) {
      return answerClass >= 0 && correct[answerClass];
    }
  }

  /** How a question's samples become its answer. */
  public enum Vote {
    /** The most frequent answer (ties: the one seen first). */
    MAJORITY,
    /** The largest summed verifier score (RM-weighted). */
    WEIGHTED,
    /** The single best-scored sample's answer (RM-best, naive best-of-N). */
    BEST;

    double weight(Recorded q, int sample) {
      if (this == MAJORITY) {
        return 1.0;
      }
      double s = q.scores()[sample];
      if (Double.isNaN(s)) {
        throw new IllegalArgumentException(q.id() + ": sample " + sample + " has no recorded score; "
            + this + " needs one");
      }
      return s;
    }
  }

  /**
   * Per order and question: 1 when the chosen answer is right, and the samples it used.
   *
   * @param correct {@code [order][question]}
   * @param samples {@code [order][question]}
   */
  public record Outcome(double[][] correct, double[][] samples) {
    public double accuracy() {
      return mean(correct);
    }

    public double meanSamples() {
      return mean(samples);
    }

    private static double mean(double[][] x) {
      double s = 0;
      long n = 0;
      for (double[] row : x) {
        for (double v : row) {
          s += v;
          n++;
        }
      }
      return n == 0 ? Double.NaN : s / n;
    }
  }

  /** The chosen answer's class of the first {@code n} samples of {@code order}. */
  static int choose(Recorded q, int[] order, int n, Vote vote) {
    if (vote == Vote.BEST) {
      int best = -1;
      double top = Double.NEGATIVE_INFINITY;
      for (int i = 0; i < n; i++) {
        int k = order[i];
        if (q.classes()[k] >= 0 && vote.weight(q, k) > top) {
          top = vote.weight(q, k);
          best = q.classes()[k];
        }
      }
      return best;
    }
    return votes(q, order, n, vote).leader();
  }

  static Votes votes(Recorded q, int[] order, int n, Vote vote) {
    int[] c = new int[n];
    double[] w = new double[n];
    for (int i = 0; i < n; i++) {
      c[i] = q.classes()[order[i]];
      w[i] = vote == Vote.MAJORITY ? 1.0 : vote.weight(q, order[i]);
    }
    return new Votes(c, w);
  }

  /** Voting weights for the stopping rule: majority votes for BEST too (a best is no vote). */
  private static Vote ruleVote(Vote vote) {
    return vote == Vote.WEIGHTED ? Vote.WEIGHTED : Vote.MAJORITY;
  }

  /**
   * The first {@code k} samples of each question (fewer where a question has fewer).
   *
   * @param orders {@code [order][question][i]}: the sample order of each question in each replay
   */
  public static Outcome fixed(List<Recorded> qs, int[][][] orders, int k, Vote vote) {
    double[][] correct = new double[orders.length][qs.size()];
    double[][] samples = new double[orders.length][qs.size()];
    for (int o = 0; o < orders.length; o++) {
      for (int q = 0; q < qs.size(); q++) {
        Recorded r = qs.get(q);
        int n = Math.min(k, r.samples());
        correct[o][q] = r.right(choose(r, orders[o][q], n, vote)) ? 1 : 0;
        samples[o][q] = n;
      }
    }
    return new Outcome(correct, samples);
  }

  /**
   * Whether any of the first {@code k} samples is right (pass@k): the ceiling of every selection
   * from those samples, reported beside the methods so that a gain that cannot exist is not
   * looked for.
   */
  public static Outcome anyRight(List<Recorded> qs, int[][][] orders, int k) {
    double[][] correct = new double[orders.length][qs.size()];
    double[][] samples = new double[orders.length][qs.size()];
    for (int o = 0; o < orders.length; o++) {
      for (int q = 0; q < qs.size(); q++) {
        Recorded r = qs.get(q);
        int n = Math.min(k, r.samples());
        for (int i = 0; i < n && correct[o][q] == 0; i++) {
          correct[o][q] = r.right(r.classes()[orders[o][q][i]]) ? 1 : 0;
        }
        samples[o][q] = n;
      }
    }
    return new Outcome(correct, samples);
  }

  /** Each question alone: rounds of {@code round} until {@code rule} stops it or {@code cap}. */
  public static Outcome independent(
      List<Recorded> qs, int[][][] orders, StoppingRule rule, int cap, int round, Vote vote) {
    double[][] correct = new double[orders.length][qs.size()];
    double[][] samples = new double[orders.length][qs.size()];
    for (int o = 0; o < orders.length; o++) {
      for (int q = 0; q < qs.size(); q++) {
        Recorded r = qs.get(q);
        int max = Math.min(cap, r.samples());
        int n = 0;
        while (n < max) {
          n = Math.min(max, n + round);
          if (rule.stop(votes(r, orders[o][q], n, ruleVote(vote)))) {
            break;
          }
        }
        correct[o][q] = r.right(choose(r, orders[o][q], n, vote)) ? 1 : 0;
        samples[o][q] = n;
      }
    }
    return new Outcome(correct, samples);
  }

  /**
   * The run's pool shared by all questions: each is entitled to {@code share} samples, and what
   * settled questions save goes to the least settled ones ({@link AdaptivePool}). A question never
   * draws more than it has recorded (the pool's cap is lowered to that).
   */
  public static Outcome pooled(
      List<Recorded> qs, int[][][] orders, AdaptivePool.Settings settings, int share, Vote vote) {
    double[][] correct = new double[orders.length][qs.size()];
    double[][] samples = new double[orders.length][qs.size()];
    int recorded = qs.stream().mapToInt(Recorded::samples).min().orElse(0);
    int cap = settings.maxPerQuestion() == 0 ? recorded : Math.min(settings.maxPerQuestion(), recorded);
    AdaptivePool.Settings s = new AdaptivePool.Settings(
        settings.rule(), settings.round(), cap, settings.hopelessBelow());
    for (int o = 0; o < orders.length; o++) {
      AdaptivePool pool = new AdaptivePool((long) share * qs.size(), qs.size(), s);
      int[] drawn = new int[qs.size()];
      Deque<AdaptivePool.Answer> inbox = new ArrayDeque<>();
      for (int q = 0; q < qs.size(); q++) {
        inbox.addAll(pool.next(Integer.toString(q), Votes.EMPTY, 0));
      }
      int finished = 0;
      while (!inbox.isEmpty()) {
        AdaptivePool.Answer a = inbox.poll();
        int q = Integer.parseInt(a.questionId());
        Recorded r = qs.get(q);
        if (a.decision() instanceof AdaptivePool.Sample sample) {
          drawn[q] = Math.min(r.samples(), drawn[q] + sample.n());
          inbox.addAll(pool.next(a.questionId(), votes(r, orders[o][q], drawn[q], ruleVote(vote)), drawn[q]));
        } else {
          inbox.addAll(pool.finished(a.questionId(), drawn[q]));
          finished++;
          correct[o][q] = r.right(choose(r, orders[o][q], drawn[q], vote)) ? 1 : 0;
          samples[o][q] = drawn[q];
        }
      }
      if (finished != qs.size() || pool.spent() > pool.total()) {
        throw new IllegalStateException("pool simulation lost questions or overspent: " + finished
            + " of " + qs.size() + " finished, " + pool.spent() + " of " + pool.total() + " spent");
      }
    }
    return new Outcome(correct, samples);
  }

  /** A value and its 95 % interval. */
  public record Interval(double value, double low, double high) {
    public boolean lowAbove(double x) {
      return low > x;
    }
  }

  /**
   * A 95 % percentile bootstrap over questions and sample orders (two stages: each resample draws
   * the questions with replacement, and for each drawn question one of the orders), seeded.
   *
   * @param value {@code [order][question]}
   */
  public static Interval bootstrap(double[][] value, long seed, int resamples) {
    return bootstrapDifference(value, null, seed, resamples);
  }

  /** The paired difference {@code a - b}: the same questions and orders in each resample. */
  public static Interval bootstrapDifference(double[][] a, double[][] b, long seed, int resamples) {
    int orders = a.length;
    int questions = a[0].length;
    double point = 0;
    for (int o = 0; o < orders; o++) {
      for (int q = 0; q < questions; q++) {
        point += a[o][q] - (b == null ? 0 : b[o][q]);
      }
    }
    point /= (double) orders * questions;
    SplittableRandom rng = new SplittableRandom(seed);
    double[] stats = new double[resamples];
    for (int r = 0; r < resamples; r++) {
      double s = 0;
      for (int i = 0; i < questions; i++) {
        int q = rng.nextInt(questions);
        int o = rng.nextInt(orders);
        s += a[o][q] - (b == null ? 0 : b[o][q]);
      }
      stats[r] = s / questions;
    }
    Arrays.sort(stats);
    return new Interval(point, percentile(stats, 0.025), percentile(stats, 0.975));
  }

  private static double percentile(double[] sorted, double p) {
    double pos = p * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  }

  /** Questions' sample orders for {@code count} replays, as the replay backend draws them. */
  public static int[][][] orders(List<Recorded> qs, int count, long firstSeed,
      java.util.function.BiFunction<Long, Recorded, int[]> order) {
    int[][][] out = new int[count][qs.size()][];
    for (int o = 0; o < count; o++) {
      for (int q = 0; q < qs.size(); q++) {
        out[o][q] = order.apply(firstSeed + o, qs.get(q));
      }
    }
    return out;
  }

  /** The ids of the questions, for tables. */
  public static List<String> ids(List<Recorded> qs) {
    List<String> out = new ArrayList<>(qs.size());
    qs.forEach(q -> out.add(q.id()));
    return out;
  }
}
