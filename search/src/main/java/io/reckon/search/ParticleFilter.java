package io.reckon.search;

import io.reckon.protocol.Candidate;
import io.reckon.protocol.GenerateReply;
import io.reckon.protocol.ModelReply;
import io.reckon.protocol.ModelRequest;
import io.reckon.protocol.ScoreReply;
import java.util.ArrayList;
import java.util.List;

/**
 * Particle filtering: N partial solutions advance one step at a time; after each step the
 * unfinished ones are resampled (with replacement, seeded) in proportion to softmax(score / T),
 * so promising particles multiply and poor ones die out while the population keeps its size.
 * Finished particles leave for the finals; weighted best-of-N selects among them.
 */
final class ParticleFilter extends AbstractStrategy {
  private final StrategyConfig.ParticleFilter config;
  private final List<Node> finals = new ArrayList<>();
  private List<Node> parents = List.of(Node.root(0));
  private List<Node> particles = List.of();
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
      particles = next;
      scoring = true;
      return List.of(scoreNodes(particles));
    }
    scoring = false;
    rounds++;
    ScoreReply s = (ScoreReply) replies.get(0);
    List<Node> active = new ArrayList<>();
    List<Double> scores = new ArrayList<>();
    for (int i = 0; i < particles.size(); i++) {
      Node p = particles.get(i);
      p.scored(s.scores().get(i), config.aggregation());
      if (p.finished) {
        finals.add(p);
      } else {
        active.add(p);
        scores.add(p.rank());
      }
    }
    if (active.isEmpty() || rounds >= config.maxRounds()) {
      finals.addAll(active);
      return List.of();
    }
    int[] copies = Softmax.resample(scores, config.resampleTemperature(), active.size(), random);
    List<Node> chosen = new ArrayList<>();
    List<ModelRequest> next = new ArrayList<>();
    for (int i = 0; i < active.size(); i++) {
      if (copies[i] > 0) {
        chosen.add(active.get(i));
        next.add(generate(List.of(), active.get(i).steps, copies[i], 1, config.temperature(), 0));
      }
    }
    parents = chosen;
    return next;
  }

  @Override
  protected List<Candidate> finals() {
    return finals.stream().map(f -> f.toCandidate(name)).toList();
  }
}
