package io.reckon.server.kafka;

import io.reckon.protocol.GenerateReply;
import io.reckon.protocol.GenerateRequest;
import io.reckon.server.SlowProposer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The slow synthetic reasoner, held at a gate until the test opens it: a model that is slow at
 * will.
 */
final class GatedProposer extends SlowProposer {
  final CountDownLatch gate = new CountDownLatch(1);

  GatedProposer(Duration delay, boolean open) {
    super(delay);
    if (open) {
      gate.countDown();
    }
  }

  @Override
  public List<GenerateReply> generate(List<GenerateRequest> batch) {
    try {
      gate.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return super.generate(batch);
  }
}
