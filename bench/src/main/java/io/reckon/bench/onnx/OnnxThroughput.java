package io.reckon.bench.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ch.qos.logback.classic.Level;
import io.reckon.protocol.GenerateReply;
import io.reckon.protocol.GenerateRequest;
import io.reckon.runtime.onnx.HfTokenizer;
import io.reckon.runtime.onnx.ModelConfig;
import io.reckon.runtime.onnx.OnnxCausalLm;
import io.reckon.runtime.onnx.OnnxModels;
import io.reckon.runtime.onnx.OnnxSessions;
import io.reckon.runtime.onnx.OnnxSettings;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Raw ONNX Runtime throughput of a policy model: decode steps against the KV cache at several
 * batch sizes, after warm-up, with nothing of Reckon in the loop but building the inputs and
 * reading the logits (the physical limit the actors are measured against). A second column runs
 * the same batch through {@link OnnxCausalLm#generate} (tokenizing, prefill, sampling, stopping
 * rows) to show what the backend itself costs.
 *
 * <pre>
 * bench/onnx-throughput.sh [--model models/arith-policy] [--device cpu] [--threads 0]
 *                          [--batches 1,8,32,64] [--steps 64] [--repeats 5]
 * </pre>
 */
public final class OnnxThroughput {

  /** Decode throughput at one batch size; the best of the repeats (least disturbed by others). */
  public record RawResult(
      int batch, int promptTokens, int steps, double prefillMs, double msPerStep, double tokensPerSecond,
      double tokensPerCpuSecond) {}

  /** Through {@code generate}: generated tokens per second of wall time, prefill included. */
  public record GenerateResult(int batch, long generatedTokens, double seconds, double tokensPerSecond) {}

  private OnnxThroughput() {}

  /**
   * Times {@code steps} decode steps of {@code batch} copies of {@code prompt} after one prefill,
   * {@code repeats} times after one warm-up run, and returns the fastest run.
   */
  public static RawResult measureDecode(
      OrtSession session, ModelConfig config, long[] prompt, int batch, int steps, int repeats)
      throws OrtException {
    if (prompt.length + steps > config.maxPositions()) {
      throw new IllegalArgumentException(
          "prompt " + prompt.length + " + steps " + steps + " exceeds max_positions " + config.maxPositions());
    }
    RawResult best = null;
    for (int r = -1; r < repeats; r++) {
      RawResult run = decodeOnce(session, config, prompt, batch, steps);
      if (r >= 0 && (best == null || run.msPerStep() < best.msPerStep())) {
        best = run;
      }
    }
    return best;
  }

