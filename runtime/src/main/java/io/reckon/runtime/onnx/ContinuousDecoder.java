package io.reckon.runtime.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.function.IntConsumer;

/**
 * The decode loop of {@link OnnxCausalLm}, on its own thread: iteration-level (continuous)
 * batching. At a token boundary, rows waiting in {@code pending} join the running batch (up to
 * {@code max-batch-rows}; their prompts prefilled first by {@link PrefixPrefill}, only past the
 * longest cached prefix; at once into an empty batch, else once enough wait or the first has waited
 * a few tokens), and finished rows leave it (cut out of the KV cache once a quarter of the batch has
 * finished, or whenever rows join, since that copies the cache anyway). Each generate() call waits
 * for its own rows only, so a short request that arrives while long ones decode is not held up by
 * them.
 */
final class ContinuousDecoder implements Runnable {
  /** Token boundaries a waiting row lets pass before it joins a running batch regardless. */
  private static final int MAX_WAIT_STEPS = 8;

  private final KvSession model;
  private final ModelConfig config;
  private final OnnxSettings settings;
  /** Prompts' KV for reuse; null when {@code prefix-cache-mb} is 0. */
  private final PrefixCache cache;
  final LinkedBlockingDeque<DecodeRow> pending = new LinkedBlockingDeque<>();
  Thread thread;
  volatile boolean closed;
  volatile IntConsumer afterStep;
  volatile long steps;
  volatile long admitted;
  volatile long joinedRunning;
  volatile long promptTokens;
  volatile long prefillTokens;
  private DecodeRow[] rows = new DecodeRow[0];
  /**
   * KV of {@code rows}, {@code columns} wide, per carried tensor: a direct buffer of ours and a
   * tensor over it. ONNX Runtime reads it in place and writes the next step's KV into {@code
   * spare} (pinned outputs), then the two swap: no KV is copied out of or into the JVM heap per
   * token, and no buffer is allocated per token (they grow, with headroom, when the batch does).
   */
  private final FloatBuffer[] kvBuf;
  private final FloatBuffer[] spare;
  private final OnnxTensor[] kvTensor;
  private FloatBuffer logitsBuf = FloatBuffer.allocate(0);
  private float[] logits = new float[0];
  private int columns;
  private int stepsSinceJoin;
  /** Reused per step: the batch's next tokens, positions and mask (grown as needed). */
  private long[] next = new long[0];
  private long[] positions = new long[0];
  private long[] mask = new long[0];

  ContinuousDecoder(KvSession model, ModelConfig config, OnnxSettings settings, PrefixCache cache) {
    this.model = model;
    this.config = config;
    this.settings = settings;
    this.cache = cache;
    int n = model.carried().size();
    this.kvBuf = new FloatBuffer[n];
    this.spare = new FloatBuffer[n];
    this.kvTensor = new OnnxTensor[n];
  }

  void submit(List<DecodeRow> batch) {
    pending.addAll(batch);
  }

  @Override
  public void run() {
    while (!closed) {
      try {
        if (rows.length == 0) {
          pending.putFirst(pending.take());
        }
        step();
      } catch (InterruptedException e) {
        break;
      } catch (Throwable t) {
        fail(t);
      }
    }
    fail(new IllegalStateException(config.name() + " was closed while generating"));
  }

  private void fail(Throwable t) {
    List<DecodeRow> lost = new ArrayList<>(Arrays.asList(rows));
    pending.drainTo(lost);
    for (DecodeRow r : lost) {
      r.call.done.completeExceptionally(t);
    }
    rows = new DecodeRow[0];
    release();
    columns = 0;
  }

  private void release() {
    for (int t = 0; t < kvTensor.length; t++) {
      if (kvTensor[t] != null) {
        kvTensor[t].close();
        kvTensor[t] = null;
      }
    }
  }

  private List<OnnxTensor> kv() {
    return Arrays.asList(kvTensor);
  }

  private void retire(DecodeRow r) {
    if (--r.call.remaining == 0) {
      r.call.done.complete(null);
    }
  }

