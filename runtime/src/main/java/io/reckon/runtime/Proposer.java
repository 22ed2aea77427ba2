package io.reckon.runtime;

import io.reckon.protocol.GenerateReply;
import io.reckon.protocol.GenerateRequest;
import java.util.List;

/**
 * A policy model. One call answers a batch of requests from many questions, in request order;
 * implementations run it as one (or a few) batched forward passes. Calls block: workers run them
 * on a dedicated dispatcher.
 */
public interface Proposer extends AutoCloseable {
  List<GenerateReply> generate(List<GenerateRequest> batch);

  /**
   * Why this model cannot take {@code question} at all (e.g. its prompt alone fills the model's
   * context), in words for the results file; {@code null} when it can. Checked once per question
   * before a run, so that such a question fails with the reason instead of answering nothing.
   */
  default String refusal(String question) {
    return null;
  }

  /** Parameter count, for FLOPs = 2 · parameters · tokens. */
  long parameters();

  String name();

  @Override
  default void close() {}
}
