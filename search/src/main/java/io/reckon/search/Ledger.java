package io.reckon.search;

import io.reckon.protocol.Compute;
import io.reckon.protocol.GenerateReply;
import io.reckon.protocol.GenerateRequest;
import io.reckon.protocol.ModelReply;
import io.reckon.protocol.ScoreReply;

/**
 * The compute one strategy spent: generations are charged when a request is emitted (so that a
 * strategy can never plan past its grant); tokens and FLOPs are added as replies measure them.
 */
public final class Ledger {
  private Compute total = Compute.ZERO;

  void charge(GenerateRequest request) {
    total = total.plus(new Compute(request.charge(), 0, 0, 0, 0, 0));
  }

  void record(ModelReply reply) {
    // Java 17 has no pattern switch (it was a preview), hence instanceof.
    if (reply instanceof GenerateReply g) {
      total = total.plus(new Compute(0, g.promptTokens(), g.generatedTokens(), 0, g.flops(), 0));
    } else if (reply instanceof ScoreReply s) {
      total = total.plus(new Compute(0, 0, 0, s.tokens(), 0, s.flops()));
    }
  }

  public Compute total() {
    return total;
  }

  public long generations() {
    return total.generations();
  }
}
