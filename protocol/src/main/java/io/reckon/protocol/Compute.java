package io.reckon.protocol;

/**
 * Compute spent, in every unit the paper and Reckon report.
 *
 * @param generations generations charged in the paper's accounting (one sampled solution = 1)
 * @param promptTokens policy tokens processed as prompt (prefill)
 * @param generatedTokens policy tokens generated
 * @param verifierTokens tokens the verifier processed
 * @param proposerFlops 2 · policy parameters · (prompt + generated tokens)
 * @param verifierFlops 2 · verifier parameters · verifier tokens
 */
public record Compute(
    long generations,
    long promptTokens,
    long generatedTokens,
    long verifierTokens,
    double proposerFlops,
    double verifierFlops)
    implements CborSerializable {

  public static final Compute ZERO = new Compute(0, 0, 0, 0, 0, 0);

  public Compute plus(Compute o) {
    return new Compute(
        generations + o.generations,
        promptTokens + o.promptTokens,
        generatedTokens + o.generatedTokens,
        verifierTokens + o.verifierTokens,
        proposerFlops + o.proposerFlops,
        verifierFlops + o.verifierFlops);
  }

  public double flops() {
    return proposerFlops + verifierFlops;
  }
}
