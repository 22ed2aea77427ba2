package io.reckon.server;

import io.reckon.protocol.GenerateReply;
import io.reckon.protocol.GenerateRequest;
import io.reckon.runtime.Proposer;
import io.reckon.runtime.synthetic.SyntheticReasoner;
import java.time.Duration;
import java.util.List;

/** The synthetic reasoner, taking {@code delay} per batch: a search that takes known time. */
public class SlowProposer implements Proposer {
  private final SyntheticReasoner model = new SyntheticReasoner();
  private final Duration delay;

  public SlowProposer(Duration delay) {
    this.delay = delay;
  }

  @Override
  public List<GenerateReply> generate(List<GenerateRequest> batch) {
    try {
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
