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
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
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
    OnnxSessions.close(session);
    tokenizer.close();
  }

  /** One decoded row: a request's sample (or the single row of a greedy request). */
  private static final class Row {
    final int request;
    final long[] prompt;
    final double temperature;
    final SplittableRandom rng;
    final LineAssembler text;
    int generated;
    double logProb;
    long lastToken;
    /** Left-padding columns of this row in the current KV cache. */
    int pad;

    Row(int request, long[] prompt, double temperature, SplittableRandom rng, LineAssembler text) {
      this.request = request;
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
    for (int i = 0; i < batch.size(); i++) {
      GenerateRequest r = batch.get(i);
      long[] prompt = tokenizer.encode(prompt(r));
      int rows = r.temperature() == 0 ? 1 : r.samples();
      List<Row> mine = new ArrayList<>(rows);
      for (int s = 0; s < rows; s++) {
        SplittableRandom rng = r.temperature() == 0 ? null : Sampler.rowRandom(r.seed(), s);
        LineAssembler text =
            new LineAssembler(
                config.format(), r.maxSteps(), config.eosTokenId(), tokenizer::decode, this::mayEndLine);
        Row row = new Row(i, prompt, r.temperature(), rng, text);
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
    // Similar lengths side by side waste less on padding.
    all.sort(Comparator.comparingInt((Row row) -> row.prompt.length).reversed());
    for (int from = 0; from < all.size(); from += settings.maxBatchRows()) {
      decode(all.subList(from, Math.min(all.size(), from + settings.maxBatchRows())));
    }
    List<GenerateReply> replies = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      GenerateRequest r = batch.get(i);
      List<Row> mine = byRequest.get(i);
      long promptTokens = 0;
      long generated = 0;
      List<Continuation> continuations = new ArrayList<>(r.samples());
      for (Row row : mine) {
        if (row.generated > 0) {
          promptTokens += row.prompt.length;
        }
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

  /** Decodes {@code rows} to the end, in place. */
  private void decode(List<Row> chunk) {
    Row[] rows = chunk.toArray(new Row[0]);
    int width = 0;
    for (Row r : rows) {
      width = Math.max(width, r.prompt.length);
    }
    long[] ids = new long[rows.length * width];
    long[] positions = new long[rows.length * width];
    for (int b = 0; b < rows.length; b++) {
      Row r = rows[b];
      r.pad = width - r.prompt.length;
      Arrays.fill(ids, b * width, b * width + r.pad, config.padTokenId());
      System.arraycopy(r.prompt, 0, ids, b * width + r.pad, r.prompt.length);
      for (int t = 0; t < r.prompt.length; t++) {
        positions[b * width + r.pad + t] = t;
      }
    }
    List<OnnxTensor> past = new ArrayList<>();
    OrtSession.Result result = null;
    try {
      for (int i = 0; i < 2 * layers; i++) {
        past.add(floatTensor(new float[0], rows.length, config.heads(), 0, config.headDim()));
      }
      result = forward(rows, ids, positions, width, width, past);
      closeAll(past);
      past.clear();
      int columns = width;
      int seq = width;
      while (true) {
        float[] logits = ((OnnxTensor) value(result, "logits")).getFloatBuffer().array();
        int vocab = logits.length / (rows.length * seq);
        int finished = 0;
        for (int b = 0; b < rows.length; b++) {
          Row r = rows[b];
          if (r.text.done()) {
            finished++;
            continue;
          }
          int offset = (b * seq + seq - 1) * vocab;
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
          if (stop) {
            finished++;
          }
        }
        if (finished == rows.length) {
          break;
        }
        List<OnnxTensor> cache = presents(result);
        if (finished > 0 && finished * 4 >= rows.length) {
          int[] keep = new int[rows.length - finished];
          int k = 0;
          int drop = Integer.MAX_VALUE;
          for (int b = 0; b < rows.length; b++) {
            if (!rows[b].text.done()) {
              keep[k++] = b;
              drop = Math.min(drop, rows[b].pad);
            }
          }
          // Columns that are padding in every row still running are dropped with the rows.
          past = compact(cache, keep, columns, drop);
          cache = past;
          Row[] kept = new Row[keep.length];
          for (int i = 0; i < keep.length; i++) {
            kept[i] = rows[keep[i]];
            kept[i].pad -= drop;
          }
          rows = kept;
          columns -= drop;
        }
        long[] next = new long[rows.length];
        long[] nextPositions = new long[rows.length];
        for (int b = 0; b < rows.length; b++) {
          Row r = rows[b];
          // A finished row not yet cut out is fed padding; its outputs are never read.
          next[b] = r.text.done() ? config.padTokenId() : r.lastToken;
          nextPositions[b] = Math.min(r.prompt.length + r.generated - 1, config.maxPositions() - 1);
        }
        columns++;
        OrtSession.Result nextResult = forward(rows, next, nextPositions, 1, columns, cache);
        result.close();
        closeAll(past);
        past.clear();
        result = nextResult;
        seq = 1;
      }
    } catch (OrtException e) {
      throw new IllegalStateException(
          "ONNX Runtime failed while generating with " + modelFile + ": " + e.getMessage(), e);
    } finally {
      closeAll(past);
      if (result != null) {
        result.close();
      }
    }
  }

  /** One forward pass: {@code seq} new tokens per row against {@code past}. */
  private OrtSession.Result forward(
      Row[] rows, long[] ids, long[] positions, int seq, int columns, List<OnnxTensor> past)
      throws OrtException {
    long[] mask = new long[rows.length * columns];
    for (int b = 0; b < rows.length; b++) {
      Arrays.fill(mask, b * columns + rows[b].pad, (b + 1) * columns, 1L);
    }
    List<OnnxTensor> owned = new ArrayList<>(4);
    try {
      Map<String, OnnxTensor> inputs = new HashMap<>();
      inputs.put("input_ids", own(owned, longTensor(ids, rows.length, seq)));
      inputs.put("position_ids", own(owned, longTensor(positions, rows.length, seq)));
      inputs.put("attention_mask", own(owned, longTensor(mask, rows.length, columns)));
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

  /** Copies the rows {@code keep} of each cache tensor, without its first {@code drop} columns. */
  private List<OnnxTensor> compact(List<OnnxTensor> cache, int[] keep, int columns, int drop)
      throws OrtException {
    List<OnnxTensor> out = new ArrayList<>(cache.size());
    try {
      for (OnnxTensor t : cache) {
        long[] shape = t.getInfo().getShape();
        int heads = (int) shape[1];
        int length = (int) shape[2];
        int dim = (int) shape[3];
        if (length != columns) {
          throw new IllegalStateException(
              modelFile + ": present tensor has " + length + " positions, expected " + columns);
        }
        FloatBuffer src = t.getFloatBuffer();
        int kept = length - drop;
        FloatBuffer dst = FloatBuffer.allocate(keep.length * heads * kept * dim);
        float[] from = src.array();
        for (int row : keep) {
          for (int h = 0; h < heads; h++) {
            int start = ((row * heads + h) * length + drop) * dim;
            dst.put(from, start, kept * dim);
          }
        }
        dst.rewind();
        out.add(OnnxTensor.createTensor(env, dst, new long[] {keep.length, heads, kept, dim}));
      }
      return out;
    } catch (OrtException | RuntimeException e) {
      closeAll(out);
      throw e;
    }
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
    Row row = new Row(0, ids, 0, null, null);
    long[] positions = new long[ids.length];
    for (int t = 0; t < ids.length; t++) {
      positions[t] = t;
    }
    List<OnnxTensor> past = new ArrayList<>();
    try {
      for (int i = 0; i < 2 * layers; i++) {
        past.add(floatTensor(new float[0], 1, config.heads(), 0, config.headDim()));
      }
      try (OrtSession.Result result = forward(new Row[] {row}, ids, positions, ids.length, ids.length, past)) {
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
