package io.reckon.search.adaptive;

import java.util.Arrays;
import java.util.Locale;
import org.apache.commons.math3.analysis.integration.IterativeLegendreGaussIntegrator;
import org.apache.commons.math3.special.Beta;
import org.apache.commons.math3.special.Gamma;

/**
 * When a question has sampled enough: a rule on its (weighted) vote, checked after every round.
 *
 * <ul>
 *   <li>{@link PosteriorBeta} and {@link PosteriorDirichlet}: Adaptive-Consistency (Aggarwal et al.
 *       2023, arXiv 2305.11860): stop once the posterior probability that the leading answer is
 *       the most likely answer of the model reaches a threshold (0.95 in the paper).
 *   <li>{@link Window}: Early-Stopping Self-Consistency (Li et al., ICLR 2024): stop once every
 *       sample of the latest window gives the same answer.
 *   <li>{@link Never}: sample the whole budget (majority@k).
 * </ul>
 *
 * Every rule refuses to stop while the vote is tied (no answer yet, or the top two equal): there
 * is no leader to keep. {@link #settled} puts questions in order for the pool (lower = less
 * settled = first to get budget another question saved).
 */
public sealed interface StoppingRule {

  /** True when the question should sample no more. */
  boolean stop(Votes votes);

  /**
   * How settled the vote is, in [0, 1]: the probability the rule gives that the leader stays the
   * leader (the share of the latest window that agrees with it, for the window rule).
   */
  double settled(Votes votes);

  /** The canonical text form; {@link #parse} reads it back. */
  String name();

  /** Never stops: the whole budget is sampled. */
  record Never() implements StoppingRule {
    @Override
    public boolean stop(Votes votes) {
      return false;
    }

    @Override
    public double settled(Votes votes) {
      return PosteriorBeta.probability(votes);
    }

    @Override
    public String name() {
      return "never";
    }
  }

  /**
   * Adaptive-Consistency's Beta rule: with {@code v1} and {@code v2} the summed weights of the top
   * two answers, the posterior of the leader's share among them is Beta(v1 + 1, v2 + 1) (uniform
   * prior); stop when P(share &gt; 1/2) reaches {@code threshold}. Four agreeing samples and
   * nothing else pass 0.95 (1 - 2^-5); three do not (1 - 2^-4).
   */
  record PosteriorBeta(double threshold) implements StoppingRule {
    public PosteriorBeta {
      Check.threshold(threshold);
    }

    @Override
    public boolean stop(Votes votes) {
      return !votes.tied() && probability(votes) >= threshold;
    }

    @Override
    public double settled(Votes votes) {
      return probability(votes);
    }

    /** P(the leader's share of the top two &gt; 1/2) under Beta(v1 + 1, v2 + 1); 1/2 when tied. */
    static double probability(Votes votes) {
      if (votes.tied()) {
        return 0.5;
      }
      double[] s = votes.sortedTally();
      double v1 = s[0];
      double v2 = s.length > 1 ? s[1] : 0.0;
      // P(X > 1/2) for X ~ Beta(a, b) is I_{1/2}(b, a).
      return Beta.regularizedBeta(0.5, v2 + 1, v1 + 1);
    }

    @Override
    public String name() {
      return "beta:" + Check.format(threshold);
    }
  }

  /**
   * Adaptive-Consistency's Dirichlet rule: the posterior over the model's answer distribution is
   * Dirichlet(v + 1) over the answers seen so far plus one class for every answer not seen yet
   * (pseudo-count 1); stop when the probability that the leader's share is the largest reaches
   * {@code threshold}. With one answer seen it equals the Beta rule.
   *
   * <p>Computed exactly, as one integral: with independent X_i ~ Gamma(alpha_i),
   * P(X_1 &gt; X_j for all j) = integral of f_1(x) * prod_j F_j(x) dx.
   */
  record PosteriorDirichlet(double threshold) implements StoppingRule {
    public PosteriorDirichlet {
      Check.threshold(threshold);
    }

    @Override
    public boolean stop(Votes votes) {
      return !votes.tied() && probability(votes) >= threshold;
    }

    @Override
    public double settled(Votes votes) {
      return probability(votes);
    }

