package io.reckon.search;

import io.reckon.protocol.Candidate;
import io.reckon.search.task.Task;
import java.util.List;

/**
 * What a probe's scored candidates say about a question, without the ground truth and without
 * anything task-specific: the features the learned difficulty estimator reads.
 *
 * @param meanScore mean final (aggregated) PRM score of the scored candidates, in [0, 1]
 * @param minScore the lowest final score
 * @param agreement the leading answer's share of the PRM-weighted vote, in [0, 1] (0 without answers)
 * @param entropy Shannon entropy (nats) of the weighted vote's shares, 0 when one answer has it all
 * @param answerShare distinct answers per candidate, in [0, 1] (candidates without an answer count
 *     as one answer each: a probe that never finishes is as scattered as it gets)
 * @param samples candidates the features are based on; 0 = no probe
 */
public record ProbeFeatures(
    double meanScore, double minScore, double agreement, double entropy, double answerShare,
    int samples) {

  public static final ProbeFeatures NONE = new ProbeFeatures(Double.NaN, Double.NaN, 0, 0, 1, 0);

  /** A probe that was not scored, in finite numbers (for JSON): {@link #known()} is false. */
  public static final ProbeFeatures UNSCORED = new ProbeFeatures(0, 0, 0, 0, 1, 0);

  /** The feature names, in the order of {@link #vector()}. */
  public static final List<String> NAMES =
      List.of("meanScore", "minScore", "agreement", "entropy", "answerShare");

  public boolean known() {
    return samples > 0 && !Double.isNaN(meanScore);
  }

  public double[] vector() {
    return new double[] {meanScore, minScore, agreement, entropy, answerShare};
  }

  /** The features of a probe; its answers vote by the task's equivalence. */
  public static ProbeFeatures of(List<Candidate> probe, Task task) {
    double sum = 0;
    double min = Double.POSITIVE_INFINITY;
    int scored = 0;
    int unanswered = 0;
    for (Candidate c : probe) {
      if (!Double.isNaN(c.score())) {
        sum += c.score();
        min = Math.min(min, c.score());
        scored++;
      }
      if (c.answer() == null) {
        unanswered++;
      }
    }
    if (scored == 0) {
      return new ProbeFeatures(Double.NaN, Double.NaN, 0, 0, 1, probe.size());
    }
    List<Selection.Tally> tallies = Selection.tally(probe, task);
    double total = 0;
    double lead = 0;
    for (Selection.Tally t : tallies) {
      total += t.weight;
      lead = Math.max(lead, t.weight);
    }
    double entropy = 0;
    if (total > 0) {
      for (Selection.Tally t : tallies) {
        double p = t.weight / total;
        if (p > 0) {
          entropy -= p * Math.log(p);
        }
      }
    }
    double answers = (tallies.size() + unanswered) / (double) probe.size();
    return new ProbeFeatures(sum / scored, min, total > 0 ? lead / total : 0, entropy,
        Math.min(1, answers), probe.size());
  }
}
