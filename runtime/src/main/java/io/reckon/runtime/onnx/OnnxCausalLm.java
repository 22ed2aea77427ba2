package io.reckon.runtime.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.reckon.protocol.Continuation;
import io.reckon.protocol.GenerateReply;
import io.reckon.protocol.GenerateRequest;
import io.reckon.runtime.Proposer;
import io.reckon.runtime.ProposerStats;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.function.IntConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A decoder-only language model in the Hugging Face Optimum layout (inputs {@code input_ids},
 * {@code attention_mask}, {@code position_ids}, {@code past_key_values.{i}.key|value}; outputs
 * {@code logits}, {@code present.{i}.key|value}) as a {@link Proposer}.
 *
 * <p>One call expands every request into its sample rows and decodes them together: the prompts
 * are left-padded (mask 0 on pads, positions counting real tokens only) and prefilled in one
 * forward pass, then each step feeds one token per row against the KV cache. A row stops at the
 * step delimiter once it has written {@code maxSteps} lines, after the answer line, at the end of
 * text, or at the token and position limits. Finished rows are cut out of the batch (and the KV
 * cache sliced) once a quarter of the batch has finished, so that they stop costing compute.
 *
 * <p>Greedy requests (temperature 0) decode one row and copy it to every sample: the rows would
 * be identical. Token counts and FLOPs in the reply are what was actually processed: prompt
 * tokens of each decoded row (pads not counted) and each token sampled, 2 · parameters each.
 *
 * <p>Thread-safe: ONNX Runtime sessions may run concurrently, and each call keeps its own state.
 */
public final class OnnxCausalLm implements Proposer {
  private static final Logger log = LoggerFactory.getLogger(OnnxCausalLm.class);
  private static final Pattern PAST_KEY = Pattern.compile("past_key_values\\.(\\d+)\\.key");
  private static final String USE_CACHE_BRANCH = "use_cache_branch";

  private final Path modelFile;
  private final ModelConfig config;
  private final OnnxSettings settings;
  private final OrtEnvironment env;
  private final OrtSession session;
  private final HfTokenizer tokenizer;
  private final int layers;
  private final boolean hasUseCacheBranch;
  /** Per token id: 0 not yet known, 1 its text may end a step line, 2 it cannot. */
  private final byte[] endsLine;
  /** Prompts' KV for reuse; null when {@code prefix-cache-mb} is 0. */
  private final PrefixCache cache;
  private Decoder decoder;
  private volatile boolean closed;

  private OnnxCausalLm(
      Path modelFile,
      ModelConfig config,
      OnnxSettings settings,
      OrtSession session,
      HfTokenizer tokenizer,
      int layers,
      boolean hasUseCacheBranch) {
    this.modelFile = modelFile;
    this.config = config;
    this.settings = settings;
    this.env = OnnxSessions.environment();
    this.session = session;
    this.tokenizer = tokenizer;
    this.layers = layers;
    this.hasUseCacheBranch = hasUseCacheBranch;
    this.endsLine = new byte[config.vocabSize()];
    this.cache = settings.prefixCacheBytes() > 0 ? new PrefixCache(settings.prefixCacheBytes()) : null;
  }

  /** Loads {@code model.onnx}, {@code tokenizer.json} and {@code config.json} from {@code dir}. */
  public static OnnxCausalLm load(Path dir, OnnxSettings settings) {
    OpenedModel opened = OpenedModel.open(dir, settings, ModelConfig.CAUSAL_LM, "a proposer");
    Path modelFile = opened.modelFile();
    ModelConfig config = opened.config();
    HfTokenizer tokenizer = opened.tokenizer();
    OrtSession session = opened.session();
    try {
      int layers = checkLayout(session, modelFile, config);
      boolean useCacheBranch = session.getInputNames().contains(USE_CACHE_BRANCH);
      log.info(
          "loaded {} ({} parameters, {} layers) from {} on {}",
          config.name(), config.parameters(), layers, dir, settings.device());
      return new OnnxCausalLm(modelFile, config, settings, session, tokenizer, layers, useCacheBranch);
    } catch (RuntimeException e) {
      opened.close();
      throw e;
    }
  }

