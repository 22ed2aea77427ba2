package io.reckon.runtime;

import java.util.Locale;

/**
 * What a proposer's decode loop and prefix cache did: for the end of a run and the benchmarks.
 *
 * @param decodeSteps forward passes of one token per running row
 * @param rowsAdmitted rows that joined the decode loop
 * @param rowsJoinedRunning of those, rows that joined while other rows were mid-decode
 *     (continuous batching)
 * @param promptTokens prompt tokens of every admitted row (what prefill would cost without cache
 *     or sharing)
 * @param prefillTokens prompt tokens actually prefilled
 * @param cacheLookups prompts looked up in the prefix cache
 * @param cacheHits lookups that found a cached prefix
 * @param cacheBytes bytes the cache holds now
 * @param cacheEntries prompts the cache holds now
 * @param cacheEvictions entries evicted for the byte budget
 * @param cacheBudgetBytes the budget (0: no cache)
 */
public record ProposerStats(
    long decodeSteps,
    long rowsAdmitted,
    long rowsJoinedRunning,
    long promptTokens,
    long prefillTokens,
    long cacheLookups,
    long cacheHits,
    long cacheBytes,
    long cacheEntries,
    long cacheEvictions,
    long cacheBudgetBytes) {

  public double hitRate() {
    return cacheLookups == 0 ? 0 : (double) cacheHits / cacheLookups;
  }

  /** Prompt tokens not prefilled thanks to the cache and to rows sharing a prompt. */
  public long prefillTokensSaved() {
    return promptTokens - prefillTokens;
  }

  /** One line for stderr. */
  public String describe() {
    return String.format(Locale.ROOT,
        "proposer: %,d decode steps, %,d rows (%,d joined a running batch); prefill %,d of %,d prompt "
            + "tokens (%,d saved); prefix cache %.1f %% hits of %,d lookups, %.1f of %.0f MiB in %,d "
            + "prompts, %,d evicted",
        decodeSteps, rowsAdmitted, rowsJoinedRunning, prefillTokens, promptTokens, prefillTokensSaved(),
        100 * hitRate(), cacheLookups, cacheBytes / 1048576.0, cacheBudgetBytes / 1048576.0,
        cacheEntries, cacheEvictions);
  }
}
