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
 * Diverse verifier tree search: N/M independent subtrees. Each samples M next steps from its
 * current path and keeps only the best by the verifier (greedy), until it writes its answer; no
 * subtree ever sees another's candidates, which is what keeps them diverse. The final answer is
 * weighted best-of-N over all N candidates of the subtrees' last expansions: the M siblings of
 * each subtree's last step, as huggingface/search-and-learn's {@code _dvts} returns them
 * ({@code vote=all}, the default), or over the N/M chosen ones only ({@code vote=best}). Siblings
 * that did not write an answer are shown but cannot win.
 */
final class Dvts extends AbstractStrategy {
  private final StrategyConfig.Dvts config;
  private final int width;
  /** The current path of each subtree that is still searching. */
  private final List<Node> paths = new ArrayList<>();
  private final List<Node> finals = new ArrayList<>();
  private List<List<Node>> expansions = List.of();
  private boolean scoring;
  private int rounds;

  Dvts(StrategyConfig.Dvts config, StrategyContext context) {
    super(config.name(), context);
    this.config = config;
    this.width = config.width(context.budget());
    for (int s = 0; s < context.budget() / width; s++) {
      paths.add(Node.root(s));
    }
  }

  int subtrees() {
    return paths.size();
  }

  @Override
  protected List<ModelRequest> begin() {
    return expand();
  }

  private List<ModelRequest> expand() {
    scoring = false;
    int charge = rounds == 0 ? width : 0;
    List<ModelRequest> next = new ArrayList<>();
    for (Node p : paths) {
      // the last round writes to the end, as sal's does
      int steps = rounds >= config.maxRounds() - 1 ? GenerateRequest.TO_END : 1;
      next.add(generate(List.of(), p.steps, width, steps, config.temperature(), charge));
    }
    return next;
  }

  @Override
  protected List<ModelRequest> advance(List<ModelReply> replies) {
    if (!scoring) {
      expansions = new ArrayList<>();
      List<ModelRequest> scores = new ArrayList<>();
      for (int s = 0; s < paths.size(); s++) {
        Node parent = paths.get(s);
        List<Node> children = new ArrayList<>();
        for (var c : ((GenerateReply) replies.get(s)).continuations()) {
          children.add(Node.extend(parent, c.steps(), c.finished()));
        }
        expansions.add(children);
        // One request per subtree: a subtree's choice depends on its own candidates only.
        scores.add(scoreNodes(children));
      }
      scoring = true;
      return scores;
    }
    rounds++;
    List<Node> stillSearching = new ArrayList<>();
    for (int s = 0; s < expansions.size(); s++) {
      List<Node> children = expansions.get(s);
      List<List<Double>> scores = ((ScoreReply) replies.get(s)).scores();
      Node best = null;
      for (int i = 0; i < children.size(); i++) {
        children.get(i).scored(scores.get(i), config.aggregation());
        if (best == null || children.get(i).rank() > best.rank()) {
          best = children.get(i);
        }
      }
      if (best.finished || rounds >= config.maxRounds()) {
        if (config.voteSiblings()) {
          finals.addAll(children);
        } else {
          finals.add(best);
        }
      } else {
        stillSearching.add(best);
      }
    }
    paths.clear();
    paths.addAll(stillSearching);
    return paths.isEmpty() ? List.of() : expand();
  }

  @Override
  protected List<Candidate> finals() {
    return finals.stream().map(f -> f.toCandidate(name, task)).toList();
  }
}
