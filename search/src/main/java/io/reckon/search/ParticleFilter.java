package io.reckon.search;

import io.reckon.protocol.Candidate;
import io.reckon.protocol.GenerateReply;
import io.reckon.protocol.ModelReply;
import io.reckon.protocol.ModelRequest;
import io.reckon.protocol.ScoreReply;
import java.util.ArrayList;
import java.util.List;

/**
 * Particle filtering: a population of N partial solutions advances one step at a time; after
 * each step the population is resampled (multinomial, with replacement, seeded) in proportion to
 * softmax(logit(r) / T) of each particle's score r, so promising particles multiply and poor ones
 * die out while the population keeps its size N.
 *
 * <p>Defaults follow the references (probabilistic-inference-scaling's {@code particle_gibbs.py}
 * with {@code --resample-inactive}, which every one of its run scripts passes, and Red Hat
 * its_hub's particle filtering): the weight is the logit of the PRM score, which stays
 * discriminating where scores saturate near 1 (exp(r/T) is nearly flat there), and finished
 * particles stay in the population and are resampled too, so a good finished solution can
 * multiply and a poor one can die. The search ends when every particle has finished (or after
 * {@code rounds}); the answer is the best-scored particle's ({@code sel=best}, as both references
 * select; {@code sel=weighted} votes over the final population by summed score). {@code weight=score}
 * and {@code resample=active} give the older variant (softmax(r/T), finished particles leave
 * the population for the finals).
 */
final class ParticleFilter extends AbstractStrategy {
  /** Keeps logit finite for scores of exactly 0 or 1. */
  private static final double EPSILON = 1e-6;

  private final StrategyConfig.ParticleFilter config;
  /** Particles that left the population ({@code resample=active} only). */
  private final List<Node> retired = new ArrayList<>();
  /** The population after the last resampling; a node may appear several times. */
  private List<Node> population = List.of();
  /** The nodes extended by the outstanding round, one per generate request. */
  private List<Node> parents = List.of(Node.root(0));
  /** Finished particles carried unchanged into the round being generated. */
  private List<Node> carriedOver = List.of();
  private List<Node> fresh = List.of();
  private boolean scoring;
  private int rounds;

  ParticleFilter(StrategyConfig.ParticleFilter config, StrategyContext context) {
    super(config.name(), context);
    this.config = config;
  }

  @Override
  protected List<ModelRequest> begin() {
    return List.of(generate(List.of(), List.of(), budget(), 1, config.temperature(), budget()));
  }

  @Override
  protected List<ModelRequest> advance(List<ModelReply> replies) {
    if (!scoring) {
      List<Node> next = new ArrayList<>();
      for (int i = 0; i < replies.size(); i++) {
        for (var c : ((GenerateReply) replies.get(i)).continuations()) {
          next.add(Node.extend(parents.get(i), c.steps(), c.finished()));
        }
      }
      fresh = next;
      scoring = true;
      return List.of(scoreNodes(fresh));
    }
    scoring = false;
    rounds++;
    ScoreReply s = (ScoreReply) replies.get(0);
    for (int i = 0; i < fresh.size(); i++) {
      fresh.get(i).scored(s.scores().get(i), config.aggregation());
    }
    List<Node> candidates = new ArrayList<>(carriedOver);
    if (config.resampleInactive()) {
      candidates.addAll(fresh);
    } else {
      for (Node p : fresh) {
        (p.finished ? retired : candidates).add(p);
      }
    }
    population = candidates;
    boolean anyOpen = candidates.stream().anyMatch(p -> !p.finished);
    if (!anyOpen || rounds >= config.maxRounds()) {
      return List.of();
    }
    List<Double> weights = candidates.stream().map(this::logWeight).toList();
    int[] copies =
        Softmax.resample(weights, config.resampleTemperature(), candidates.size(), random);
    List<Node> resampled = new ArrayList<>();
    List<Node> keep = new ArrayList<>();
    List<Node> extend = new ArrayList<>();
    List<ModelRequest> next = new ArrayList<>();
    for (int i = 0; i < candidates.size(); i++) {
      Node p = candidates.get(i);
      for (int k = 0; k < copies[i]; k++) {
        resampled.add(p);
      }
      if (copies[i] == 0) {
        continue;
      }
      if (p.finished) {
        for (int k = 0; k < copies[i]; k++) {
          keep.add(p);
        }
      } else {
        extend.add(p);
        next.add(generate(List.of(), p.steps, copies[i], 1, config.temperature(), 0));
      }
    }
    population = resampled;
    if (next.isEmpty()) {
      return List.of(); // every particle drawn has finished
    }
    carriedOver = keep;
    parents = extend;
    return next;
  }

  /** The log-weight softmax(·/T) turns into resampling probabilities. */
  double logWeight(Node p) {
    double r = p.rank();
    if (!Double.isFinite(r)) {
      return Double.NEGATIVE_INFINITY;
    }
    if (!config.logitWeights()) {
      return r;
    }
    double clamped = Math.min(1 - EPSILON, Math.max(EPSILON, r));
    return Math.log(clamped / (1 - clamped));
  }

  @Override
  protected String select(List<Candidate> pool) {
    return (config.selectBest() ? Selection.NAIVE : Selection.WEIGHTED).select(pool, task);
  }

  @Override
  protected List<Candidate> finals() {
    List<Candidate> out = new ArrayList<>();
    for (Node p : retired) {
      out.add(p.toCandidate(name, task));
    }
    for (Node p : population) {
      out.add(p.toCandidate(name, task));
    }
    return out;
  }
}