  private static RawResult decodeOnce(
      OrtSession session, ModelConfig config, long[] prompt, int batch, int steps) throws OrtException {
    OrtEnvironment env = OnnxSessions.environment();
    int layers = config.layers();
    int len = prompt.length;
    long[] ids = new long[batch * len];
    long[] positions = new long[batch * len];
    for (int b = 0; b < batch; b++) {
      System.arraycopy(prompt, 0, ids, b * len, len);
      for (int t = 0; t < len; t++) {
        positions[b * len + t] = t;
      }
    }
    List<OnnxTensor> empty = new ArrayList<>();
    for (int i = 0; i < 2 * layers; i++) {
      empty.add(OnnxTensor.createTensor(env, FloatBuffer.allocate(0), new long[] {batch, config.heads(), 0, config.headDim()}));
    }
    long t0 = System.nanoTime();
    OrtSession.Result result = run(session, env, layers, ids, positions, batch, len, len, empty);
    float[] logits = ((OnnxTensor) result.get("logits").orElseThrow()).getFloatBuffer().array();
    long t1 = System.nanoTime();
    for (OnnxTensor t : empty) {
      t.close();
    }
    int vocab = logits.length / (batch * len);
    long[] next = new long[batch];
    for (int b = 0; b < batch; b++) {
      next[b] = argmax(logits, (b * len + len - 1) * vocab, vocab);
    }
    int columns = len;
    // With one intra-op thread ONNX Runtime computes on this thread: its CPU time is the decode's,
    // whatever else the machine runs (wall time is not, on a shared machine).
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long cpu0 = threads.getCurrentThreadCpuTime();
    for (int s = 0; s < steps; s++) {
      List<OnnxTensor> past = new ArrayList<>(2 * layers);
      for (int i = 0; i < layers; i++) {
        past.add((OnnxTensor) result.get("present." + i + ".key").orElseThrow());
        past.add((OnnxTensor) result.get("present." + i + ".value").orElseThrow());
      }
      long[] pos = new long[batch];
      Arrays.fill(pos, columns);
      columns++;
      OrtSession.Result nextResult = run(session, env, layers, next, pos, batch, 1, columns, past);
      result.close();
      result = nextResult;
      logits = ((OnnxTensor) result.get("logits").orElseThrow()).getFloatBuffer().array();
      for (int b = 0; b < batch; b++) {
        next[b] = argmax(logits, b * vocab, vocab);
      }
    }
    long t2 = System.nanoTime();
    double cpuSeconds = (threads.getCurrentThreadCpuTime() - cpu0) / 1e9;
    result.close();
    double msPerStep = (t2 - t1) / 1e6 / steps;
    return new RawResult(batch, len, steps, (t1 - t0) / 1e6, msPerStep, batch * 1000.0 / msPerStep,
        batch * (double) steps / cpuSeconds);
  }

