package io.reckon.protocol.api;

import java.util.List;

/**
 * {@code GET /v1/usage}: what each API key was granted since the server started. A named key sees
 * its own line only; the server's single token (no keys file) sees every key's.
 *
 * @param held generations admitted now and not yet answered, all keys
 * @param limit the admission limit in generations
 */
public record Usage(String object, String key, long held, long limit, List<Key> keys) {

  /**
   * @param weight the key's share of the service pool relative to the others'
   * @param dailyQuota generations per UTC day; {@code null}: none
   * @param today generations counted against the quota today (keys with a quota)
   * @param generations generations admitted since the server started (budget x questions)
   * @param admitted requests and runs admitted
   * @param refusedPool refused: the server was at its admission limit
   * @param refusedShare refused: the key held its fair share while others waited
   * @param refusedQuota refused: the daily quota was used up
   * @param cancelled admitted, then the client went away before its answer
   */
  public record Key(String name, double weight, Long dailyQuota, long today, long held,
      long generations, long admitted, long refusedPool, long refusedShare, long refusedQuota,
      long cancelled) {}
}
