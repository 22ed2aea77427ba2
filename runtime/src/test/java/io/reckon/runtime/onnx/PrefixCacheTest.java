package io.reckon.runtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The prefix cache on its own: longest prefix, covered entries, the byte budget. */
class PrefixCacheTest {
  /** One layer's key and value, one head, dim 1: the KV of token i is i itself. */
  private static float[][] kv(long[] tokens) {
    float[] k = new float[tokens.length];
    for (int i = 0; i < tokens.length; i++) {
      k[i] = tokens[i];
    }
    return new float[][] {k, k.clone()};
  }

  private static long bytes(int tokens) {
    return new PrefixCache.Entry(new long[tokens], kv(new long[tokens])).bytes;
  }

  @Test
  void findsTheLongestCachedPrefixUpToTheLimit() {
    PrefixCache cache = new PrefixCache(1 << 20);
    long[] a = {5, 6, 7, 8};
    cache.put(a, kv(a));
    assertThat(cache.lookup(new long[] {5, 6, 7, 8, 9, 10}, 5).length()).isEqualTo(4);
    assertThat(cache.lookup(new long[] {5, 6, 7, 8}, 3).length()).as("capped").isEqualTo(3);
    assertThat(cache.lookup(new long[] {5, 6, 9}, 2).length()).as("a prefix of an entry").isEqualTo(2);
    assertThat(cache.lookup(new long[] {6, 5}, 1)).isNull();
    PrefixCache.Stats s = cache.stats();
    assertThat(s.lookups()).isEqualTo(4);
    assertThat(s.hits()).isEqualTo(3);
    assertThat(s.tokensReused()).isEqualTo(4 + 3 + 2);
  }

  @Test
  void anEntryCoveredByALongerOneIsDropped() {
    PrefixCache cache = new PrefixCache(1 << 20);
    long[] round1 = {1, 2, 3};
    long[] round2 = {1, 2, 3, 4, 5};
    cache.put(round1, kv(round1));
    cache.put(round2, kv(round2));
    assertThat(cache.stats().entries()).isEqualTo(1);
    assertThat(cache.stats().bytes()).isEqualTo(bytes(5));
    PrefixCache.Match m = cache.lookup(new long[] {1, 2, 3, 9}, 3);
    assertThat(m.length()).isEqualTo(3);
    assertThat(m.entry().tokens).isEqualTo(round2);
  }

  @Test
  void theLeastRecentlyUsedLeaveOnceTheBudgetIsPassed() {
    PrefixCache cache = new PrefixCache(2 * bytes(3));
    long[] a = {1, 1, 1};
    long[] b = {2, 2, 2};
    long[] c = {3, 3, 3};
    cache.put(a, kv(a));
    cache.put(b, kv(b));
    cache.lookup(a, 3); // a is now more recent than b
    cache.put(c, kv(c));
    assertThat(cache.lookup(b, 3)).as("evicted").isNull();
    assertThat(cache.lookup(a, 3)).isNotNull();
    assertThat(cache.lookup(c, 3)).isNotNull();
    assertThat(cache.stats().evictions()).isEqualTo(1);
    assertThat(cache.stats().bytes()).isLessThanOrEqualTo(2 * bytes(3));
    cache.put(new long[100], kv(new long[100]));
    assertThat(cache.stats().entries()).as("larger than the whole budget: not kept").isEqualTo(2);
  }
}