  /** Checks the Optimum decoder-with-past layout against config.json; returns the layer count. */
  private static int checkLayout(OrtSession session, Path file, ModelConfig config) {
    Map<String, NodeInfo> in = OnnxSessions.inputs(session, file);
    Map<String, NodeInfo> out = OnnxSessions.outputs(session, file);
    OnnxSessions.expectTensor(in, "input_ids", OnnxJavaType.INT64, 2, file, "input");
    OnnxSessions.expectTensor(in, "attention_mask", OnnxJavaType.INT64, 2, file, "input");
    OnnxSessions.expectTensor(in, "position_ids", OnnxJavaType.INT64, 2, file, "input");
    long[] logits = OnnxSessions.expectTensor(out, "logits", OnnxJavaType.FLOAT, 3, file, "output");
    if (logits[2] > 0 && logits[2] != config.vocabSize()) {
      throw new ModelLoadException(
          file + ": output 'logits' has a vocabulary of " + logits[2] + " but config.json says "
              + "vocab_size = " + config.vocabSize());
    }
    TreeSet<Integer> found = new TreeSet<>();
    for (String name : in.keySet()) {
      Matcher m = PAST_KEY.matcher(name);
      if (m.matches()) {
        found.add(Integer.parseInt(m.group(1)));
      }
    }
    int layers = found.size();
    if (layers == 0) {
      throw new ModelLoadException(
          file + ": no past_key_values.{i}.key inputs: expected a decoder exported with its KV "
              + "cache (Optimum's decoder-with-past layout, task text-generation-with-past); "
              + "inputs are " + in.keySet());
    }
    if (found.last() != layers - 1) {
      throw new ModelLoadException(
          file + ": past_key_values layers are not numbered 0.." + (layers - 1) + ": " + found);
    }
    if (layers != config.layers()) {
      throw new ModelLoadException(
          file + " has " + layers + " layers (past_key_values inputs) but config.json says layers = "
              + config.layers());
    }
    for (int i = 0; i < layers; i++) {
      for (String kv : List.of("key", "value")) {
        long[] shape =
            OnnxSessions.expectTensor(
                in, "past_key_values." + i + "." + kv, OnnxJavaType.FLOAT, 4, file, "input");
        if ((shape[1] > 0 && shape[1] != config.heads())
            || (shape[3] > 0 && shape[3] != config.headDim())) {
          throw new ModelLoadException(
              file + ": input past_key_values." + i + "." + kv + " has shape "
                  + Arrays.toString(shape) + " but config.json says heads = "
                  + config.heads() + ", head_dim = " + config.headDim()
                  + " (expected [batch, heads, past, head_dim])");
        }
        OnnxSessions.expectTensor(out, "present." + i + "." + kv, OnnxJavaType.FLOAT, 4, file, "output");
      }
    }
    for (String name : in.keySet()) {
      boolean known =
          name.equals("input_ids") || name.equals("attention_mask") || name.equals("position_ids")
              || name.startsWith("past_key_values.") || name.equals(USE_CACHE_BRANCH);
      if (!known) {
        throw new ModelLoadException(
            file + ": unexpected input '" + name + "'; the decoder-with-past layout has input_ids, "
                + "attention_mask, position_ids and past_key_values.{i}.key|value");
      }
    }
    return layers;
  }

  public ModelConfig config() {
    return config;
  }

  public OnnxSettings settings() {
    return settings;
  }

  public HfTokenizer tokenizer() {
    return tokenizer;
  }

  public int layers() {
    return layers;
  }

  @Override
  public long parameters() {
    return config.parameters();
  }

  @Override
  public String name() {
    return config.name();
  }

