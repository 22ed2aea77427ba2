package io.reckon.runtime;

import io.reckon.protocol.ScoreReply;
import io.reckon.protocol.ScoreRequest;
import java.util.List;
import java.util.Optional;

/** A process reward model: a probability per step that the solution so far can still end right. */
public interface Verifier extends AutoCloseable {
  List<ScoreReply> score(List<ScoreRequest> batch);

  long parameters();

  String name();

  /**
   * True when concurrent calls cost no more than one (a server that batches by itself), so that a
   * worker gains from sending more than one batch at a time.
   */
  default boolean takesConcurrentCalls() {
    return false;
  }

  /** One line on what the verifier did so far (tokens fed, its prefix cache), if it keeps count. */
  default Optional<String> describeStats() {
    return Optional.empty();
  }

  @Override
  default void close() {}
}
