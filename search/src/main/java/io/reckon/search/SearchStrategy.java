package io.reckon.search;

import io.reckon.protocol.Compute;
import io.reckon.protocol.ModelReply;
import io.reckon.protocol.ModelRequest;
import io.reckon.protocol.Outcome;
import java.util.List;

/**
 * One question's search, as a deterministic state machine. It never calls a model and never
 * blocks: it emits requests, consumes their replies (in any order), and ends with an
 * {@link Outcome}. An actor, a benchmark loop or a test drives it, and many questions' requests
 * can share one model batch.
 *
 * <p>Not thread-safe: one driver at a time (an actor is exactly that).
 */
public interface SearchStrategy {

  /** The first requests. Called once. May be empty only when the strategy is already done. */
  List<ModelRequest> start();

  /**
   * Feeds the reply to one outstanding request and returns the requests it unlocks (often none
   * while other replies of the same round are still missing). A reply to an unknown or already
   * answered request is ignored, so a retried request may safely be answered twice.
   */
  List<ModelRequest> onReply(ModelReply reply);

  /**
   * Raises the grant while the search runs. Strategies whose shape allows it use the extra
   * budget at their next decision (best-of-N samples more); the others keep their planned size.
   *
   * @throws IllegalArgumentException when the new grant is below the current one
   */
  void raiseGrant(int newGrant);

  boolean isDone();

  /** The result; only once {@link #isDone()}. */
  Outcome outcome();

  /** What has been spent so far: generations as charged, tokens and FLOPs as measured. */
  Compute spent();

  int granted();

  /** The configuration's canonical name, e.g. {@code beam:m=4,agg=last}. */
  String name();
}
