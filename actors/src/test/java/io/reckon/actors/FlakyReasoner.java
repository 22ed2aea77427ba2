package io.reckon.actors;

import io.reckon.protocol.GenerateReply;
import io.reckon.protocol.GenerateRequest;
import io.reckon.protocol.ScoreReply;
import io.reckon.protocol.ScoreRequest;
import io.reckon.runtime.Proposer;
import io.reckon.runtime.Verifier;
import io.reckon.runtime.synthetic.SyntheticReasoner;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** The synthetic reasoner, except that every {@code every}-th batch it is given throws. */
final class FlakyReasoner implements Proposer, Verifier {
  private final SyntheticReasoner inner = new SyntheticReasoner();
  private final int every;
  private final AtomicLong batches = new AtomicLong();
  final AtomicLong thrown = new AtomicLong();

  FlakyReasoner(int every) {
    this.every = every;
  }

  private void maybeThrow() {
    if (batches.incrementAndGet() % every == 0) {
      thrown.incrementAndGet();
      throw new IllegalStateException("injected failure (every " + every + "th batch)");
    }
  }

  @Override
  public List<GenerateReply> generate(List<GenerateRequest> batch) {
    maybeThrow();
    return inner.generate(batch);
  }

  @Override
  public List<ScoreReply> score(List<ScoreRequest> batch) {
    maybeThrow();
    return inner.score(batch);
  }

  @Override
  public long parameters() {
    return inner.parameters();
  }

  @Override
  public void close() {}

  @Override
  public String name() {
    return "flaky-synthetic";
  }
}
