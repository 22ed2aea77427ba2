package io.reckon.runtime.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One forward pass over several distinct token sequences ("units"), each fed from the end of its
 * longest prefix in a {@link PrefixCache}: the policy prefills its prompts with it, the incremental
 * PRM scores its solutions with it (a beam's new step after its parent's cached KV). The cached
 * prefixes are right-aligned in the past columns (left padding masked), the new tokens
 * right-aligned after them; positions count each unit's real tokens only. Afterwards every unit
 * holds its whole sequence's carried tensors ({@link KvSession#carried()}), laid out [groups,
 * length, width], which are also put in the cache.
 */
final class PrefixPrefill {
  private PrefixPrefill() {}

  /** One distinct sequence to feed. */
  static final class Unit {
    final long[] tokens;
    /** Leading tokens taken from the cache. */
    int cached;
    PrefixCache.Match match;
    /** Per carried tensor, [groups, tokens.length, width], once run. */
    float[][] carried;

    Unit(long[] tokens) {
      this.tokens = tokens;
    }

    /** Tokens this pass computed. */
    int fed() {
      return tokens.length - cached;
    }
  }

  /** The forward pass: its result (owned by the caller) and the width of its new-token columns. */
  record Pass(OrtSession.Result result, int width) implements AutoCloseable {
    @Override
    public void close() {
      result.close();
    }

    /** Index of unit {@code u}'s last token in a [units, width, ...] output. */
    int last(int u) {
      return u * width + width - 1;
    }
  }

  /**
   * Looks each unit up in {@code cache} (null: no cache), feeding at least {@code minFed} tokens of
   * each (1 where the caller reads the last token's output; 0 lets a wholly cached unit be served
   * from the cache without running: its carried tensors are then filled at once).
   */
  static void lookup(KvSession model, List<Unit> units, PrefixCache cache, int minFed) {
    for (Unit u : units) {
      u.match = cache == null ? null : cache.lookup(u.tokens, u.tokens.length - minFed);
      u.cached = u.match == null ? 0 : u.match.length();
      if (u.cached == u.tokens.length) {
        u.carried = slice(model.carried(), u.match.entry(), u.cached);
      }
    }
  }

  /** A cached entry's first {@code length} positions, laid out [groups, length, width]. */
  private static float[][] slice(List<KvSession.Carried> carried, PrefixCache.Entry e, int length) {
    int entryLength = e.tokens.length;
    float[][] out = new float[e.kv.length][];
    for (int t = 0; t < e.kv.length; t++) {
      if (length == entryLength) {
        out[t] = e.kv[t];
        continue;
      }
      int groups = carried.get(t).groups();
      int width = carried.get(t).width();
      float[] dst = new float[groups * length * width];
      for (int h = 0; h < groups; h++) {
        System.arraycopy(e.kv[t], h * entryLength * width, dst, h * length * width, length * width);
      }
      out[t] = dst;
    }
    return out;
  }

  /**
   * Runs {@code units} (none wholly cached) in one forward pass, fills their carried tensors and
   * caches them. The caller closes the returned pass after reading its outputs.
   */
  static Pass run(KvSession model, List<Unit> units, PrefixCache cache, long padTokenId, Set<String> read)
      throws OrtException {
    return run(model, units, cache, padTokenId, false, read);
  }

