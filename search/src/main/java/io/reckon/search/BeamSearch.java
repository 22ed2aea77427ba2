package io.reckon.search;

import io.reckon.protocol.Candidate;
import io.reckon.protocol.GenerateReply;
import io.reckon.protocol.ModelReply;
import io.reckon.protocol.ModelRequest;
import io.reckon.protocol.ScoreReply;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PRM beam search, and lookahead search when {@code k > 0}.
 *
 * <p>As huggingface/search-and-learn's {@code _beam_search} runs it: N first steps are sampled;
 * each round the unfinished candidates are scored, identical partial solutions are merged
 * ({@code dedupe}, sal's {@code filter_duplicates}, on by default: on a near-deterministic task
 * the M children of one parent are often the same, and without it the top N/M can all be one
 * prefix), the top N/M are kept, and the active pool is refilled to N by giving the kept ones
 * N/kept children each (round-robin for the rest), so every round samples N next steps even when
 * duplicates or finished candidates thinned the pool. Candidates that write their answer line
 * leave for the finals; the last round generates to the end. At most N finals, the best by score,
 * go to the final weighted best-of-N (sal's {@code sort_completed}). With lookahead, each
 * unfinished candidate is scored at the end of a greedy (temperature 0) rollout of up to k more
 * steps (none in the last round); the rollout itself is thrown away.
 *
 * <p>Budget in the paper's accounting: N for beam search, N·(k+1) for lookahead, charged with the
 * first request (tokens and FLOPs measure what the rounds really cost).
 */
final class BeamSearch extends AbstractStrategy {
  private enum Phase { EXPAND, ROLLOUT, SCORE }

  private final StrategyConfig.Beam config;
  private final int n;
  private final int width;
  private final List<Node> finals = new ArrayList<>();
  private List<Node> candidates = List.of();
  /** Per candidate, the path the verifier scores: itself, or itself plus its rollout. */
  private List<List<String>> scoredPaths = List.of();
  private Phase phase = Phase.EXPAND;
  private int rounds;

  BeamSearch(StrategyConfig.Beam config, StrategyContext context) {
    super(config.name(), context);
    this.config = config;
    this.n = config.beams(context.budget());
    this.width = config.width(n);
  }

  int beams() {
    return n;
  }

  int width() {
    return width;
  }

  @Override
  protected List<ModelRequest> begin() {
    int charge = n * (config.lookahead() + 1);
    return List.of(generate(List.of(), List.of(), n, stepsThisRound(), config.temperature(), charge));
  }

  private boolean lastRound() {
    return rounds >= config.maxRounds() - 1;
  }

  /** One step a round, except the last round, which writes to the end as sal's does. */
  private int stepsThisRound() {
    return lastRound() ? io.reckon.protocol.GenerateRequest.TO_END : 1;
  }

  @Override
  protected List<ModelRequest> advance(List<ModelReply> replies) {
    return switch (phase) {
      case EXPAND -> expanded(replies);
      case ROLLOUT -> rolledOut(replies);
      case SCORE -> scored((ScoreReply) replies.get(0));
    };
  }

  /** Replies are in the order of the parents they extend (the root in round 0). */
  private List<ModelRequest> expanded(List<ModelReply> replies) {
    List<Node> parents = rounds == 0 ? List.of(Node.root(0)) : candidates;
    List<Node> children = new ArrayList<>();
    for (int i = 0; i < replies.size(); i++) {
      Node parent = parents.get(i);
      for (var c : ((GenerateReply) replies.get(i)).continuations()) {
        children.add(Node.extend(parent, c.steps(), c.finished()));
      }
    }
    candidates = children;
    scoredPaths = new ArrayList<>(children.stream().map(c -> c.steps).toList());
    if (config.lookahead() == 0 || lastRound()) {
      phase = Phase.SCORE;
      return List.of(score(scoredPaths));
    }
    List<ModelRequest> rollouts = new ArrayList<>();
    for (Node c : children) {
      if (!c.finished) {
        rollouts.add(generate(List.of(), c.steps, 1, config.lookahead(), 0.0, 0));
      }
    }
    if (rollouts.isEmpty()) {
      phase = Phase.SCORE;
      return List.of(score(scoredPaths));
    }
    phase = Phase.ROLLOUT;
    return rollouts;
  }

  private List<ModelRequest> rolledOut(List<ModelReply> replies) {
    int r = 0;
    for (int i = 0; i < candidates.size(); i++) {
      if (!candidates.get(i).finished) {
        var rollout = ((GenerateReply) replies.get(r++)).continuations().get(0);
        List<String> path = new ArrayList<>(candidates.get(i).steps);
        path.addAll(rollout.steps());
        scoredPaths.set(i, path);
      }
    }
    phase = Phase.SCORE;
    return List.of(score(scoredPaths));
  }

  private List<ModelRequest> scored(ScoreReply reply) {
    rounds++;
    List<Node> active = new ArrayList<>();
    for (int i = 0; i < candidates.size(); i++) {
      Node c = candidates.get(i);
      List<Double> pathScores = reply.scores().get(i);
      // The PRM is causal, so the candidate's own step scores are a prefix of its path's.
      c.scored(pathScores.subList(0, c.steps.size()), config.aggregation());
      if (config.lookahead() > 0 && pathScores.size() > c.steps.size()) {
        c.score = config.aggregation().apply(pathScores);
      }
      (c.finished ? finals : active).add(c);
    }
    if (config.dedupe()) {
      active = distinct(active);
    }
    List<Node> kept =
        active.stream()
            .sorted(Comparator.comparingDouble(Node::rank).reversed())
            .limit(n / width)
            .toList();
    candidates = kept;
    if (kept.isEmpty() || rounds >= config.maxRounds()) {
      finals.addAll(kept); // out of rounds: shown, but without an answer they cannot win
      candidates = List.of();
      return List.of();
    }
    phase = Phase.EXPAND;
    List<ModelRequest> next = new ArrayList<>();
    int[] children = refill(kept.size(), n);
    for (int i = 0; i < kept.size(); i++) {
      next.add(generate(List.of(), kept.get(i).steps, children[i], stepsThisRound(),
          config.temperature(), 0));
    }
    return next;
  }

  /** The first of each group of identical partial solutions, in order. */
  private static List<Node> distinct(List<Node> nodes) {
    Map<List<String>, Node> first = new LinkedHashMap<>();
    for (Node c : nodes) {
      first.putIfAbsent(c.steps, c);
    }
    return new ArrayList<>(first.values());
  }

  /**
   * Children per kept beam so that the round samples n in all: sal repeats the kept list
   * round-robin up to n, so the first n mod k get one more. Exactly M each when k = N/M.
   */
  static int[] refill(int kept, int n) {
    int[] children = new int[kept];
    for (int i = 0; i < n; i++) {
      children[i % kept]++;
    }
    return children;
  }

  /**
   * At most N: the best by score first (sal's {@code sort_completed}; unscored last), or with
   * {@code sort-finals=false} the first N to finish.
   */
  @Override
  protected List<Candidate> finals() {
    return finals.stream()
        .sorted(config.sortFinals() ? Comparator.comparingDouble(Node::rank).reversed() : (a, b) -> 0)
        .limit(n)
        .map(f -> f.toCandidate(name, task))
        .toList();
  }
}