  private static OrtSession.Result run(
      OrtSession session, OrtEnvironment env, int layers, long[] ids, long[] positions, int batch,
      int seq, int columns, List<OnnxTensor> past) throws OrtException {
    long[] mask = new long[batch * columns];
    Arrays.fill(mask, 1L);
    try (OnnxTensor i = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), new long[] {batch, seq});
        OnnxTensor p = OnnxTensor.createTensor(env, LongBuffer.wrap(positions), new long[] {batch, seq});
        OnnxTensor m = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), new long[] {batch, columns})) {
      Map<String, OnnxTensor> inputs = new HashMap<>();
      inputs.put("input_ids", i);
      inputs.put("position_ids", p);
      inputs.put("attention_mask", m);
      for (int l = 0; l < layers; l++) {
        inputs.put("past_key_values." + l + ".key", past.get(2 * l));
        inputs.put("past_key_values." + l + ".value", past.get(2 * l + 1));
      }
      return session.run(inputs);
    }
  }

  private static int argmax(float[] a, int offset, int n) {
    int best = 0;
    for (int i = 1; i < n; i++) {
      if (a[offset + i] > a[offset + best]) {
        best = i;
      }
    }
    return best;
  }

  /**
   * {@code batch} sampled requests (one row each) through {@link OnnxCausalLm#generate}, after one
   * warm-up call; the best of {@code repeats}.
   */
  public static GenerateResult measureGenerate(OnnxCausalLm lm, List<String> questions, int batch, int repeats) {
    GenerateResult best = null;
    for (int r = -1; r < repeats; r++) {
      List<GenerateRequest> requests = new ArrayList<>(batch);
      for (int i = 0; i < batch; i++) {
        String q = questions.get(i % questions.size());
        requests.add(new GenerateRequest(i, "q" + i, q, List.of(), List.of(), 1, 0, 0.8, 1000L * r + i, 1));
      }
      long t0 = System.nanoTime();
      List<GenerateReply> replies = lm.generate(requests);
      double seconds = (System.nanoTime() - t0) / 1e9;
      long tokens = replies.stream().mapToLong(GenerateReply::generatedTokens).sum();
      GenerateResult run = new GenerateResult(batch, tokens, seconds, tokens / seconds);
      if (r >= 0 && (best == null || run.tokensPerSecond() > best.tokensPerSecond())) {
        best = run;
      }
    }
    return best;
  }

  public static void main(String[] args) throws Exception {
    // The table goes to stdout; logback's default DEBUG lines would bury it.
    if (LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root) {
      root.setLevel(Level.WARN);
    }
    Path model = Path.of("models/arith-policy");
    String device = "cpu";
    int threads = 0;
    int[] batches = {1, 8, 32, 64};
    int steps = 64;
    int repeats = 5;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      String v = i + 1 < args.length ? args[i + 1] : null;
      switch (a) {
        case "--model" -> model = Path.of(need(a, v));
        case "--device" -> device = need(a, v);
        case "--threads" -> threads = Integer.parseInt(need(a, v));
        case "--batches" -> batches = Arrays.stream(need(a, v).split(",")).mapToInt(s -> Integer.parseInt(s.strip())).toArray();
        case "--steps" -> steps = Integer.parseInt(need(a, v));
        case "--repeats" -> repeats = Integer.parseInt(need(a, v));
        default -> throw new IllegalArgumentException(
            "unknown argument " + a + " (known: --model, --device, --threads, --batches, --steps, --repeats)");
      }
      i++;
    }
    OnnxSettings settings = OnnxSettings.DEFAULT.withDevice(device).withIntraOpThreads(threads)
        .withMaxNewTokens(steps).withMaxBatchRows(Arrays.stream(batches).max().orElse(64));
    ModelConfig config = OnnxModels.readConfig(model);
    String question = "896-37*26-265+569-32*70";
    List<String> questions = List.of(question, "37*4+129-56", "63-9*4+20", "12*3+5", "45-17+8*9-3", "8+5*3");
    long[] prompt;
    try (HfTokenizer tokenizer = HfTokenizer.load(model.resolve("tokenizer.json"))) {
      prompt = tokenizer.encode(config.format().prompt(question, List.of(), List.of()));
    }
    List<RawResult> raw = new ArrayList<>();
    OrtSession session = OnnxSessions.open(model.resolve("model.onnx"), settings);
    try {
      for (int b : batches) {
        raw.add(measureDecode(session, config, prompt, b, steps, repeats));
      }
    } finally {
      session.close();
    }
    List<GenerateResult> generated = new ArrayList<>();
    try (OnnxCausalLm lm = OnnxModels.loadProposer(model, settings)) {
      for (int b : batches) {
        generated.add(measureGenerate(lm, questions, b, repeats));
      }
    }
    System.out.printf(
        Locale.ROOT,
        "ONNX Runtime %s, model %s (%,d parameters, %d layers), device %s, intra-op threads %s, "
            + "%d cores visible, %s%n%n",
        OnnxSessions.environment().getVersion(), config.name(), config.parameters(), config.layers(),
        device, threads == 0 ? "auto" : String.valueOf(threads),
        Runtime.getRuntime().availableProcessors(), LocalDate.now());
    System.out.println("| batch | raw decode ms/step | raw decode tokens/s | prefill ms (" + prompt.length
        + " tokens/row) | generate() tokens/s | raw decode tokens per CPU s |");
    System.out.println("|---:|---:|---:|---:|---:|---:|");
    for (int i = 0; i < raw.size(); i++) {
      RawResult r = raw.get(i);
      GenerateResult g = generated.get(i);
      System.out.printf(
          Locale.ROOT, "| %d | %.2f | %,.0f | %.1f | %,.0f | %,.0f |%n",
          r.batch(), r.msPerStep(), r.tokensPerSecond(), r.prefillMs(), g.tokensPerSecond(),
          r.tokensPerCpuSecond());
    }
    System.out.printf(
        Locale.ROOT,
        "%nraw: %d decode steps against the KV cache after one prefill, best of %d runs after a "
            + "warm-up; generate(): one sampled row per request (T = 0.8, to the answer), prefill "
            + "and early-finishing rows included, best of %d.%n",
        steps, repeats, repeats);
  }

  private static String need(String flag, String value) {
    if (value == null) {
      throw new IllegalArgumentException(flag + " needs a value");
    }
    return value;
  }
}