    static double probability(Votes votes) {
      if (votes.tied()) {
        return 0.5;
      }
      double[] s = votes.sortedTally();
      double[] alpha = new double[s.length + 1];
      for (int i = 0; i < s.length; i++) {
        alpha[i] = s[i] + 1;
      }
      alpha[s.length] = 1; // every answer not seen yet
      double a1 = alpha[0];
      double[] others = Arrays.copyOfRange(alpha, 1, alpha.length);
      double logNorm = Gamma.logGamma(a1);
      double spread = 12 * Math.sqrt(a1) + 12;
      double lo = Math.max(0, a1 - spread);
      double hi = a1 + spread;
      IterativeLegendreGaussIntegrator integrator =
          new IterativeLegendreGaussIntegrator(16, 1e-9, 1e-12);
      double p = integrator.integrate(100_000, x -> {
        if (x <= 0) {
          return 0.0;
        }
        double density = Math.exp((a1 - 1) * Math.log(x) - x - logNorm);
        double below = 1.0;
        for (double a : others) {
          below *= Gamma.regularizedGammaP(a, x);
        }
        return density * below;
      }, lo, hi);
      return Math.max(0, Math.min(1, p));
    }

    @Override
    public String name() {
      return "dirichlet:" + Check.format(threshold);
    }
  }

  /**
   * Early-Stopping Self-Consistency: samples fall into consecutive windows of {@code size}; stop
   * at the end of a window whose samples all gave one answer. Checked only at window ends, so the
   * rule is ESC whatever the round size (a round that ends inside a window goes on).
   */
  record Window(int size) implements StoppingRule {
    public Window {
      if (size < 1) {
        throw new IllegalArgumentException("stopping window must be >= 1 sample, was " + size);
      }
    }

    @Override
    public boolean stop(Votes votes) {
      int n = votes.samples();
      if (n < size || n % size != 0 || votes.tied()) {
        return false;
      }
      int first = votes.classes()[n - size];
      if (first < 0) {
        return false;
      }
      for (int i = n - size + 1; i < n; i++) {
        if (votes.classes()[i] != first) {
          return false;
        }
      }
      return true;
    }

    @Override
    public double settled(Votes votes) {
      int n = votes.samples();
      int leader = votes.leader();
      if (n == 0 || leader < 0) {
        return 0;
      }
      int from = Math.max(0, n - size);
      int agree = 0;
      for (int i = from; i < n; i++) {
        if (votes.classes()[i] == leader) {
          agree++;
        }
      }
      return (double) agree / size;
    }

    @Override
    public String name() {
      return "esc:" + size;
    }
  }

  /**
   * Reads {@code never}, {@code beta[:THRESHOLD]}, {@code dirichlet[:THRESHOLD]} (default 0.95) or
   * {@code esc[:WINDOW]} (default 5 samples).
   *
   * @throws IllegalArgumentException naming the allowed forms
   */
  static StoppingRule parse(String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    int colon = t.indexOf(':');
    String kind = colon < 0 ? t : t.substring(0, colon);
    String arg = colon < 0 ? null : t.substring(colon + 1).strip();
    try {
      return switch (kind) {
        case "never" -> {
          if (arg != null) {
            throw new IllegalArgumentException("'never' takes no value");
          }
          yield new Never();
        }
        case "beta" -> new PosteriorBeta(arg == null ? 0.95 : Double.parseDouble(arg));
        case "dirichlet" -> new PosteriorDirichlet(arg == null ? 0.95 : Double.parseDouble(arg));
        case "esc" -> new Window(arg == null ? 5 : Integer.parseInt(arg));
        default -> throw new IllegalArgumentException("unknown kind '" + kind + "'");
      };
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("stopping rule '" + text + "': '" + arg
          + "' is not a number; allowed are never, beta[:THRESHOLD], dirichlet[:THRESHOLD], esc[:WINDOW]");
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("stopping rule '" + text + "': " + e.getMessage()
          + "; allowed are never, beta[:THRESHOLD], dirichlet[:THRESHOLD], esc[:WINDOW]");
    }
  }

  /** Argument checks shared by the rules. */
  final class Check {
    private Check() {}

    static void threshold(double t) {
      if (!(t > 0.5 && t < 1)) {
        throw new IllegalArgumentException(
            "stopping threshold must be above 0.5 and below 1, was " + t);
      }
    }

    static String format(double x) {
      String s = Double.toString(x);
      return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }
  }
}
