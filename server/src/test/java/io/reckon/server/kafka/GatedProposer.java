package io.reckon.server.kafka;

import io.reckon.protocol.GenerateReply;
import io.reckon.protocol.GenerateRequest;
import io.reckon.runtime.Proposer;
import io.reckon.runtime.synthetic.SyntheticReasoner;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The synthetic reasoner, held at a gate until the test opens it (a model that is slow at will),
 * then taking {@code delay} per batch.
 */
final class GatedProposer implements Proposer {
  private final SyntheticReasoner model = new SyntheticReasoner();
  private final Duration delay;
  final CountDownLatch gate = new CountDownLatch(1);

  GatedProposer(Duration delay, boolean open) {
    this.delay = delay;
    if (open) {
      gate.countDown();
    }
  }

  @Override
  public List<GenerateReply> generate(List<GenerateRequest> batch) {
    try {
      gate.await();
      Thread.sleep(delay.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return model.generate(batch);
  }

  @Override
  public long parameters() {
    return model.parameters();
  }

  @Override
  public String name() {
    return model.name();
  }
}
