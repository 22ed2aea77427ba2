package io.reckon.search.policy;

import io.reckon.search.ProbeFeatures;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Predicts a question's pass@1 from its probe alone (no ground truth, nothing task-specific):
 * the variable the predicted-difficulty bins cut and the allocation reads.
 *
 * <p>{@code logistic}: a logistic regression on the standardised {@link ProbeFeatures} (mean and
 * min final PRM score, the weighted vote's agreement and entropy, distinct answers per sample),
 * fitted to the validation questions' oracle pass@1 (soft labels, cross-entropy, a small L2
 * penalty, full-batch gradient descent from zero: deterministic). Unlike the mean PRM score alone,
 * it learns that a probe which scores well but cannot agree on an answer is hard: the shipped
 * PRM scores hopeless level-6 questions in the middle of its range.
 *
 * <p>{@code mean-score}: the probe's mean final PRM score itself, the predictor before this
 * estimator existed (a policy learned then carries it).
 *
 * @param kind {@code logistic} or {@code mean-score}
 * @param features the feature names, {@link ProbeFeatures#NAMES} ({@code logistic}; else empty)
 * @param mean per feature, the validation mean it is centred on
 * @param scale per feature, the validation standard deviation it is divided by (1 where 0)
 * @param weights per feature, the fitted coefficient
 * @param bias the fitted intercept
 * @param hopelessBelow a question whose predicted pass@1 is below this is deemed hopeless: no
 *     allocation gives it more than its fair share
 */
public record DifficultyEstimator(
    String kind,
    List<String> features,
    List<Double> mean,
    List<Double> scale,
    List<Double> weights,
    double bias,
    double hopelessBelow) {

  public static final String LOGISTIC = "logistic";
  public static final String MEAN_SCORE = "mean-score";
  /** Below 1 in 20: more samples rarely find the answer, so the budget goes elsewhere. */
  public static final double DEFAULT_HOPELESS = 0.05;

  private static final int ITERATIONS = 3000;
  private static final double LEARNING_RATE = 0.5;
  private static final double L2 = 1e-3;

  public DifficultyEstimator {
    Objects.requireNonNull(kind, "kind");
    features = List.copyOf(features);
    mean = List.copyOf(mean);
    scale = List.copyOf(scale);
    weights = List.copyOf(weights);
  }

  /** The predictor of a policy learned before the estimator: the probe's mean final score. */
  public static DifficultyEstimator meanScore(double hopelessBelow) {
    return new DifficultyEstimator(MEAN_SCORE, List.of(), List.of(), List.of(), List.of(), 0,
        hopelessBelow);
  }

  /** Checks the estimator is whole; every problem names its field. */
  public DifficultyEstimator validate() {
    if (!kind.equals(LOGISTIC) && !kind.equals(MEAN_SCORE)) {
      throw new IllegalArgumentException(
          "policy: estimator.kind must be " + LOGISTIC + " or " + MEAN_SCORE + ", got '" + kind + "'");
    }
    if (kind.equals(LOGISTIC)) {
      if (!features.equals(ProbeFeatures.NAMES)) {
        throw new IllegalArgumentException(
            "policy: estimator.features must be " + ProbeFeatures.NAMES + ", got " + features);
      }
      int k = features.size();
      if (mean.size() != k || scale.size() != k || weights.size() != k) {
        throw new IllegalArgumentException(
            "policy: estimator.mean, scale and weights need one entry per feature (" + k + ")");
      }
      for (int i = 0; i < k; i++) {
        if (!Double.isFinite(mean.get(i)) || !(scale.get(i) > 0) || !Double.isFinite(scale.get(i))
            || !Double.isFinite(weights.get(i))) {
          throw new IllegalArgumentException(
              "policy: estimator feature " + features.get(i) + " needs a finite mean and weight "
                  + "and a finite scale > 0");
        }
      }
    }
    if (!Double.isFinite(bias) || !(hopelessBelow >= 0 && hopelessBelow <= 1)) {
      throw new IllegalArgumentException(
          "policy: estimator.bias must be finite and hopelessBelow in [0, 1]");
    }
    return this;
  }

  /** Predicted pass@1 in [0, 1]; {@code NaN} for a probe that was not scored. */
  public double predict(ProbeFeatures probe) {
    if (!probe.known()) {
      return Double.NaN;
    }
    if (kind.equals(MEAN_SCORE)) {
      return probe.meanScore();
    }
    double[] x = probe.vector();
    double z = bias;
    for (int i = 0; i < x.length; i++) {
      z += weights.get(i) * (x[i] - mean.get(i)) / scale.get(i);
    }
    return sigmoid(z);
  }

  /** The score to bin by: the prediction, or 0 (hardest) for an unscored probe. */
  public double binScore(ProbeFeatures probe) {
    double p = predict(probe);
    return Double.isNaN(p) ? 0.0 : p;
  }

  public boolean hopeless(ProbeFeatures probe) {
    double p = predict(probe);
    return !Double.isNaN(p) && p < hopelessBelow;
  }

  /**
   * Fits the logistic estimator to the oracle pass@1 of validation questions; probes that were
   * not scored are left out of the fit.
   */
  public static DifficultyEstimator learn(
      List<ProbeFeatures> probes, List<Double> passAt1, double hopelessBelow) {
    if (probes.size() != passAt1.size()) {
      throw new IllegalArgumentException(
          probes.size() + " probes but " + passAt1.size() + " pass@1 values");
    }
    List<double[]> xs = new ArrayList<>();
    List<Double> ys = new ArrayList<>();
    for (int q = 0; q < probes.size(); q++) {
      if (probes.get(q).known()) {
        xs.add(probes.get(q).vector());
        ys.add(passAt1.get(q));
      }
    }
    int k = ProbeFeatures.NAMES.size();
    double[] mu = new double[k];
    double[] sd = new double[k];
    int n = xs.size();
    if (n == 0) {
      throw new IllegalArgumentException("no scored probe to learn the difficulty estimator from");
    }
    for (double[] x : xs) {
      for (int i = 0; i < k; i++) {
        mu[i] += x[i] / n;
      }
    }
    for (double[] x : xs) {
      for (int i = 0; i < k; i++) {
        sd[i] += (x[i] - mu[i]) * (x[i] - mu[i]) / n;
      }
    }
    for (int i = 0; i < k; i++) {
      sd[i] = sd[i] > 1e-12 ? Math.sqrt(sd[i]) : 1.0;
    }
    double[][] z = new double[n][k];
    for (int q = 0; q < n; q++) {
      for (int i = 0; i < k; i++) {
        z[q][i] = (xs.get(q)[i] - mu[i]) / sd[i];
      }
    }
    double[] w = new double[k];
    double meanY = ys.stream().mapToDouble(Double::doubleValue).average().orElse(0.5);
    double clampedY = Math.min(1 - 1e-4, Math.max(1e-4, meanY));
    double b = Math.log(clampedY / (1 - clampedY));
    for (int it = 0; it < ITERATIONS; it++) {
      double[] gw = new double[k];
      double gb = 0;
      for (int q = 0; q < n; q++) {
        double s = b;
        for (int i = 0; i < k; i++) {
          s += w[i] * z[q][i];
        }
        double err = sigmoid(s) - ys.get(q);
        gb += err / n;
        for (int i = 0; i < k; i++) {
          gw[i] += err * z[q][i] / n;
        }
      }
      b -= LEARNING_RATE * gb;
      for (int i = 0; i < k; i++) {
        w[i] -= LEARNING_RATE * (gw[i] + L2 * w[i]);
      }
    }
    return new DifficultyEstimator(LOGISTIC, ProbeFeatures.NAMES, boxed(mu), boxed(sd), boxed(w), b,
        hopelessBelow).validate();
  }

  private static double sigmoid(double z) {
    return 1 / (1 + Math.exp(-z));
  }

  private static List<Double> boxed(double[] xs) {
    List<Double> out = new ArrayList<>(xs.length);
    for (double x : xs) {
      out.add(x);
    }
    return out;
  }
}
