package io.reckon.runtime;

import io.reckon.protocol.GenerateReply;
import io.reckon.protocol.GenerateRequest;
import java.util.List;
import java.util.Optional;

/**
 * A policy model. One call answers a batch of requests from many questions, in request order;
 * implementations run it as one (or a few) batched forward passes. Calls block: workers run them
 * on a dedicated dispatcher.
 */
public interface Proposer extends AutoCloseable {
  List<GenerateReply> generate(List<GenerateRequest> batch);

  /** Parameter count, for FLOPs = 2 · parameters · tokens. */
  long parameters();

  String name();

  /**
   * True when concurrent calls are merged into one running batch (new rows join at token
   * boundaries), so that a worker gains from sending more than one batch at a time.
   */
  default boolean batchesContinuously() {
    return false;
  }

  /** What the decode loop and its prefix cache did, where the backend keeps such numbers. */
  default Optional<ProposerStats> stats() {
    return Optional.empty();
  }

  @Override
  default void close() {}
}