  /**
   * As {@link #run(KvSession, List, PrefixCache, long)}; with {@code padAfter} each unit's new
   * tokens follow its cached ones directly and the padding goes after them, so that a unit's real
   * columns are contiguous (closer to the same text fed alone, where the PRM's scores are compared
   * to 1e-5); without it the new tokens are right-aligned, so the last column is every unit's last
   * token (the policy samples from it).
   */
  static Pass run(
      KvSession model, List<Unit> units, PrefixCache cache, long padTokenId, boolean padAfter, Set<String> read)
      throws OrtException {
    List<KvSession.Carried> carried = model.carried();
    int past = 0;
    int width = 0;
    for (Unit u : units) {
      past = Math.max(past, u.cached);
      width = Math.max(width, u.tokens.length - u.cached);
    }
    int n = units.size();
    int total = past + width;
    long[] ids = new long[n * width];
    long[] positions = new long[n * width];
    long[] mask = new long[n * total];
    List<OnnxTensor> pastTensors = new ArrayList<>(carried.size());
    List<OnnxTensor> outTensors = new ArrayList<>(carried.size());
    FloatBuffer[] out = new FloatBuffer[carried.size()];
    FloatBuffer[] scratch = null;
    OrtSession.Result result = null;
    try {
      for (int t = 0; t < carried.size(); t++) {
        int groups = carried.get(t).groups();
        int dim = carried.get(t).width();
        float[] data = new float[n * groups * past * dim];
        for (int u = 0; u < n; u++) {
          Unit unit = units.get(u);
          if (unit.cached > 0) {
            float[] src = unit.match.entry().kv[t];
            int srcLength = unit.match.entry().tokens.length;
            for (int h = 0; h < groups; h++) {
              System.arraycopy(src, h * srcLength * dim, data,
                  ((u * groups + h) * past + past - unit.cached) * dim, unit.cached * dim);
            }
          }
        }
        pastTensors.add(model.floatTensor(data, n, groups, past, dim));
      }
      for (int u = 0; u < n; u++) {
        Unit unit = units.get(u);
        int suffix = unit.tokens.length - unit.cached;
        int pad = width - suffix;
        int at = padAfter ? 0 : pad;
        Arrays.fill(ids, u * width, (u + 1) * width, padTokenId);
        System.arraycopy(unit.tokens, unit.cached, ids, u * width + at, suffix);
        for (int i = 0; i < suffix; i++) {
          positions[u * width + at + i] = unit.cached + i;
        }
        Arrays.fill(mask, u * total + past - unit.cached, u * total + past, 1L);
        Arrays.fill(mask, u * total + past + at, u * total + past + at + suffix, 1L);
      }
      // The carried outputs go straight into direct buffers of ours (pinned), read from there
      // into each unit's arrays: no whole-batch copy to the heap first.
      Map<String, OnnxTensor> pinned = new HashMap<>();
      scratch = model.borrowScratch();
      for (int t = 0; t < carried.size(); t++) {
        KvSession.Carried c = carried.get(t);
        out[t] = scratch[t] = KvSession.atLeast(scratch[t], (long) n * c.groups() * total * c.width());
        OnnxTensor o = model.directTensor(out[t], n, c.groups(), total, c.width());
        outTensors.add(o);
        pinned.put(c.output(), o);
      }
      result = model.forward(ids, positions, n, width, mask, total, pastTensors, pinned, read);
      for (int u = 0; u < n; u++) {
        Unit unit = units.get(u);
        int length = unit.tokens.length;
        int suffix = length - unit.cached;
        float[][] kv = new float[carried.size()][];
        for (int t = 0; t < carried.size(); t++) {
          int groups = carried.get(t).groups();
          int dim = carried.get(t).width();
          FloatBuffer src = out[t];
          float[] dst = new float[groups * length * dim];
          for (int h = 0; h < groups; h++) {
            int rowStart = (u * groups + h) * total;
            src.get((rowStart + past - unit.cached) * dim, dst, h * length * dim, unit.cached * dim);
            int from = padAfter ? rowStart + past : rowStart + total - suffix;
            src.get(from * dim, dst, (h * length + unit.cached) * dim, suffix * dim);
          }
          kv[t] = dst;
        }
        unit.carried = kv;
        if (cache != null) {
          cache.put(unit.tokens, kv);
        }
      }
      Pass pass = new Pass(result, width);
      result = null;
      return pass;
    } finally {
      KvSession.closeAll(pastTensors);
      KvSession.closeAll(outTensors);
      if (scratch != null) {
        model.returnScratch(scratch);
      }
      if (result != null) {
        result.close();
      }
    }
  }
}
