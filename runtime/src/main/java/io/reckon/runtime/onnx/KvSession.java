package io.reckon.runtime.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A decoder exported in the Hugging Face Optimum decoder-with-past layout (inputs {@code
 * input_ids}, {@code attention_mask}, {@code position_ids}, {@code past_key_values.{i}.key|value};
 * outputs {@code present.{i}.key|value} beside the model's own), whatever it computes: the policy
 * (logits) and the incremental PRM (scores, plus a per-position state it carries like the KV).
 *
 * <p>What the two share lives here: the layout check against config.json, one forward pass, and
 * the list of <em>carried</em> tensors, everything a later call needs from earlier tokens, each
 * laid out [batch, groups, positions, width]: the key and value of each layer ([batch, heads,
 * positions, head_dim]) and any extra state the model declares. {@link PrefixPrefill} and {@link
 * PrefixCache} handle every carried tensor alike, so a model's extra state is cached, shared
 * between prompts that share a prefix and evicted exactly as its KV is.
 */
final class KvSession {
  private static final Pattern PAST_KEY = Pattern.compile("past_key_values\\.(\\d+)\\.key");
  static final String USE_CACHE_BRANCH = "use_cache_branch";

  /** One tensor carried from call to call: its input and output names and [groups, width]. */
  record Carried(String input, String output, int groups, int width) {
    int floatsPerPosition() {
      return groups * width;
    }
  }

  private final OrtEnvironment env;
  private final OrtSession session;
  private final Path file;
  private final int layers;
  private final boolean hasUseCacheBranch;
  private final List<Carried> carried;
  /**
   * Direct buffers a prefill pass writes the carried outputs into, one set per pass running at
   * once (not per thread: a worker's calls hop between the threads of a pool, and a set per
   * thread kept tens of MB alive on each).
   */
  private final ConcurrentLinkedDeque<FloatBuffer[]> scratch = new ConcurrentLinkedDeque<>();

  private KvSession(OrtSession session, Path file, int layers, boolean useCacheBranch, List<Carried> carried) {
    this.env = OnnxSessions.environment();
    this.session = session;
    this.file = file;
    this.layers = layers;
    this.hasUseCacheBranch = useCacheBranch;
    this.carried = List.copyOf(carried);
  }

  /** Whether {@code session} takes past key/values at all (a PRM may be an older full-sequence export). */
  static boolean hasPast(OrtSession session) {
    for (String name : session.getInputNames()) {
      if (PAST_KEY.matcher(name).matches()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Checks the decoder-with-past layout against config.json; {@code extra} are carried tensors
   * beyond the KV (checked as float inputs and outputs of rank 4), {@code otherInputs} the
   * model-specific inputs it may have besides the layout's own.
   */
  static KvSession check(
      OrtSession session, Path file, ModelConfig config, List<Carried> extra, Set<String> otherInputs) {
    Map<String, NodeInfo> in = OnnxSessions.inputs(session, file);
    Map<String, NodeInfo> out = OnnxSessions.outputs(session, file);
    OnnxSessions.expectTensor(in, "input_ids", OnnxJavaType.INT64, 2, file, "input");
    OnnxSessions.expectTensor(in, "attention_mask", OnnxJavaType.INT64, 2, file, "input");
    OnnxSessions.expectTensor(in, "position_ids", OnnxJavaType.INT64, 2, file, "input");
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
    List<Carried> all = new ArrayList<>();
    for (int i = 0; i < layers; i++) {
      for (String kv : List.of("key", "value")) {
        String name = "past_key_values." + i + "." + kv;
        long[] shape = OnnxSessions.expectTensor(in, name, OnnxJavaType.FLOAT, 4, file, "input");
        if ((shape[1] > 0 && shape[1] != config.heads())
            || (shape[3] > 0 && shape[3] != config.headDim())) {
          throw new ModelLoadException(
              file + ": input " + name + " has shape " + Arrays.toString(shape) + " but config.json says heads = "
                  + config.heads() + ", head_dim = " + config.headDim()
                  + " (expected [batch, heads, past, head_dim])");
        }
        String present = "present." + i + "." + kv;
        OnnxSessions.expectTensor(out, present, OnnxJavaType.FLOAT, 4, file, "output");
        all.add(new Carried(name, present, config.heads(), config.headDim()));
      }
    }
    for (Carried c : extra) {
      long[] shape = OnnxSessions.expectTensor(in, c.input(), OnnxJavaType.FLOAT, 4, file, "input");
      if ((shape[1] > 0 && shape[1] != c.groups()) || (shape[3] > 0 && shape[3] != c.width())) {
        throw new ModelLoadException(
            file + ": input " + c.input() + " has shape " + Arrays.toString(shape) + " but expected [batch, "
                + c.groups() + ", past, " + c.width() + "] from config.json");
      }
      OnnxSessions.expectTensor(out, c.output(), OnnxJavaType.FLOAT, 4, file, "output");
      all.add(c);
    }
    for (String name : in.keySet()) {
      boolean known =
          name.equals("input_ids") || name.equals("attention_mask") || name.equals("position_ids")
              || name.startsWith("past_key_values.") || name.equals(USE_CACHE_BRANCH)
              || otherInputs.contains(name) || extra.stream().anyMatch(c -> c.input().equals(name));
      if (!known) {
        throw new ModelLoadException(
            file + ": unexpected input '" + name + "'; the decoder-with-past layout has input_ids, "
                + "attention_mask, position_ids and past_key_values.{i}.key|value"
                + (extra.isEmpty() ? "" : " (and " + extra.stream().map(Carried::input).toList() + ")"));
      }
    }
    return new KvSession(session, file, layers, in.containsKey(USE_CACHE_BRANCH), all);
  }

  int layers() {
    return layers;
  }

  /** The carried tensors, KV of every layer first (key, value), then the model's extra state. */
  List<Carried> carried() {
    return carried;
  }

  Path file() {
    return file;
  }

  /** Floats every cached position takes, all carried tensors together. */
  long floatsPerPosition() {
    long n = 0;
    for (Carried c : carried) {
      n += c.floatsPerPosition();
    }
    return n;
  }

  /** One forward pass: {@code seq} new tokens for each of {@code batch} rows against {@code past}. */
  OrtSession.Result forward(
      long[] ids, long[] positions, int batch, int seq, long[] mask, int columns, List<OnnxTensor> past)
      throws OrtException {
    return forward(ids, positions, batch, seq, mask, columns, past, null);
  }

  /**
   * As above; {@code pinned} (may be null) names outputs that ONNX Runtime writes into tensors the
   * caller made over its own direct buffers ({@link #directTensor}), which the result then does not
   * own: the decode loop reads the KV and the logits from its buffers without copying them out.
   */
  OrtSession.Result forward(
      long[] ids, long[] positions, int batch, int seq, long[] mask, int columns, List<OnnxTensor> past,
      Map<String, OnnxTensor> pinned) throws OrtException {
    return forward(ids, positions, batch, seq, mask, columns, past, pinned, Set.of());
  }

  /** As above; with {@code pinned}, {@code requested} are the outputs ONNX Runtime allocates. */
  OrtSession.Result forward(
      long[] ids, long[] positions, int batch, int seq, long[] mask, int columns, List<OnnxTensor> past,
      Map<String, OnnxTensor> pinned, Set<String> requested) throws OrtException {
    List<OnnxTensor> owned = new ArrayList<>(4);
    try {
      Map<String, OnnxTensor> inputs = new HashMap<>(2 * carried.size() + 8);
      inputs.put("input_ids", own(owned, longTensor(ids, batch, seq)));
      inputs.put("position_ids", own(owned, longTensor(positions, batch, seq)));
      inputs.put("attention_mask", own(owned, longTensor(mask, batch, columns)));
      if (hasUseCacheBranch) {
        inputs.put(
            USE_CACHE_BRANCH, own(owned, OnnxTensor.createTensor(env, new boolean[] {columns > seq})));
      }
      for (int t = 0; t < carried.size(); t++) {
        inputs.put(carried.get(t).input(), past.get(t));
      }
      return pinned == null ? session.run(inputs) : session.run(inputs, requested, pinned);
    } finally {
      closeAll(owned);
    }
  }

  /** Empty carried tensors (no past) for a batch of {@code batch} rows. */
  List<OnnxTensor> emptyPast(int batch) throws OrtException {
    List<OnnxTensor> past = new ArrayList<>(carried.size());
    try {
      for (Carried c : carried) {
        past.add(floatTensor(new float[0], batch, c.groups(), 0, c.width()));
      }
    } catch (OrtException | RuntimeException e) {
      closeAll(past);
      throw e;
    }
    return past;
  }

  /** The carried outputs of {@code result}, in {@link #carried()} order; owned by the result. */
  List<OnnxTensor> presents(OrtSession.Result result) {
    List<OnnxTensor> list = new ArrayList<>(carried.size());
    for (Carried c : carried) {
      list.add((OnnxTensor) value(result, c.output()));
    }
    return list;
  }

  static OnnxValue value(OrtSession.Result result, String name) {
    return result
        .get(name)
        .orElseThrow(() -> new IllegalStateException("the model did not return '" + name + "'"));
  }

  OnnxTensor longTensor(long[] data, long... shape) throws OrtException {
    return OnnxTensor.createTensor(env, LongBuffer.wrap(data), shape);
  }

  OnnxTensor floatTensor(float[] data, long... shape) throws OrtException {
    return OnnxTensor.createTensor(env, FloatBuffer.wrap(data), shape);
  }

  /** A set of scratch buffers (entries null or too small are grown by the caller). */
  FloatBuffer[] borrowScratch() {
    FloatBuffer[] set = scratch.pollFirst();
    return set != null ? set : new FloatBuffer[carried.size()];
  }

  void returnScratch(FloatBuffer[] set) {
    scratch.addFirst(set);
  }

  /** A direct buffer of at least {@code floats}, {@code reuse} when it is large enough. */
  static FloatBuffer atLeast(FloatBuffer reuse, long floats) {
    if (reuse != null && reuse.isDirect() && reuse.capacity() >= floats) {
      return reuse;
    }
    // Headroom: the KV grows by one column a step; a quarter more saves most reallocations.
    long capacity = floats + floats / 4 + 1024;
    return ByteBuffer.allocateDirect((int) (capacity * Float.BYTES)).order(ByteOrder.nativeOrder()).asFloatBuffer();
  }

  /**
   * A tensor over the first elements of a direct buffer, without a copy (ONNX Runtime reads it in
   * place as an input, or writes it in place as a pinned output); closing it leaves the buffer.
   */
  OnnxTensor directTensor(FloatBuffer direct, long... shape) throws OrtException {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return OnnxTensor.createTensor(env, direct.duplicate().position(0).limit((int) n).slice(), shape);
  }

  private static OnnxTensor own(List<OnnxTensor> owned, OnnxTensor t) {
    owned.add(t);
    return t;
  }

  static void closeAll(List<OnnxTensor> tensors) {
    for (OnnxTensor t : tensors) {
      t.close();
    }
  }
}