  /** One token boundary: rows leave and join, then one forward pass for every row. */
  private void step() throws OrtException {
    int running = 0;
    for (DecodeRow r : rows) {
      if (!r.text.done()) {
        running++;
      }
    }
    List<DecodeRow> joining = new ArrayList<>();
    // Joining copies the whole KV cache, so rows join when it pays: into an empty batch, when
    // a quarter as many as are running wait, or when the first has waited MAX_WAIT_STEPS.
    stepsSinceJoin++;
    boolean join = running == 0 || pending.size() * 4 >= running || stepsSinceJoin >= MAX_WAIT_STEPS;
    while (join && running + joining.size() < settings.maxBatchRows() && !pending.isEmpty()) {
      DecodeRow r = pending.poll();
      if (r != null) {
        joining.add(r);
      }
    }
    if (!joining.isEmpty()) {
      stepsSinceJoin = 0;
      admitted += joining.size();
      if (running > 0) {
        joinedRunning += joining.size();
      }
      prefill(joining);
      joining.removeIf(r -> {
        if (r.text.done()) {
          retire(r);
          return true;
        }
        return false;
      });
    }
    int finished = rows.length - running;
    if (!joining.isEmpty() || (finished > 0 && finished * 4 >= rows.length)) {
      relayout(joining);
    }
    if (rows.length == 0) {
      release();
      columns = 0;
      return;
    }
    int n = rows.length;
    if (next.length != n) {
      next = new long[n];
      positions = new long[n];
    }
    for (int b = 0; b < n; b++) {
      DecodeRow r = rows[b];
      // A finished row not yet cut out is fed padding; its outputs are never read.
      next[b] = r.text.done() ? config.padTokenId() : r.lastToken;
      positions[b] = Math.min(r.prompt.length + r.generated - 1, config.maxPositions() - 1);
    }
    columns++;
    if (mask.length != n * columns) {
      mask = new long[n * columns];
    } else {
      Arrays.fill(mask, 0L);
    }
    for (int b = 0; b < n; b++) {
      Arrays.fill(mask, b * columns + rows[b].pad, (b + 1) * columns, 1L);
    }
    List<KvSession.Carried> carried = model.carried();
    Map<String, OnnxTensor> pinned = new HashMap<>(2 * carried.size() + 2);
    OnnxTensor[] out = new OnnxTensor[carried.size()];
    OnnxTensor logitsOut = null;
    try {
      for (int t = 0; t < carried.size(); t++) {
        KvSession.Carried c = carried.get(t);
        spare[t] = KvSession.atLeast(spare[t], (long) n * c.groups() * columns * c.width());
        out[t] = model.directTensor(spare[t], n, c.groups(), columns, c.width());
        pinned.put(c.output(), out[t]);
      }
      logitsBuf = KvSession.atLeast(logitsBuf.isDirect() ? logitsBuf : null, (long) n * config.vocabSize());
      logitsOut = model.directTensor(logitsBuf, n, 1, config.vocabSize());
      pinned.put("logits", logitsOut);
      model.forward(next, positions, n, 1, mask, columns, kv(), pinned).close();
    } catch (OrtException | RuntimeException e) {
      for (OnnxTensor o : out) {
        if (o != null) {
          o.close();
        }
      }
      throw e;
    } finally {
      if (logitsOut != null) {
        logitsOut.close();
      }
    }
    release();
    for (int t = 0; t < carried.size(); t++) {
      FloatBuffer used = kvBuf[t];
      kvBuf[t] = spare[t];
      spare[t] = used;
      kvTensor[t] = out[t];
    }
    int vocab = config.vocabSize();
    if (logits.length < n * vocab) {
      logits = new float[n * vocab];
    }
    logitsBuf.get(0, logits, 0, n * vocab);
    for (int b = 0; b < n; b++) {
      DecodeRow r = rows[b];
      if (!r.text.done() && sampleNext(r, logits, b * vocab, vocab)) {
        retire(r);
      }
    }
    steps++;
    IntConsumer listener = afterStep;
    if (listener != null) {
      listener.accept((int) steps);
    }
  }

  /** Prompt identity by content, so that equal prompts of different requests share a prefill. */
  private record PromptKey(long[] tokens) {
    @Override
    public boolean equals(Object o) {
      return o instanceof PromptKey k && Arrays.equals(tokens, k.tokens);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(tokens);
    }
  }

