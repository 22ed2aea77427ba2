package io.reckon.search;

import io.reckon.protocol.Candidate;
import io.reckon.protocol.Compute;
import io.reckon.protocol.GenerateReply;
import io.reckon.protocol.GenerateRequest;
import io.reckon.protocol.ModelReply;
import io.reckon.protocol.ModelRequest;
import io.reckon.protocol.Outcome;
import io.reckon.protocol.Question;
import io.reckon.protocol.ScoreReply;
import io.reckon.protocol.ScoreRequest;
import io.reckon.search.task.Task;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The round structure every strategy shares: emit a round of requests, wait for all their
 * replies, decide the next round from them (in request order, whatever order they arrived in),
 * until a round is empty; then select over the strategy's finals and the carried candidates.
 *
 * <p>Budget is enforced here, not in each strategy: a request whose charge would take the
 * generations past the grant is a bug and fails loudly.
 */
abstract class AbstractStrategy implements SearchStrategy {
  protected final Question question;
  protected final String name;
  /** The run's task: extracts answers from finished nodes and compares them in votes. */
  protected final Task task;
  private final StrategyContext context;
  private final Ledger ledger = new Ledger();
  private final Map<Long, ModelRequest> outstanding = new LinkedHashMap<>();
  private final List<ModelRequest> round = new ArrayList<>();
  private final Map<Long, ModelReply> roundReplies = new HashMap<>();
  /** For the strategy's own random choices (resampling); samples get per-request seeds. */
  protected final SplittableRandom random;
  private int granted;
  private long nextRequestId;
  private boolean started;
  private Outcome outcome;

  AbstractStrategy(String name, StrategyContext context) {
    this.name = name;
    this.context = context;
    this.question = context.question();
    this.task = context.task();
    this.granted = context.budget();
    this.nextRequestId = context.firstRequestId();
    this.random = new SplittableRandom(context.seed());
  }

  /** The first round. Empty means there is nothing to search (only carried candidates). */
  protected abstract List<ModelRequest> begin();

  /** The next round, given the replies of the last one in request order; empty ends the search. */
  protected abstract List<ModelRequest> advance(List<ModelReply> replies);

  /** The strategy's own candidates for the final selection. */
  protected abstract List<Candidate> finals();

  /** The final answer; weighted best-of-N over everything unless a strategy says otherwise. */
  protected String select(List<Candidate> pool) {
    return Selection.WEIGHTED.select(pool, task);
  }

  @Override
  public final List<ModelRequest> start() {
    if (started) {
      throw new IllegalStateException(name + " was already started");
    }
    started = true;
    List<ModelRequest> first = context.budget() == 0 ? List.of() : begin();
    return issue(first);
  }

  @Override
  public final List<ModelRequest> onReply(ModelReply reply) {
    ModelRequest request = outstanding.get(reply.requestId());
    if (request == null || outcome != null) {
      return List.of();
    }
    checkShape(request, reply);
    outstanding.remove(reply.requestId());
    ledger.record(reply);
    roundReplies.put(reply.requestId(), reply);
    if (!outstanding.isEmpty()) {
      return List.of();
    }
    List<ModelReply> replies = new ArrayList<>(round.size());
    for (ModelRequest r : round) {
      replies.add(roundReplies.get(r.requestId()));
    }
    round.clear();
    roundReplies.clear();
    return issue(advance(replies));
  }

  private List<ModelRequest> issue(List<ModelRequest> requests) {
    if (requests.isEmpty()) {
      finish();
      return List.of();
    }
    for (ModelRequest r : requests) {
      outstanding.put(r.requestId(), r);
      round.add(r);
    }
    return List.copyOf(requests);
  }

  private void finish() {
    List<Candidate> pool = new ArrayList<>(context.carried());
    pool.addAll(finals());
    outcome = new Outcome(question.id(), name, select(pool), pool, ledger.total(), granted);
  }

  private static void checkShape(ModelRequest request, ModelReply reply) {
    if (request instanceof GenerateRequest g) {
      if (!(reply instanceof GenerateReply gr) || gr.continuations().size() != g.samples()) {
        throw new IllegalArgumentException(
            "reply to generate request " + g.requestId() + " must hold " + g.samples()
                + " continuations");
      }
    } else if (request instanceof ScoreRequest s) {
      if (!(reply instanceof ScoreReply sr) || sr.scores().size() != s.solutions().size()) {
        throw new IllegalArgumentException(
            "reply to score request " + s.requestId() + " must hold scores for "
                + s.solutions().size() + " solutions");
      }
      for (int i = 0; i < s.solutions().size(); i++) {
        if (sr.scores().get(i).size() != s.solutions().get(i).size()) {
          throw new IllegalArgumentException(
              "score request " + s.requestId() + ": solution " + i + " has "
                  + s.solutions().get(i).size() + " steps but " + sr.scores().get(i).size()
                  + " scores");
        }
      }
    }
  }

  // ---- helpers for strategies ----

  protected final GenerateRequest generate(
      List<List<String>> attempts,
      List<String> prefix,
      int samples,
      int maxSteps,
      double temperature,
      int charge) {
    if (ledger.generations() + charge > granted) {
      throw new IllegalStateException(
          name + " would spend " + (ledger.generations() + charge) + " generations of a grant of "
              + granted);
    }
    long id = nextRequestId++;
    GenerateRequest r =
        new GenerateRequest(
            id, question.id(), question.text(), attempts, prefix, samples, maxSteps, temperature,
            Seeds.mix(context.seed(), id), charge);
    ledger.charge(r);
    return r;
  }

  protected final ScoreRequest score(List<List<String>> solutions) {
    return new ScoreRequest(nextRequestId++, question.id(), question.text(), solutions);
  }

  protected final ScoreRequest scoreNodes(List<Node> nodes) {
    return score(nodes.stream().map(n -> n.steps).toList());
  }

  /** Generations still grantable. */
  protected final int remaining() {
    return (int) (granted - ledger.generations());
  }

  protected final int budget() {
    return context.budget();
  }

  @Override
  public final void raiseGrant(int newGrant) {
    if (newGrant < granted) {
      throw new IllegalArgumentException(
          "a grant can only be raised: " + newGrant + " < current " + granted);
    }
    granted = newGrant;
  }

  @Override
  public final boolean isDone() {
    return outcome != null;
  }

  @Override
  public final Outcome outcome() {
    if (outcome == null) {
      throw new IllegalStateException(name + " has not finished");
    }
    return outcome;
  }

  @Override
  public final Compute spent() {
    return ledger.total();
  }

  @Override
  public final int granted() {
    return granted;
  }

  @Override
  public final String name() {
    return name;
  }
}
