package io.reckon.runtime.synthetic;

import io.reckon.protocol.GenerateReply;
import io.reckon.protocol.GenerateRequest;
import io.reckon.protocol.ScoreReply;
import io.reckon.protocol.ScoreRequest;
import io.reckon.runtime.Proposer;
import io.reckon.runtime.Verifier;
import java.time.Duration;
import java.util.List;

/**
 * The synthetic reasoner with a fixed wall-clock latency per batch, like a GPU forward pass whose
 * time hardly depends on the batch's size: for measuring how a cluster scales with worker nodes
 * when the model, not the CPU of this machine, is the bottleneck. The answers are the seeded
 * synthetic ones, unchanged.
 */
public final class Delayed implements Proposer, Verifier {
  private final SyntheticReasoner model;
  private final long nanos;

  public Delayed(SyntheticReasoner model, Duration perBatch) {
    if (perBatch.isNegative()) {
      throw new IllegalArgumentException("a batch latency cannot be negative (got " + perBatch + ")");
    }
    this.model = model;
    this.nanos = perBatch.toNanos();
  }

  @Override
  public List<GenerateReply> generate(List<GenerateRequest> batch) {
    pause();
    return model.generate(batch);
  }

  @Override
  public List<ScoreReply> score(List<ScoreRequest> batch) {
    pause();
    return model.score(batch);
  }

  private void pause() {
    try {
      Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while simulating a batch", e);
    }
  }

  @Override
  public long parameters() {
    return model.parameters();
  }

  @Override
  public String name() {
    return model.name();
  }

  @Override
  public void close() {
    model.close();
  }
}
