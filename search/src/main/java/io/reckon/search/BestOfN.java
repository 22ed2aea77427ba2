package io.reckon.search;

import io.reckon.protocol.Candidate;
import io.reckon.protocol.GenerateReply;
import io.reckon.protocol.GenerateRequest;
import io.reckon.protocol.ModelReply;
import io.reckon.protocol.ModelRequest;
import io.reckon.protocol.ScoreReply;
import java.util.ArrayList;
import java.util.List;

/**
 * Best-of-N: sample N whole solutions, score them (unless the selection is a plain majority
 * vote, which needs no verifier), select. A raised grant buys more samples at the next round.
 */
final class BestOfN extends AbstractStrategy {
  private final StrategyConfig.BestOfN config;
  private final List<Node> finals = new ArrayList<>();
  private List<Node> awaitingScores = List.of();

  BestOfN(StrategyConfig.BestOfN config, StrategyContext context) {
    super(config.name(), context);
    this.config = config;
  }

  @Override
  protected List<ModelRequest> begin() {
    return List.of(sample(budget()));
  }

  private GenerateRequest sample(int n) {
    return generate(List.of(), List.of(), n, GenerateRequest.TO_END, config.temperature(), n);
  }

  @Override
  protected List<ModelRequest> advance(List<ModelReply> replies) {
    List<ModelRequest> next = new ArrayList<>();
    List<Node> sampled = new ArrayList<>();
    for (ModelReply reply : replies) {
      if (reply instanceof GenerateReply g) {
        g.continuations().forEach(c -> sampled.add(new Node(c.steps(), c.finished(), 0)));
      } else if (reply instanceof ScoreReply s) {
        for (int i = 0; i < awaitingScores.size(); i++) {
          awaitingScores.get(i).scored(s.scores().get(i), config.aggregation());
        }
        finals.addAll(awaitingScores);
        awaitingScores = List.of();
      }
    }
    if (!sampled.isEmpty()) {
      if (config.selection().needsScores()) {
        awaitingScores = sampled;
        next.add(scoreNodes(sampled));
      } else {
        finals.addAll(sampled);
      }
    }
    if (remaining() > 0) {
      next.add(sample(remaining()));
    }
    return next;
  }

  @Override
  protected List<Candidate> finals() {
    return finals.stream().map(n -> n.toCandidate(name, task)).toList();
  }

  @Override
  protected String select(List<Candidate> pool) {
    return config.selection().select(pool, task);
  }
}
