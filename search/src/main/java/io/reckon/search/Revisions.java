package io.reckon.search;

import io.reckon.protocol.Candidate;
import io.reckon.protocol.GenerateReply;
import io.reckon.protocol.GenerateRequest;
import io.reckon.protocol.ModelReply;
import io.reckon.protocol.ModelRequest;
import io.reckon.protocol.ScoreReply;
import io.reckon.search.task.Task;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sequential revisions: P parallel chains of L attempts each (N = P·L). Every attempt after a
 * chain's first sees that chain's most recent attempts (at most {@value #CONTEXT}) and writes a
 * new one. Selection is hierarchical weighted best-of-N (within each chain, then across the
 * chains' winners) or a flat majority vote over every attempt.
 */
final class Revisions extends AbstractStrategy {
  /** The revision model was trained with at most this many earlier attempts in its context. */
  static final int CONTEXT = 4;

  private final StrategyConfig.Revisions config;
  private final int chainLength;
  private final List<List<Node>> chains = new ArrayList<>();
  private boolean scoring;

  Revisions(StrategyConfig.Revisions config, StrategyContext context) {
    super(config.name(), context);
    this.config = config;
    this.chainLength = config.chainLength(context.budget());
    // len=all with a budget of 0 (only carried candidates) has chains of length 0: no chain
    int parallel = chainLength == 0 ? 0 : context.budget() / chainLength;
    for (int c = 0; c < parallel; c++) {
      chains.add(new ArrayList<>());
    }
  }

  int parallel() {
    return chains.size();
  }

  int chainLength() {
    return chainLength;
  }

  @Override
  protected List<ModelRequest> begin() {
    return nextAttempts();
  }

  private List<ModelRequest> nextAttempts() {
    List<ModelRequest> next = new ArrayList<>();
    for (List<Node> chain : chains) {
      List<List<String>> context =
          chain.subList(Math.max(0, chain.size() - CONTEXT), chain.size()).stream()
              .map(a -> a.steps)
              .toList();
      next.add(generate(context, List.of(), 1, GenerateRequest.TO_END, config.temperature(), 1));
    }
    return next;
  }

  @Override
  protected List<ModelRequest> advance(List<ModelReply> replies) {
    if (scoring) {
      ScoreReply s = (ScoreReply) replies.get(0);
      int i = 0;
      for (List<Node> chain : chains) {
        for (Node a : chain) {
          a.scored(s.scores().get(i++), config.aggregation());
        }
      }
      return List.of();
    }
    for (int c = 0; c < chains.size(); c++) {
      var cont = ((GenerateReply) replies.get(c)).continuations().get(0);
      chains.get(c).add(new Node(cont.steps(), cont.finished(), c));
    }
    if (chains.get(0).size() < chainLength) {
      return nextAttempts();
    }
    if (!config.selection().needsScores()) {
      return List.of();
    }
    scoring = true;
    List<List<String>> all = new ArrayList<>();
    chains.forEach(chain -> chain.forEach(a -> all.add(a.steps)));
    return List.of(score(all));
  }

  @Override
  protected List<Candidate> finals() {
    List<Candidate> all = new ArrayList<>();
    chains.forEach(chain -> chain.forEach(a -> all.add(a.toCandidate(name, task))));
    return all;
  }

  @Override
  protected String select(List<Candidate> pool) {
    if (config.selection() == Selection.MAJORITY) {
      return Selection.MAJORITY.select(pool, task);
    }
    return hierarchical(pool, task);
  }

  /**
   * Weighted best-of-N inside each chain gives the chain's winner, weighted by the summed score
   * its answer got there; weighted best-of-N across those winners picks the answer. Carried
   * candidates (the probe) form one more group of their own.
   */
  static String hierarchical(List<Candidate> pool, Task task) {
    Map<String, List<Candidate>> byGroup = new LinkedHashMap<>();
    for (Candidate c : pool) {
      String key = (c.source() == null ? "" : c.source()) + "#" + c.group();
      byGroup.computeIfAbsent(key, k -> new ArrayList<>()).add(c);
    }
    List<Candidate> winners = new ArrayList<>();
    for (List<Candidate> group : byGroup.values()) {
      Selection.Tally best = null;
      for (Selection.Tally t : Selection.tally(group, task)) {
        if (best == null || Selection.WEIGHTED.better(t, best)) {
          best = t;
        }
      }
      if (best != null) {
        winners.add(new Candidate(List.of(), best.answer, List.of(), best.weight, 0, "winner"));
      }
    }
    return Selection.WEIGHTED.select(winners, task);
  }
}
