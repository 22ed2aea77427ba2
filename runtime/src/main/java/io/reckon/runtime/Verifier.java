package io.reckon.runtime;

import io.reckon.protocol.ScoreReply;
import io.reckon.protocol.ScoreRequest;
import java.util.List;

/** A process reward model: a probability per step that the solution so far can still end right. */
public interface Verifier extends AutoCloseable {
  List<ScoreReply> score(List<ScoreRequest> batch);

  long parameters();

  String name();

  @Override
  default void close() {}
}
