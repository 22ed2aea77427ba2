package io.reckon.search;

import io.reckon.protocol.GenerateReply;
import io.reckon.protocol.GenerateRequest;
import io.reckon.protocol.ModelReply;
import io.reckon.protocol.ModelRequest;
import io.reckon.protocol.Outcome;
import io.reckon.protocol.ScoreReply;
import io.reckon.protocol.ScoreRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Drives many strategies to the end on the calling thread, batching every round's requests of
 * all of them into one call per model: what the actors do, without actors. For tests, sweeps
 * and benchmarks, where a question's search needs no fault tolerance.
 */
public final class SyncDriver {
  private final Function<List<GenerateRequest>, List<GenerateReply>> proposer;
  private final Function<List<ScoreRequest>, List<ScoreReply>> verifier;

  /** Both functions answer a batch in request order. */
  public SyncDriver(
      Function<List<GenerateRequest>, List<GenerateReply>> proposer,
      Function<List<ScoreRequest>, List<ScoreReply>> verifier) {
    this.proposer = proposer;
    this.verifier = verifier;
  }

  public Outcome run(SearchStrategy strategy) {
    return runAll(List.of(strategy)).get(0);
  }

  public List<Outcome> runAll(List<SearchStrategy> strategies) {
    List<List<ModelRequest>> pending = new ArrayList<>();
    for (SearchStrategy s : strategies) {
      pending.add(new ArrayList<>(s.start()));
    }
    while (true) {
      List<GenerateRequest> gens = new ArrayList<>();
      List<ScoreRequest> scores = new ArrayList<>();
      List<Integer> genOwner = new ArrayList<>();
      List<Integer> scoreOwner = new ArrayList<>();
      for (int i = 0; i < strategies.size(); i++) {
        for (ModelRequest r : pending.get(i)) {
          if (r instanceof GenerateRequest g) {
            gens.add(g);
            genOwner.add(i);
          } else if (r instanceof ScoreRequest s) {
            scores.add(s);
            scoreOwner.add(i);
          }
        }
        pending.get(i).clear();
      }
      if (gens.isEmpty() && scores.isEmpty()) {
        break;
      }
      deliver(strategies, pending, genOwner, gens.isEmpty() ? List.of() : proposer.apply(gens));
      deliver(strategies, pending, scoreOwner, scores.isEmpty() ? List.of() : verifier.apply(scores));
    }
    List<Outcome> outcomes = new ArrayList<>();
    for (SearchStrategy s : strategies) {
      if (!s.isDone()) {
        throw new IllegalStateException(s.name() + " stalled with no request outstanding");
      }
      outcomes.add(s.outcome());
    }
    return outcomes;
  }

  private static void deliver(
      List<SearchStrategy> strategies,
      List<List<ModelRequest>> pending,
      List<Integer> owners,
      List<? extends ModelReply> replies) {
    if (replies.size() != owners.size()) {
      throw new IllegalStateException(
          "model answered " + replies.size() + " of " + owners.size() + " requests");
    }
    for (int i = 0; i < replies.size(); i++) {
      int owner = owners.get(i);
      pending.get(owner).addAll(strategies.get(owner).onReply(replies.get(i)));
    }
  }
}
