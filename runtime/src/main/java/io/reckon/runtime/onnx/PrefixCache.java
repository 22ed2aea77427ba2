package io.reckon.runtime.onnx;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;

/**
 * Key/value tensors of recently prefilled prompts, so that a prompt which extends one of them
 * (the next beam round's prefix, every sample of a question's probe) prefills only its new
 * tokens. Any prefix of a cached prompt can be reused: the KV of a token depends only on the
 * tokens before it.
 *
 * <p>Lookup is by token-prefix hash: every prefix length of every entry is a key (a 64-bit
 * polynomial hash of the prefix and its length), so the longest cached prefix of a prompt is
 * found with one hash probe per length, longest first, and checked token by token. Entries are
 * evicted least recently used first once their bytes pass the budget; an entry whose tokens are
 * a prefix of a newer entry's is dropped at once, since the newer one serves everything it did.
 * Thread-safe (one lock; the work under it is hashing and copying references).
 */
final class PrefixCache {
  private static final long MULT = 0x9E3779B97F4A7C15L;

  /** One cached prompt: its tokens and, per layer key/value, floats laid out [heads, len, dim]. */
  static final class Entry {
    final long[] tokens;
    final float[][] kv;
    final long bytes;
    final long[] keys;

    Entry(long[] tokens, float[][] kv) {
      this.tokens = tokens;
      this.kv = kv;
      long floats = 0;
      for (float[] a : kv) {
        floats += a.length;
      }
      this.bytes = floats * Float.BYTES + tokens.length * (long) Long.BYTES * 2;
      this.keys = prefixKeys(tokens, tokens.length);
    }
  }

  /** A cached entry whose first {@code length} tokens equal the prompt's. */
  record Match(Entry entry, int length) {}

  /** What the cache did so far. */
  record Stats(long lookups, long hits, long tokensLookedUp, long tokensReused, long bytes,
      long entries, long evictions, long budgetBytes) {
    double hitRate() {
      return lookups == 0 ? 0 : (double) hits / lookups;
    }
  }

  private final long budgetBytes;
  private final Map<Long, Entry> byPrefix = new HashMap<>();
  /** Least recently used first. */
  private final LinkedHashSet<Entry> lru = new LinkedHashSet<>();
  private long bytes;
  private long lookups;
  private long hits;
  private long tokensLookedUp;
  private long tokensReused;
  private long evictions;

  PrefixCache(long budgetBytes) {
    this.budgetBytes = budgetBytes;
  }

  /** keys[L-1] identifies the prefix of length L. */
  static long[] prefixKeys(long[] tokens, int upTo) {
    long[] keys = new long[upTo];
    long h = 0x84222325CBF29CE4L;
    for (int i = 0; i < upTo; i++) {
      h = (h ^ (tokens[i] + 1)) * MULT;
      keys[i] = h ^ (i + 1) * 0xC2B2AE3D27D4EB4FL;
    }
    return keys;
  }

  /** The longest cached prefix of {@code tokens} not longer than {@code maxLength}, or null. */
  synchronized Match lookup(long[] tokens, int maxLength) {
    lookups++;
    tokensLookedUp += tokens.length;
    int upTo = Math.min(maxLength, tokens.length);
    long[] keys = prefixKeys(tokens, upTo);
    for (int length = upTo; length >= 1; length--) {
      Entry e = byPrefix.get(keys[length - 1]);
      if (e != null && e.tokens.length >= length
          && Arrays.equals(e.tokens, 0, length, tokens, 0, length)) {
        lru.remove(e);
        lru.add(e);
        hits++;
        tokensReused += length;
        return new Match(e, length);
      }
    }
    return null;
  }

  /** Caches the KV of {@code tokens}; an entry larger than the whole budget is not kept. */
  synchronized void put(long[] tokens, float[][] kv) {
    Entry e = new Entry(tokens, kv);
    if (e.bytes > budgetBytes) {
      return;
    }
    Entry same = byPrefix.get(e.keys[e.keys.length - 1]);
    if (same != null && same.tokens.length == tokens.length && Arrays.equals(same.tokens, tokens)) {
      lru.remove(same);
      lru.add(same);
      return;
    }
    for (int i = 0; i < e.keys.length; i++) {
      Entry before = byPrefix.put(e.keys[i], e);
      if (before != null && before != e && before.tokens.length == i + 1 && lru.contains(before)
          && Arrays.equals(before.tokens, 0, i + 1, tokens, 0, i + 1)) {
        remove(before, false); // wholly covered by the new entry
      }
    }
    lru.add(e);
    bytes += e.bytes;
    Iterator<Entry> oldest = lru.iterator();
    while (bytes > budgetBytes && oldest.hasNext()) {
      Entry victim = oldest.next();
      oldest.remove();
      forget(victim);
      evictions++;
    }
  }

  private void remove(Entry e, boolean evicted) {
    lru.remove(e);
    forget(e);
    if (evicted) {
      evictions++;
    }
  }

  /** Drops {@code e}'s bytes and the keys that still point at it (others' keys stay). */
  private void forget(Entry e) {
    bytes -= e.bytes;
    for (long key : e.keys) {
      byPrefix.remove(key, e);
    }
  }

  synchronized Stats stats() {
    return new Stats(lookups, hits, tokensLookedUp, tokensReused, bytes, lru.size(), evictions, budgetBytes);
  }
}
