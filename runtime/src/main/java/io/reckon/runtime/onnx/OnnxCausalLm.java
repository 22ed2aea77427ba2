package io.reckon.runtime.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.reckon.protocol.Continuation;
import io.reckon.protocol.GenerateReply;
import io.reckon.protocol.GenerateRequest;
import io.reckon.runtime.Proposer;
import io.reckon.runtime.ProposerStats;
import io.reckon.runtime.PromptFormat;
import io.reckon.runtime.format.TaskFormat;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.function.IntConsumer;
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

  private final Path modelFile;
  private final ModelConfig config;
  private final OnnxSettings settings;
  private final OrtSession session;
  private final KvSession kv;
  private final HfTokenizer tokenizer;
  /** Per token id: 0 not yet known, 1 its text may end a step line, 2 it cannot. */
  private final byte[] endsLine;
  /** Prompts' KV for reuse; null when {@code prefix-cache-mb} is 0. */
  private final PrefixCache cache;
  private ContinuousDecoder decoder;
  private volatile boolean closed;

  private OnnxCausalLm(
      Path modelFile,
      ModelConfig config,
      OnnxSettings settings,
      OrtSession session,
      KvSession kv,
      HfTokenizer tokenizer) {
    this.modelFile = modelFile;
    this.config = config;
    this.settings = settings;
    this.session = session;
    this.kv = kv;
    this.tokenizer = tokenizer;
    this.endsLine = new byte[config.vocabSize()];
    this.cache = settings.prefixCacheBytes() > 0 ? new PrefixCache(settings.prefixCacheBytes()) : null;
  }

  /** Loads {@code model.onnx}, {@code tokenizer.json} and {@code config.json} from {@code dir}. */
  public static OnnxCausalLm load(Path dir, OnnxSettings settings) {
    return load(dir, settings, null);
  }

  /**
   * The same, answering in {@code rendering}'s format (a task through the model's chat template)
   * instead of config.json's; null keeps config.json's.
   */
  public static OnnxCausalLm load(Path dir, OnnxSettings settings, TaskFormat rendering) {
    OpenedModel opened = OpenedModel.open(dir, settings, ModelConfig.CAUSAL_LM, "a proposer");
    Path modelFile = opened.modelFile();
    ModelConfig config = rendering == null
        ? opened.config() : opened.config().withFormat(PromptFormat.of(rendering));
    HfTokenizer tokenizer = opened.tokenizer();
    OrtSession session = opened.session();
    try {
      KvSession kv = checkLayout(session, modelFile, config);
      log.info(
          "loaded {} ({} parameters, {} layers) from {} on {}",
          config.name(), config.parameters(), kv.layers(), dir, settings.device());
      return new OnnxCausalLm(modelFile, config, settings, session, kv, tokenizer);
    } catch (RuntimeException e) {
      opened.close();
      throw e;
    }
  }

  /** Checks the Optimum decoder-with-past layout against config.json, and the policy's logits. */
  private static KvSession checkLayout(OrtSession session, Path file, ModelConfig config) {
    KvSession kv = KvSession.check(session, file, config, List.of(), Set.of());
    Map<String, NodeInfo> out = OnnxSessions.outputs(session, file);
    long[] logits = OnnxSessions.expectTensor(out, "logits", OnnxJavaType.FLOAT, 3, file, "output");
    if (logits[2] > 0 && logits[2] != config.vocabSize()) {
      throw new ModelLoadException(
          file + ": output 'logits' has a vocabulary of " + logits[2] + " but config.json says "
              + "vocab_size = " + config.vocabSize());
    }
    return kv;
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
    return kv.layers();
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
      if (decoder != null) {
        decoder.closed = true;
      }
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

  @Override
  public List<GenerateReply> generate(List<GenerateRequest> batch) {
    List<List<DecodeRow>> byRequest = new ArrayList<>(batch.size());
    List<DecodeRow> all = new ArrayList<>();
    DecodeRow.Call call = new DecodeRow.Call();
    for (GenerateRequest r : batch) {
      long[] prompt = tokenizer.encode(prompt(r));
      int rows = r.temperature() == 0 ? 1 : r.samples();
      List<DecodeRow> mine = new ArrayList<>(rows);
      for (int s = 0; s < rows; s++) {
        SplittableRandom rng = r.temperature() == 0 ? null : Sampler.rowRandom(r.seed(), s);
        LineAssembler text =
            new LineAssembler(
                config.format(), r.maxSteps(), config.eosTokenId(), tokenizer::decode, this::mayEndLine);
        DecodeRow row = new DecodeRow(prompt, r.temperature(), rng, text);
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
      List<DecodeRow> mine = byRequest.get(i);
      long promptTokens = 0;
      long generated = 0;
      List<Continuation> continuations = new ArrayList<>(r.samples());
      for (DecodeRow row : mine) {
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

  @Override
  public String refusal(String question) {
    int tokens = tokenizer.encode(config.format().prompt(question, List.of(), List.of())).length;
    if (tokens >= config.maxPositions()) {
      return "the prompt is " + tokens + " tokens long, but model " + config.name() + " reads at most "
          + config.maxPositions() + " (max_positions), so it cannot write a single token of an answer";
    }
    return null;
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

  private synchronized ContinuousDecoder decoder() {
    if (closed) {
      throw new IllegalStateException(config.name() + " is closed");
    }
    if (decoder == null) {
      decoder = new ContinuousDecoder(kv, config, settings, cache);
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
    ContinuousDecoder d;
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

  /**
   * Logits for the next token after {@code ids}, computed from scratch with an empty cache: the
   * reference that cached decoding must agree with (used by tests).
   */
  float[] nextLogitsWithoutCache(long[] ids) {
    long[] positions = new long[ids.length];
    for (int t = 0; t < ids.length; t++) {
      positions[t] = t;
    }
    List<OnnxTensor> past = List.of();
    try {
      past = kv.emptyPast(1);
      long[] mask = new long[ids.length];
      Arrays.fill(mask, 1L);
      try (OrtSession.Result result = kv.forward(ids, positions, 1, ids.length, mask, ids.length, past)) {
        float[] logits = ((OnnxTensor) KvSession.value(result, "logits")).getFloatBuffer().array();
        int vocab = logits.length / ids.length;
        return Arrays.copyOfRange(logits, (ids.length - 1) * vocab, ids.length * vocab);
      }
    } catch (OrtException e) {
      throw new IllegalStateException(e.getMessage(), e);
    } finally {
      KvSession.closeAll(past);
    }
  }
}