  @Override
  public void close() {
    Thread t;
    synchronized (this) {
      closed = true;
      t = decoder == null ? null : decoder.thread;
    }
    if (t != null) {
      t.interrupt();
      try {
        // A forward pass in flight is not interruptible; it ends within one step.
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (cache != null) {
      log.info("{} prefix cache: {}", config.name(), cache.stats());
    }
    OnnxSessions.close(session);
    tokenizer.close();
  }

  /** One generate() call, waiting for its rows. */
  private static final class Call {
    final CompletableFuture<Void> done = new CompletableFuture<>();
    /** Rows not yet finished; touched by the decode thread only once submitted. */
    int remaining;
  }

  /** One decoded row: a request's sample (or the single row of a greedy request). */
  private static final class Row {
    final long[] prompt;
    final double temperature;
    final SplittableRandom rng;
    final LineAssembler text;
    Call call;
    int generated;
    double logProb;
    long lastToken;
    /** Left-padding columns of this row in the current KV cache. */
    int pad;
    /** Prompt tokens this row prefilled (0 when another row of the same prompt did, or the cache). */
    int prefilled;
    /** The prompt's KV, [heads, length, dim] per layer key/value, until the row joins the batch. */
    float[][] promptKv;

    Row(long[] prompt, double temperature, SplittableRandom rng, LineAssembler text) {
      this.prompt = prompt;
      this.temperature = temperature;
      this.rng = rng;
      this.text = text;
    }

    Continuation continuation() {
      return new Continuation(text.steps(), text.finished(), generated, logProb);
    }
  }

  @Override
  public List<GenerateReply> generate(List<GenerateRequest> batch) {
    List<List<Row>> byRequest = new ArrayList<>(batch.size());
    List<Row> all = new ArrayList<>();
    Call call = new Call();
    for (GenerateRequest r : batch) {
      long[] prompt = tokenizer.encode(prompt(r));
      int rows = r.temperature() == 0 ? 1 : r.samples();
      List<Row> mine = new ArrayList<>(rows);
      for (int s = 0; s < rows; s++) {
        SplittableRandom rng = r.temperature() == 0 ? null : Sampler.rowRandom(r.seed(), s);
        LineAssembler text =
            new LineAssembler(
                config.format(), r.maxSteps(), config.eosTokenId(), tokenizer::decode, this::mayEndLine);
        Row row = new Row(prompt, r.temperature(), rng, text);
        row.call = call;
        mine.add(row);
        if (prompt.length == 0) {
          throw new IllegalArgumentException(
              "request " + r.requestId() + ": the tokenizer made no tokens of the prompt");
        }
        if (prompt.length > config.maxPositions()) {
          // Nothing can be written after a prompt the model cannot even read: an empty,
          // unfinished continuation lets the search drop it instead of failing the whole batch.
          log.warn(
              "request {} of question {}: prompt of {} tokens exceeds max_positions {} of {}; "
                  + "answering with empty continuations",
              r.requestId(), r.questionId(), prompt.length, config.maxPositions(), config.name());
          text.cutOff();
        } else {
          all.add(row);
        }
      }
      byRequest.add(mine);
    }
    if (!all.isEmpty()) {
      call.remaining = all.size();
      decoder().submit(all);
      try {
        call.done.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while generating with " + modelFile, e);
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof RuntimeException re) {
          throw re;
        }
        throw new IllegalStateException(
            "ONNX Runtime failed while generating with " + modelFile + ": " + cause.getMessage(), cause);
      }
    }
    List<GenerateReply> replies = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      GenerateRequest r = batch.get(i);
      List<Row> mine = byRequest.get(i);
      long promptTokens = 0;
      long generated = 0;
      List<Continuation> continuations = new ArrayList<>(r.samples());
      for (Row row : mine) {
        promptTokens += row.prefilled;
        generated += row.generated;
        continuations.add(row.continuation());
      }
      if (mine.size() < r.samples()) {
        continuations = Collections.nCopies(r.samples(), continuations.get(0));
      }
      replies.add(
          new GenerateReply(
              r.requestId(),
              continuations,
              promptTokens,
              generated,
              2.0 * config.parameters() * (promptTokens + generated)));
    }
    return replies;
  }

