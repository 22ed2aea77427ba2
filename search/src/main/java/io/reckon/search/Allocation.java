package io.reckon.search;

import io.reckon.protocol.Candidate;
import io.reckon.search.task.Task;
import java.util.List;

/**
 * How the scheduler decides a question's grant from its probe: a pure function, so that the
 * compute-optimal policy can replace it without touching an actor.
 *
 * <p>The rule (until the policy lands):
 *
 * <ol>
 *   <li>The <em>fair share</em> is what is left for main searches divided by the questions still
 *       waiting for theirs, so budget returned by questions that finished early raises the share
 *       of every later one.
 *   <li>The estimated difficulty {@code d = 1 - mean final PRM score of the probe}. Middle
 *       difficulty gains most from more samples: the weight runs from {@link Rule#edgeWeight} at
 *       {@code d = 0} or {@code 1} to {@link Rule#middleWeight} at {@code d = 0.5}, as
 *       {@code edge + (middle - edge) * 4d(1-d)}.
 *   <li>A probe whose weighted vote already agrees needs little more: the weight is multiplied
 *       by {@code 1 - agreementDiscount * clamp((confidence - 0.5) / 0.5, 0, 1)}.
 *   <li>A hopeless question (mean PRM score, or under a compute-optimal policy the difficulty
 *       estimator's predicted pass@1, below {@link Rule#hopelessBelow}) gets at most
 *       {@link Rule#hopelessWeight} of the fair share, and never more than the fair share:
 *       more samples rarely fix it. Its fair share is also never above the run's even split
 *       ({@link Request#evenShare}).
 *   <li>grant = round(fair share * weight), never above {@link Rule#maxFactor} * fair share nor
 *       above what is available.
 * </ol>
 *
 * A question without a probe (probe size 0) gets exactly its fair share.
 */
public final class Allocation {
  private Allocation() {}

  /**
   * What the probe says about a question.
   *
   * @param meanScore mean final (aggregated) PRM score of the probe's scored candidates, in [0, 1]
   * @param confidence the leading answer's share of the weighted vote, in [0, 1]; 0 without answers
   * @param samples how many probe candidates it is based on; 0 = no probe
   */
  public record Estimate(double meanScore, double confidence, int samples) {
    public static final Estimate NONE = new Estimate(Double.NaN, 0, 0);

    public boolean known() {
      return samples > 0 && !Double.isNaN(meanScore);
    }

    /** Estimated difficulty in [0, 1]: 1 - mean PRM score; {@code NaN} when unknown. */
    public double difficulty() {
      return known() ? 1 - meanScore : Double.NaN;
    }

    /** Reads the probe's candidates: mean of their scores, weighted-vote share of the leader. */
    public static Estimate of(List<Candidate> probe, Task task) {
      ProbeFeatures f = ProbeFeatures.of(probe, task);
      return new Estimate(f.meanScore(), f.agreement(), probe.size());
    }
  }

  /** The rule's parameters (HOCON {@code reckon.scheduler.allocation}). */
  public record Rule(
      double edgeWeight,
      double middleWeight,
      double agreementDiscount,
      double hopelessBelow,
      double hopelessWeight,
      double maxFactor) {
    public static final Rule DEFAULT = new Rule(0.5, 1.5, 0.75, 0.15, 0.5, 3.0);

    public Rule {
      if (edgeWeight < 0 || middleWeight < 0 || hopelessWeight < 0) {
        throw new IllegalArgumentException("allocation weights must be >= 0");
      }
      if (agreementDiscount < 0 || agreementDiscount > 1) {
        throw new IllegalArgumentException(
            "allocation agreement-discount must be in [0, 1], was " + agreementDiscount);
      }
      if (maxFactor < 1) {
        throw new IllegalArgumentException("allocation max-factor must be >= 1, was " + maxFactor);
      }
    }

    /** The same rule with another hopeless threshold (a policy's estimator's, on its scale). */
    public Rule withHopelessBelow(double threshold) {
      return new Rule(edgeWeight, middleWeight, agreementDiscount, threshold, hopelessWeight, maxFactor);
    }
  }

  /**
   * One decision's inputs.
   *
   * @param estimate the question's probe
   * @param available generations the pool can give to main searches now (what is left after the
   *     probes of the questions that have not probed yet are set aside)
   * @param waiting questions still waiting for a main grant, this one included (at least 1)
   * @param evenShare the run's even split per question for main searches (pool / questions -
   *     probe): a hopeless question's fair share is never above it. What earlier questions gave
   *     back raises everyone's fair share as the run goes on, so without this cap the hopeless
   *     questions at the end of a run (the hardest, in a file sorted by level) inherit the pool.
   */
  public record Request(Estimate estimate, long available, long waiting, long evenShare) {
    public Request {
      if (waiting < 1) {
        throw new IllegalArgumentException("waiting must be >= 1, was " + waiting);
      }
    }

    /** Without an even share to cap a hopeless question at. */
    public Request(Estimate estimate, long available, long waiting) {
      this(estimate, available, waiting, Long.MAX_VALUE);
    }
  }

  /** The relative weight the rule gives a question; 1 means exactly its fair share. */
  public static double weight(Estimate e, Rule rule) {
    if (!e.known()) {
      return 1.0;
    }
    double d = clamp(e.difficulty());
    double w = rule.edgeWeight() + (rule.middleWeight() - rule.edgeWeight()) * 4 * d * (1 - d);
    w *= 1 - rule.agreementDiscount() * clamp((e.confidence() - 0.5) / 0.5);
    if (hopeless(e, rule)) {
      w = Math.min(w, Math.min(1.0, rule.hopelessWeight()));
    }
    return Math.min(w, rule.maxFactor());
  }

  /** Below the rule's hopeless threshold (a probe that scored nothing is not judged). */
  public static boolean hopeless(Estimate e, Rule rule) {
    return e.known() && e.meanScore() < rule.hopelessBelow();
  }

  /** The grant in generations for the question's main search: in [0, available]. */
  public static int grant(Request r, Rule rule) {
    long available = Math.max(0, r.available());
    double fair = (double) available / r.waiting();
    if (hopeless(r.estimate(), rule)) {
      fair = Math.min(fair, Math.max(0, r.evenShare()));
    }
    long g = Math.round(fair * weight(r.estimate(), rule));
    return (int) Math.min(Math.min(g, available), Integer.MAX_VALUE);
  }

  private static double clamp(double x) {
    return Math.max(0, Math.min(1, x));
  }
}
