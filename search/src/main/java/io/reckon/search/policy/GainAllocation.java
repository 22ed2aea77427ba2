package io.reckon.search.policy;

import java.util.List;
import java.util.PriorityQueue;

/**
 * The scheduler's grant in compute-optimal mode: greedy water-filling on the policy's per-bin
 * concave accuracy curves, decided one question at a time as probes arrive.
 *
 * <p>A question's probe places it in a difficulty bin. The questions still waiting for their
 * grant are not binned yet, so the pool is planned over the question at hand plus the
 * <em>expected</em> mix of the others: the bins seen so far in this run, smoothed towards equal
 * shares (quantile bins are equally populated on the validation split). Questions of one bin share
 * one curve, so the plan raises a whole bin's level at once: one more generation for each of its
 * {@code count} questions costs {@code count} generations and gains the curve's next slope per
 * generation, the same ratio as for one question. The next level always goes to the bin with the
 * highest gain per generation, which on concave curves is the optimal plan; the question is
 * granted its bin's level, plus an even share of whatever the plan leaves unclaimed.
 *
 * <p>Levels count a question's whole budget, its probe included: the probe's candidates join the
 * final selection, so the first main generation is worth what the curve gains from the probe's
 * size on, not from 0. A probe whose weighted vote is already decisive is granted nothing (it
 * answers from the probe) and is counted in a class of its own that plans no budget, so that the
 * share it did not take goes to the questions after it.
 */
public final class GainAllocation {
  private GainAllocation() {}

  /**
   * The rule's parameters (HOCON {@code reckon.scheduler.gain}).
   *
   * @param decisiveConfidence a probe whose leading answer holds at least this share of the
   *     weighted vote gets no main grant; above 1 turns this off
   * @param priorWeight pseudo-questions of the equal-shares prior in the expected bin mix (0 = the
   *     bins seen so far only)
   * @param maxFactor no grant above this many fair shares of what is available (guards the pool
   *     against a run whose bin mix differs from the one planned on)
   */
  public record Settings(double decisiveConfidence, double priorWeight, double maxFactor) {
    public static final Settings DEFAULT = new Settings(0.95, 5, 4);

    public Settings {
      if (!(decisiveConfidence > 0)) {
        throw new IllegalArgumentException(
            "gain decisive-confidence must be > 0 (above 1 turns it off), was " + decisiveConfidence);
      }
      if (!(priorWeight >= 0) || Double.isInfinite(priorWeight)) {
        throw new IllegalArgumentException("gain prior-weight must be a finite number >= 0, was " + priorWeight);
      }
      if (!(maxFactor >= 1)) {
        throw new IllegalArgumentException("gain max-factor must be >= 1, was " + maxFactor);
      }
    }
  }

  /**
   * One decision's inputs.
   *
   * @param bin the question's bin, 1 (easiest) to {@code curves.size()}
   * @param confidence the probe's leading answer's share of the weighted vote
   * @param probe generations the question's probe spent (its level starts there)
   * @param available generations the pool can give to main searches now
   * @param waiting questions still waiting for a main grant, this one included (at least 1)
   * @param seen questions granted so far in this run: index 0 the decisive ones, index b those of
   *     bin b ({@code curves.size() + 1} entries)
   * @param hopeless the difficulty estimator deems the question hopeless: its grant never exceeds
   *     its fair share, whatever its bin's curve promises
   * @param evenShare the run's even split per question for main searches (pool / questions -
   *     probe): a hopeless question's fair share is never above it, however much earlier questions
   *     gave back (otherwise the hopeless questions at the end of a run inherit the pool)
   */
  public record Request(int bin, double confidence, int probe, long available, long waiting, long[] seen,
      boolean hopeless, long evenShare) {
    public Request {
      if (waiting < 1) {
        throw new IllegalArgumentException("waiting must be >= 1, was " + waiting);
      }
      if (probe < 0) {
        throw new IllegalArgumentException("probe must be >= 0, was " + probe);
      }
      seen = seen.clone();
    }

    /** Without an even share to cap a hopeless question at. */
    public Request(int bin, double confidence, int probe, long available, long waiting, long[] seen,
        boolean hopeless) {
      this(bin, confidence, probe, available, waiting, seen, hopeless, Long.MAX_VALUE);
    }

    /** A question the estimator does not deem hopeless. */
    public Request(int bin, double confidence, int probe, long available, long waiting, long[] seen) {
      this(bin, confidence, probe, available, waiting, seen, false);
    }
  }

  /** True when the probe's vote is decisive enough to answer from it. */
  public static boolean decisive(double confidence, Settings settings) {
    return confidence >= settings.decisiveConfidence();
  }