  private String prompt(GenerateRequest r) {
    if (!r.attempts().isEmpty() && !config.canRevise()) {
      throw new IllegalArgumentException(
          "request " + r.requestId() + " asks for a revision, but model " + config.name()
              + " has no format.revision_attempt_template in its config.json");
    }
    return config.format().prompt(r.question(), r.attempts(), r.prefix());
  }

  private boolean mayEndLine(long token) {
    if (token < 0 || token >= endsLine.length) {
      return true;
    }
    int t = (int) token;
    if (endsLine[t] == 0) {
      String delimiter = config.format().stepDelimiter();
      String text = tokenizer.decode(new long[] {token});
      endsLine[t] = (byte) (text.indexOf(delimiter.charAt(delimiter.length() - 1)) >= 0 ? 1 : 2);
    }
    return endsLine[t] == 1;
  }

  private synchronized Decoder decoder() {
    if (closed) {
      throw new IllegalStateException(config.name() + " is closed");
    }
    if (decoder == null) {
      decoder = new Decoder();
      Thread t = new Thread(decoder, "onnx-decode-" + config.name());
      t.setDaemon(true);
      decoder.thread = t;
      t.start();
    }
    return decoder;
  }

  /** Concurrent calls are merged: the decode loop (or the server) batches continuously. */
  @Override
  public boolean batchesContinuously() {
    return true;
  }

  /** What the decode loop and its prefix cache did so far. */
  @Override
  public Optional<ProposerStats> stats() {
    Decoder d;
    synchronized (this) {
      d = decoder;
    }
    PrefixCache.Stats c = cache == null ? null : cache.stats();
    return Optional.of(new ProposerStats(
        d == null ? 0 : d.steps, d == null ? 0 : d.admitted, d == null ? 0 : d.joinedRunning,
        d == null ? 0 : d.promptTokens, d == null ? 0 : d.prefillTokens,
        c == null ? 0 : c.lookups(), c == null ? 0 : c.hits(), c == null ? 0 : c.bytes(),
        c == null ? 0 : c.entries(), c == null ? 0 : c.evictions(), settings.prefixCacheBytes()));
  }

  /** Test hook: runs on the decode thread after every decode step, with the step's number. */
  void afterStep(IntConsumer listener) {
    decoder().afterStep = listener;
  }

  /** Rows submitted but not yet in the running batch (for tests). */
  int waitingRows() {
    return decoder().pending.size();
  }

  /** A distinct prompt of the rows that join the batch together: prefilled once. */
  private static final class Unit {
    final long[] tokens;
    final List<Row> rows = new ArrayList<>();
    int cached;
    PrefixCache.Match match;
    float[] lastLogits;