  /**
   * Prefills the distinct prompts of {@code joining} in one forward pass, each from the end of
   * its longest cached prefix, caches their KV, and samples every row's first token.
   */
  private void prefill(List<DecodeRow> joining) throws OrtException {
    Map<Object, PrefixPrefill.Unit> byPrompt = new LinkedHashMap<>();
    Map<PrefixPrefill.Unit, List<DecodeRow>> rowsOf = new LinkedHashMap<>();
    for (DecodeRow r : joining) {
      // Without a cache every row prefills its own prompt, as rows always did.
      Object key = cache == null ? new Object() : new PromptKey(r.prompt);
      PrefixPrefill.Unit unit = byPrompt.computeIfAbsent(key, k -> new PrefixPrefill.Unit(r.prompt));
      rowsOf.computeIfAbsent(unit, k -> new ArrayList<>()).add(r);
    }
    List<PrefixPrefill.Unit> units = new ArrayList<>(byPrompt.values());
    // At least the last prompt token is fed: its logits give the first sampled token.
    PrefixPrefill.lookup(model, units, cache, 1);
    try (PrefixPrefill.Pass pass = PrefixPrefill.run(model, units, cache, config.padTokenId(), Set.of("logits"))) {
      float[] logits = ((OnnxTensor) KvSession.value(pass.result(), "logits")).getFloatBuffer().array();
      int vocab = logits.length / (units.size() * pass.width());
      for (int u = 0; u < units.size(); u++) {
        PrefixPrefill.Unit unit = units.get(u);
        List<DecodeRow> mine = rowsOf.get(unit);
        prefillTokens += unit.fed();
        mine.get(0).prefilled = unit.fed();
        int offset = pass.last(u) * vocab;
        for (DecodeRow r : mine) {
          promptTokens += r.prompt.length;
          r.promptKv = unit.carried;
          r.pad = 0;
          sampleNext(r, logits, offset, vocab);
        }
      }
    }
  }

  /**
   * Rebuilds the KV cache for the rows still running plus {@code joining}: running rows keep
   * their columns (less the padding every one of them has), joining rows bring their prompt's
   * KV; everything is right-aligned, the rest is masked padding.
   */
  private void relayout(List<DecodeRow> joining) throws OrtException {
    List<Integer> keep = new ArrayList<>();
    int drop = Integer.MAX_VALUE;
    for (int b = 0; b < rows.length; b++) {
      if (!rows[b].text.done()) {
        keep.add(b);
        drop = Math.min(drop, rows[b].pad);
      }
    }
    if (keep.isEmpty()) {
      drop = columns;
    }
    int kept = columns - drop;
    int width = kept;
    for (DecodeRow r : joining) {
      width = Math.max(width, r.prompt.length);
    }
    List<KvSession.Carried> carried = model.carried();
    DecodeRow[] nextRows = new DecodeRow[keep.size() + joining.size()];
    OnnxTensor[] out = new OnnxTensor[carried.size()];
    try {
      for (int t = 0; t < carried.size(); t++) {
        int heads = carried.get(t).groups();
        int dim = carried.get(t).width();
        FloatBuffer src = kvBuf[t];
        FloatBuffer dst = spare[t] = KvSession.atLeast(spare[t], (long) nextRows.length * heads * width * dim);
        for (int k = 0; k < keep.size(); k++) {
          int b = keep.get(k);
          for (int h = 0; h < heads; h++) {
            dst.put(((k * heads + h) * width + width - kept) * dim, src,
                ((b * heads + h) * columns + drop) * dim, kept * dim);
          }
        }
        for (int j = 0; j < joining.size(); j++) {
          DecodeRow r = joining.get(j);
          int k = keep.size() + j;
          int length = r.prompt.length;
          for (int h = 0; h < heads; h++) {
            dst.put(((k * heads + h) * width + width - length) * dim, r.promptKv[t], h * length * dim,
                length * dim);
          }
        }
        out[t] = model.directTensor(dst, nextRows.length, heads, width, dim);
      }
    } catch (OrtException | RuntimeException e) {
      for (OnnxTensor o : out) {
        if (o != null) {
          o.close();
        }
      }
      throw e;
    }
    for (int k = 0; k < keep.size(); k++) {
      DecodeRow r = rows[keep.get(k)];
      r.pad = r.pad - drop + (width - kept);
      nextRows[k] = r;
    }
    for (int j = 0; j < joining.size(); j++) {
      DecodeRow r = joining.get(j);
      r.pad = width - r.prompt.length;
      r.promptKv = null;
      nextRows[keep.size() + j] = r;
    }
    release();
    for (int t = 0; t < carried.size(); t++) {
      FloatBuffer used = kvBuf[t];
      kvBuf[t] = spare[t];
      spare[t] = used;
      kvTensor[t] = out[t];
    }
    rows = nextRows;
    columns = width;
  }

  /** Samples the row's next token; true when the row stops with it. */
  private boolean sampleNext(DecodeRow r, float[] logits, int offset, int vocab) {
    int token = Sampler.sample(logits, offset, vocab, r.temperature, settings.topP(), r.rng);
    r.generated++;
    r.logProb += Sampler.logProb(logits, offset, vocab, token);
    r.lastToken = token;
    boolean stop = r.text.accept(token);
    // The token just sampled would be fed at this position; the model knows no later one.
    int nextPosition = r.prompt.length + r.generated - 1;
    if (!stop && (r.generated >= settings.maxNewTokens() || nextPosition >= config.maxPositions())) {
      r.text.cutOff();
      stop = true;
    }
    return stop;
  }
}