  /**
   * The main grant (generations on top of the probe) for the question of {@code request}, in
   * {@code [0, available]}.
   *
   * @param curves the policy's concave accuracy-vs-budget curve of each bin, bin 1 first
   */
  public static int grant(List<AccuracyCurve> curves, Request request, Settings settings) {
    int k = curves.size();
    if (request.bin() < 1 || request.bin() > k) {
      throw new IllegalArgumentException("bin must be between 1 and " + k + ", was " + request.bin());
    }
    if (request.seen().length != k + 1) {
      throw new IllegalArgumentException(
          "seen needs " + (k + 1) + " entries (decisive, then one per bin), got " + request.seen().length);
    }
    long available = Math.max(0, request.available());
    if (available == 0 || decisive(request.confidence(), settings)) {
      return 0;
    }
    double[] counts = expectedCounts(request, k, settings.priorWeight());
    double fair = (double) available / request.waiting();
    long cap = request.probe() + (long) Math.floor(Math.min(available, settings.maxFactor() * fair));
    int[] levels = levels(curves, counts, request.probe(), available, cap);
    // What no curve claims (they are flat where validation saw no more gain, which a finite
    // sample overstates) is shared evenly rather than left unspent.
    double planned = 0;
    double questions = 0;
    for (int c = 0; c < k; c++) {
      planned += counts[c] * (levels[c] - request.probe());
      questions += counts[c];
    }
    long extra = (long) Math.floor(Math.max(0, available - planned) / questions);
    long g = Math.min(levels[request.bin() - 1] + extra, cap) - (long) request.probe();
    if (request.hopeless()) {
      g = Math.min(g, (long) Math.floor(Math.min(fair, Math.max(0, request.evenShare()))));
    }
    return (int) Math.max(0, Math.min(g, available));
  }

  /**
   * How many questions of each bin the plan counts: this question in its own bin, plus the
   * {@code waiting - 1} others spread by the smoothed shares of the classes seen so far (the
   * decisive class takes its share away from the bins and plans nothing).
   */
  static double[] expectedCounts(Request r, int k, double priorWeight) {
    double total = priorWeight;
    for (long s : r.seen()) {
      total += Math.max(0, s);
    }
    double others = r.waiting() - 1;
    double[] counts = new double[k];
    for (int b = 1; b <= k; b++) {
      double share = total > 0 ? (Math.max(0, r.seen()[b]) + priorWeight / k) / total : 1.0 / k;
      counts[b - 1] = others * share;
    }
    counts[r.bin() - 1] += 1;
    return counts;
  }

  /**
   * Water-filling over classes of identical questions: every class starts at level {@code start}
   * (per question); one more level for class c costs {@code counts[c]} generations of the pool and
   * goes to the class whose curve gains the most per generation at its level. A class whose next
   * level no longer fits in what is left stops there; no level goes above {@code cap}.
   *
   * @param counts questions per class (may be fractional: an expectation); a class of none stays
   *     at {@code start}
   * @return the per-question level each class reaches
   */
  public static int[] levels(List<AccuracyCurve> curves, double[] counts, int start, long pool, long cap) {
    if (curves.size() != counts.length) {
      throw new IllegalArgumentException(curves.size() + " curves but " + counts.length + " counts");
    }
    if (pool < 0) {
      throw new IllegalArgumentException("pool must be >= 0, got " + pool);
    }
    int[] level = new int[counts.length];
    java.util.Arrays.fill(level, start);
    // Highest gain per generation first; ties to the lower (easier) bin, so plans are deterministic.
    PriorityQueue<double[]> queue = new PriorityQueue<>(
        (a, b) -> a[0] != b[0] ? Double.compare(b[0], a[0]) : Double.compare(a[1], b[1]));
    for (int c = 0; c < counts.length; c++) {
      offer(queue, curves.get(c), level, counts, c, cap);
    }
    double left = pool;
    while (!queue.isEmpty()) {
      int c = (int) queue.poll()[1];
      if (counts[c] > left + 1e-9) {
        continue; // cannot afford a whole level for this class; cheaper classes may still gain
      }
      left -= counts[c];
      level[c]++;
      offer(queue, curves.get(c), level, counts, c, cap);
    }
    return level;
  }

  private static void offer(
      PriorityQueue<double[]> queue, AccuracyCurve curve, int[] level, double[] counts, int c, long cap) {
    if (counts[c] <= 0 || level[c] >= cap) {
      return;
    }
    double gain = curve.at(level[c] + 1) - curve.at(level[c]);
    if (gain > 1e-12) {
      queue.add(new double[] {gain, c});
    }
  }
}