    Unit(long[] tokens) {
      this.tokens = tokens;
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
   * The decode loop, on its own thread: iteration-level (continuous) batching. At every token
   * boundary, rows waiting in {@code pending} join the running batch (up to {@code
   * max-batch-rows}; their prompts prefilled first, only past the longest cached prefix), and
   * finished rows leave it (cut out of the KV cache once a quarter of the batch has finished, or
   * whenever rows join, since that copies the cache anyway). Each generate() call waits for its own
   * rows only, so a short request that arrives while long ones decode is not held up by them.
   */
  private final class Decoder implements Runnable {
    final LinkedBlockingDeque<Row> pending = new LinkedBlockingDeque<>();
    Thread thread;
    volatile IntConsumer afterStep;
    volatile long steps;
    volatile long admitted;
    volatile long joinedRunning;
    volatile long promptTokens;
    volatile long prefillTokens;
    private Row[] rows = new Row[0];
    /** KV of {@code rows}, {@code columns} wide; owned by {@code owner} or, when null, by us. */
    private List<OnnxTensor> kv = List.of();
    private OrtSession.Result owner;
    private int columns;

    void submit(List<Row> batch) {
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
      List<Row> lost = new ArrayList<>(Arrays.asList(rows));
      pending.drainTo(lost);
      for (Row r : lost) {
        r.call.done.completeExceptionally(t);
      }
      rows = new Row[0];
      release();
      columns = 0;
    }

    private void release() {
      if (owner != null) {
        owner.close();
        owner = null;
      } else {
        closeAll(kv);
      }
      kv = List.of();
    }

    private void retire(Row r) {
      if (--r.call.remaining == 0) {
        r.call.done.complete(null);
      }
    }

    /** One token boundary: rows leave and join, then one forward pass for every row. */
    private void step() throws OrtException {
      int running = 0;
      for (Row r : rows) {
        if (!r.text.done()) {
          running++;
        }
      }
      List<Row> joining = new ArrayList<>();
      while (running + joining.size() < settings.maxBatchRows() && !pending.isEmpty()) {
        Row r = pending.poll();
        if (r != null) {
          joining.add(r);
        }
      }
      if (!joining.isEmpty()) {
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
      long[] next = new long[rows.length];
      long[] positions = new long[rows.length];
      for (int b = 0; b < rows.length; b++) {
        Row r = rows[b];
        // A finished row not yet cut out is fed padding; its outputs are never read.
        next[b] = r.text.done() ? config.padTokenId() : r.lastToken;
        positions[b] = Math.min(r.prompt.length + r.generated - 1, config.maxPositions() - 1);
      }
      columns++;
      long[] mask = new long[rows.length * columns];
      for (int b = 0; b < rows.length; b++) {
        Arrays.fill(mask, b * columns + rows[b].pad, (b + 1) * columns, 1L);
      }
      OrtSession.Result result = forward(next, positions, rows.length, 1, mask, columns, kv);
      release();
      owner = result;
      kv = presents(result);
      float[] logits = ((OnnxTensor) value(result, "logits")).getFloatBuffer().array();
      int vocab = logits.length / rows.length;
      for (int b = 0; b < rows.length; b++) {
        Row r = rows[b];
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

    /**
     * Prefills the distinct prompts of {@code joining} in one forward pass, each from the end of
     * its longest cached prefix, caches their KV, and samples every row's first token.
     */
    private void prefill(List<Row> joining) throws OrtException {
      Map<Object, Unit> byPrompt = new LinkedHashMap<>();
      for (Row r : joining) {
        // Without a cache every row prefills its own prompt, as rows always did.
        Object key = cache == null ? new Object() : new PromptKey(r.prompt);
        byPrompt.computeIfAbsent(key, k -> new Unit(r.prompt)).rows.add(r);
      }
      List<Unit> units = new ArrayList<>(byPrompt.values());
      int past = 0;
      int width = 0;
      for (Unit u : units) {
        u.match = cache == null ? null : cache.lookup(u.tokens, u.tokens.length - 1);
        u.cached = u.match == null ? 0 : u.match.length();
        past = Math.max(past, u.cached);
        width = Math.max(width, u.tokens.length - u.cached);
      }
      int n = units.size();
      int heads = config.heads();
      int dim = config.headDim();
      int total = past + width;
      long[] ids = new long[n * width];
      long[] positions = new long[n * width];
      long[] mask = new long[n * total];
      List<OnnxTensor> pastKv = new ArrayList<>(2 * layers);
      OrtSession.Result result = null;
      try {
        for (int t = 0; t < 2 * layers; t++) {
          float[] data = new float[n * heads * past * dim];
          for (int u = 0; u < n; u++) {
            Unit unit = units.get(u);
            if (unit.cached > 0) {
              float[] src = unit.match.entry().kv[t];
              int srcLength = unit.match.entry().tokens.length;
              for (int h = 0; h < heads; h++) {
                System.arraycopy(src, h * srcLength * dim, data,
                    ((u * heads + h) * past + past - unit.cached) * dim, unit.cached * dim);
              }
            }
          }
          pastKv.add(floatTensor(data, n, heads, past, dim));
        }
        for (int u = 0; u < n; u++) {
          Unit unit = units.get(u);
          int suffix = unit.tokens.length - unit.cached;
          int pad = width - suffix;
          Arrays.fill(ids, u * width, u * width + pad, config.padTokenId());
          System.arraycopy(unit.tokens, unit.cached, ids, u * width + pad, suffix);
          for (int i = 0; i < suffix; i++) {
            positions[u * width + pad + i] = unit.cached + i;
          }
          Arrays.fill(mask, u * total + past - unit.cached, u * total + past, 1L);
          Arrays.fill(mask, u * total + past + pad, (u + 1) * total, 1L);
          prefillTokens += suffix;
          unit.rows.get(0).prefilled = suffix;
          for (Row r : unit.rows) {
            promptTokens += r.prompt.length;
          }
        }
        result = forward(ids, positions, n, width, mask, total, pastKv);
        float[] logits = ((OnnxTensor) value(result, "logits")).getFloatBuffer().array();
        int vocab = logits.length / (n * width);
        List<float[]> presents = new ArrayList<>(2 * layers);
        for (OnnxTensor p : presents(result)) {
          presents.add(p.getFloatBuffer().array());
        }
        for (int u = 0; u < n; u++) {
          Unit unit = units.get(u);
          int length = unit.tokens.length;
          int suffix = length - unit.cached;
          float[][] kvOfPrompt = new float[2 * layers][];
          for (int t = 0; t < 2 * layers; t++) {
            float[] src = presents.get(t);
            float[] dst = new float[heads * length * dim];
            for (int h = 0; h < heads; h++) {
              int rowStart = (u * heads + h) * total;
              System.arraycopy(src, (rowStart + past - unit.cached) * dim, dst, h * length * dim,
                  unit.cached * dim);
              System.arraycopy(src, (rowStart + total - suffix) * dim, dst,
                  (h * length + unit.cached) * dim, suffix * dim);
            }
            kvOfPrompt[t] = dst;
          }
          if (cache != null) {
            cache.put(unit.tokens, kvOfPrompt);
          }
          int offset = (u * width + width - 1) * vocab;
          for (Row r : unit.rows) {
            r.promptKv = kvOfPrompt;
            r.pad = 0;
            sampleNext(r, logits, offset, vocab);
          }
        }
      } finally {
        closeAll(pastKv);
        if (result != null) {
          result.close();
        }
      }
    }

    /**
     * Rebuilds the KV cache for the rows still running plus {@code joining}: running rows keep
     * their columns (less the padding every one of them has), joining rows bring their prompt's
     * KV; everything is right-aligned, the rest is masked padding.
     */
    private void relayout(List<Row> joining) throws OrtException {
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
      for (Row r : joining) {
        width = Math.max(width, r.prompt.length);
      }
      int heads = config.heads();
      int dim = config.headDim();
      Row[] next = new Row[keep.size() + joining.size()];
      List<OnnxTensor> out = new ArrayList<>(2 * layers);
      try {
        for (int t = 0; t < 2 * layers; t++) {
          float[] src = keep.isEmpty() ? null : kv.get(t).getFloatBuffer().array();
          float[] dst = new float[next.length * heads * width * dim];
          for (int k = 0; k < keep.size(); k++) {
            int b = keep.get(k);
            for (int h = 0; h < heads; h++) {
              System.arraycopy(src, ((b * heads + h) * columns + drop) * dim, dst,
                  ((k * heads + h) * width + width - kept) * dim, kept * dim);
            }
          }
          for (int j = 0; j < joining.size(); j++) {
            Row r = joining.get(j);
            int k = keep.size() + j;
            int length = r.prompt.length;
            for (int h = 0; h < heads; h++) {
              System.arraycopy(r.promptKv[t], h * length * dim, dst,
                  ((k * heads + h) * width + width - length) * dim, length * dim);
            }
          }
          out.add(floatTensor(dst, next.length, heads, width, dim));
        }
      } catch (OrtException | RuntimeException e) {
        closeAll(out);
        throw e;
      }
      for (int k = 0; k < keep.size(); k++) {
        Row r = rows[keep.get(k)];
        r.pad = r.pad - drop + (width - kept);
        next[k] = r;
      }
      for (int j = 0; j < joining.size(); j++) {
        Row r = joining.get(j);
        r.pad = width - r.prompt.length;
        r.promptKv = null;
        next[keep.size() + j] = r;
      }
      release();
      kv = out;
      owner = null;
      rows = next;
      columns = width;
    }
  }

  /** Samples the row's next token; true when the row stops with it. */
  private boolean sampleNext(Row r, float[] logits, int offset, int vocab) {
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

  /** One forward pass: {@code seq} new tokens for each of {@code batch} rows against {@code past}. */
  private OrtSession.Result forward(
      long[] ids, long[] positions, int batch, int seq, long[] mask, int columns, List<OnnxTensor> past)
      throws OrtException {
    List<OnnxTensor> owned = new ArrayList<>(4);
    try {
      Map<String, OnnxTensor> inputs = new HashMap<>();
      inputs.put("input_ids", own(owned, longTensor(ids, batch, seq)));
      inputs.put("position_ids", own(owned, longTensor(positions, batch, seq)));
      inputs.put("attention_mask", own(owned, longTensor(mask, batch, columns)));
      if (hasUseCacheBranch) {
        inputs.put(
            USE_CACHE_BRANCH, own(owned, OnnxTensor.createTensor(env, new boolean[] {columns > seq})));
      }
      for (int i = 0; i < layers; i++) {
        inputs.put("past_key_values." + i + ".key", past.get(2 * i));
        inputs.put("past_key_values." + i + ".value", past.get(2 * i + 1));
      }
      return session.run(inputs);
    } finally {
      closeAll(owned);
    }
  }

  /** The present key/value tensors of {@code result}, in input order; owned by the result. */
  private List<OnnxTensor> presents(OrtSession.Result result) {
    List<OnnxTensor> list = new ArrayList<>(2 * layers);
    for (int i = 0; i < layers; i++) {
      list.add((OnnxTensor) value(result, "present." + i + ".key"));
      list.add((OnnxTensor) value(result, "present." + i + ".value"));
    }
    return list;
  }

  private static OnnxValue value(OrtSession.Result result, String name) {
    return result
        .get(name)
        .orElseThrow(() -> new IllegalStateException("the model did not return '" + name + "'"));
  }

  private OnnxTensor longTensor(long[] data, long... shape) throws OrtException {
    return OnnxTensor.createTensor(env, LongBuffer.wrap(data), shape);
  }

  private OnnxTensor floatTensor(float[] data, long... shape) throws OrtException {
    return OnnxTensor.createTensor(env, FloatBuffer.wrap(data), shape);
  }

  private static OnnxTensor own(List<OnnxTensor> owned, OnnxTensor t) {
    owned.add(t);
    return t;
  }

  private static void closeAll(List<OnnxTensor> tensors) {
    for (OnnxTensor t : tensors) {
      t.close();
    }
  }

  /**
   * Logits for the next token after {@code ids}, computed from scratch with an empty cache: the
   * reference that cached decoding must agree with (used by tests).
   */
  float[] nextLogitsWithoutCache(long[] ids) {
    long[] positions = new long[ids.length];
    for (int t = 0; t < ids.length; t++) {
      positions[t] = t;
    }
    List<OnnxTensor> past = new ArrayList<>();
    try {
      for (int i = 0; i < 2 * layers; i++) {
        past.add(floatTensor(new float[0], 1, config.heads(), 0, config.headDim()));
      }
      long[] mask = new long[ids.length];
      Arrays.fill(mask, 1L);
      try (OrtSession.Result result = forward(ids, positions, 1, ids.length, mask, ids.length, past)) {
        float[] logits = ((OnnxTensor) value(result, "logits")).getFloatBuffer().array();
        int vocab = logits.length / ids.length;
        return Arrays.copyOfRange(logits, (ids.length - 1) * vocab, ids.length * vocab);
      }
    } catch (OrtException e) {
      throw new IllegalStateException(e.getMessage(), e);
    } finally {
      closeAll(past);
    }
  }
}
