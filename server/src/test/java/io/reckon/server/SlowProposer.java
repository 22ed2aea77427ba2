package io.reckon.server;

import io.reckon.protocol.GenerateReply;
import io.reckon.protocol.GenerateRequest;
import io.reckon.runtime.Proposer;
import io.reckon.runtime.synthetic.SyntheticReasoner;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** The synthetic reasoner, taking {@code delay} per batch: a search that takes known time. */
public class SlowProposer implements Proposer {
  private final SyntheticReasoner model = new SyntheticReasoner();
  private final Duration delay;
  private final CountDownLatch gate;

  public SlowProposer(Duration delay) {
    this(delay, new CountDownLatch(0));
  }

  private SlowProposer(Duration delay, CountDownLatch gate) {
    this.delay = delay;
    this.gate = gate;
  }

  /**
   * Holds every batch until {@code gate} opens (at most {@code limit}): a run that is still
   * running whenever its test looks, however slow or fast the machine, where a fixed delay is
   * either too short on a quiet machine or too long on a loaded one.
   */
  public static SlowProposer until(CountDownLatch gate, Duration limit) {
    return new SlowProposer(limit, gate);
  }

  @Override
  public List<GenerateReply> generate(List<GenerateRequest> batch) {
    try {
      if (gate.getCount() == 0) {
        Thread.sleep(delay.toMillis());
      } else {
        gate.await(delay.toMillis(), TimeUnit.MILLISECONDS);
      }
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
