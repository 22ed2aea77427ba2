package io.reckon.search;

import io.reckon.protocol.Candidate;
import io.reckon.protocol.GenerateReply;
import io.reckon.protocol.ModelReply;
import io.reckon.protocol.ModelRequest;
import io.reckon.protocol.ScoreReply;
import java.util.ArrayList;
import java.util.List;

/**
 * REBASE (reward-balanced search): each round, the width still left (N minus the solutions
 * already finished) is shared among the open nodes in proportion to softmax(score / T_b), so a
 * node's children count follows its promise; nodes that get none are pruned.
 */
final class Rebase extends AbstractStrategy {
  private final StrategyConfig.Rebase config;
  private final List<Node> finals = new ArrayList<>();
  private List<Node> parents = List.of(Node.root(0));
  private List<Node> frontier = List.of();
  private boolean scoring;
  private int rounds;

  Rebase(StrategyConfig.Rebase config, StrategyContext context) {
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
      List<Node> children = new ArrayList<>();
      for (int i = 0; i < replies.size(); i++) {
        for (var c : ((GenerateReply) replies.get(i)).continuations()) {
          children.add(Node.extend(parents.get(i), c.steps(), c.finished()));
        }
      }
      frontier = children;
      scoring = true;
      return List.of(scoreNodes(children));
    }
    scoring = false;
    rounds++;
    List<Double> scores = new ArrayList<>();
    List<Node> open = new ArrayList<>();
    ScoreReply s = (ScoreReply) replies.get(0);
    for (int i = 0; i < frontier.size(); i++) {
      Node node = frontier.get(i);
      node.scored(s.scores().get(i), config.aggregation());
      if (node.finished) {
        finals.add(node);
      } else {
        open.add(node);
        scores.add(node.rank());
      }
    }
    int width = budget() - finals.size();
    if (open.isEmpty() || width <= 0 || rounds >= config.maxRounds()) {
      finals.addAll(open);
      return List.of();
    }
    int[] children = Softmax.apportion(scores, config.balanceTemperature(), width);
    List<Node> expanded = new ArrayList<>();
    List<ModelRequest> next = new ArrayList<>();
    for (int i = 0; i < open.size(); i++) {
      if (children[i] > 0) {
        expanded.add(open.get(i));
        next.add(generate(List.of(), open.get(i).steps, children[i], 1, config.temperature(), 0));
      }
    }
    parents = expanded;
    return next;
  }

  @Override
  protected List<Candidate> finals() {
    return finals.stream().map(f -> f.toCandidate(name, task)).toList();
  }
}
