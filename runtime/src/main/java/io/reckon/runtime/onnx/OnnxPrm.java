package io.reckon.runtime.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.reckon.protocol.ScoreReply;
import io.reckon.protocol.ScoreRequest;
import io.reckon.runtime.PromptFormat;
import io.reckon.runtime.Verifier;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A process reward model as a {@link Verifier}. The text is {@code Q: {question}\n} then each step
 * and its delimiter; a step's score is read at the token that ends its delimiter.
 *
 * <p>Two ONNX layouts:
 *
 * <ul>
 *   <li><b>with past</b> (the shipped export): the decoder-with-past layout of the policy plus a
 *       carried per-position state ({@code past_prm_state} in, {@code present_prm_state} out,
 *       [batch, 1, positions, state]; its first value is the score there). Scoring is
 *       incremental: each solution is fed from the end of its longest prefix in the verifier's
 *       {@link PrefixCache}, so a beam's new step costs its own tokens only, and candidates that
 *       share a prefix (siblings, the probe's samples) share its cached KV. The scores of the
 *       cached steps come from the cached state. With {@code prefix-cache-mb = 0} every solution
 *       is fed whole (the full-sequence path).
 *   <li><b>full sequence</b> (older exports): inputs {@code input_ids} and {@code attention_mask}
 *       (int64 [batch, seq], right-padded here, optionally {@code position_ids}), output {@code
 *       scores} (float32 [batch, seq]); every call reads every solution from its first token.
 * </ul>
 *
 * <p>Every solution of a batch runs in one forward pass (split only past {@link
 * OnnxSettings#maxBatchRows()}). A solution longer than the model's {@code max_positions} is cut
 * there; the steps past the cut score 0: a solution that long is degenerate for the task, and the
 * lowest score steers search away from it rather than failing every question in the batch.
 */
public final class OnnxPrm implements Verifier {
  private static final Logger log = LoggerFactory.getLogger(OnnxPrm.class);
  static final String PAST_STATE = "past_prm_state";
  static final String PRESENT_STATE = "present_prm_state";

  private final Path modelFile;
  private final ModelConfig config;
  private final OnnxSettings settings;
  private final OrtEnvironment env;
  private final OrtSession session;
  private final HfTokenizer tokenizer;
  private final boolean hasPositionIds;
  /** The with-past layout; null for a full-sequence export. */
  private final KvSession kv;
  /** Solutions' KV and state for reuse; null without a with-past export or with a 0 budget. */
  private final PrefixCache cache;
  /** Where the carried state sits among {@link KvSession#carried()}, and its width. */
  private final int stateIndex;
  private final int stateWidth;
  private final AtomicLong scoredTokens = new AtomicLong();
  private final AtomicLong fedTokens = new AtomicLong();

  private OnnxPrm(
      Path modelFile,
      ModelConfig config,
      OnnxSettings settings,
      OrtSession session,
      HfTokenizer tokenizer,
      boolean hasPositionIds,
      KvSession kv) {
    this.modelFile = modelFile;
    this.config = config;
    this.settings = settings;
    this.env = OnnxSessions.environment();
    this.session = session;
    this.tokenizer = tokenizer;
    this.hasPositionIds = hasPositionIds;
    this.kv = kv;
    this.cache = kv != null && settings.prefixCacheBytes() > 0 ? new PrefixCache(settings.prefixCacheBytes()) : null;
    this.stateIndex = kv == null ? -1 : kv.carried().size() - 1;
    this.stateWidth = kv == null ? 0 : kv.carried().get(stateIndex).width();
  }

  /** Loads {@code model.onnx}, {@code tokenizer.json} and {@code config.json} from {@code dir}. */
  public static OnnxPrm load(Path dir, OnnxSettings settings) {
    OpenedModel opened = OpenedModel.open(dir, settings, ModelConfig.PRM, "a verifier");
    Path modelFile = opened.modelFile();
    ModelConfig config = opened.config();
    HfTokenizer tokenizer = opened.tokenizer();
    OrtSession session = opened.session();
    try {
      KvSession kv = null;
      boolean positions;
      if (KvSession.hasPast(session)) {
        kv = checkWithPast(session, modelFile, config);
        positions = true;
      } else {
        positions = checkLayout(session, modelFile);
      }
      log.info(
          "loaded {} ({} parameters, {}) from {} on {}",
          config.name(), config.parameters(),
          kv == null ? "full-sequence scoring" : "incremental scoring, " + kv.layers() + " layers",
          dir, settings.device());
      return new OnnxPrm(modelFile, config, settings, session, tokenizer, positions, kv);
    } catch (RuntimeException e) {
      opened.close();
      throw e;
    }
  }

  /** The with-past layout: the policy's KV inputs plus the carried PRM state. */
  private static KvSession checkWithPast(OrtSession session, Path file, ModelConfig config) {
    Map<String, NodeInfo> in = OnnxSessions.inputs(session, file);
    Map<String, NodeInfo> out = OnnxSessions.outputs(session, file);
    if (!in.containsKey(PAST_STATE)) {
      throw new ModelLoadException(
          file + ": a PRM with past_key_values inputs must also take '" + PAST_STATE + "' (float32 "
              + "[batch, 1, past, state]) and return '" + PRESENT_STATE + "': the state its score "
              + "carries from step to step; inputs are " + in.keySet());
    }
    long[] shape = OnnxSessions.expectTensor(in, PAST_STATE, OnnxJavaType.FLOAT, 4, file, "input");
    if (shape[3] <= 0) {
      throw new ModelLoadException(file + ": input " + PAST_STATE + " must have a fixed last dimension "
          + "(the state's width), has shape " + Arrays.toString(shape));
    }
    OnnxSessions.expectTensor(out, "scores", OnnxJavaType.FLOAT, 2, file, "output");
    return KvSession.check(session, file, config,
        List.of(new KvSession.Carried(PAST_STATE, PRESENT_STATE, 1, (int) shape[3])), Set.of());
  }

  /** Returns whether the model also takes {@code position_ids}. */
  private static boolean checkLayout(OrtSession session, Path file) {
    Map<String, NodeInfo> in = OnnxSessions.inputs(session, file);
    Map<String, NodeInfo> out = OnnxSessions.outputs(session, file);
    OnnxSessions.expectTensor(in, "input_ids", OnnxJavaType.INT64, 2, file, "input");
    OnnxSessions.expectTensor(in, "attention_mask", OnnxJavaType.INT64, 2, file, "input");
    OnnxSessions.expectTensor(out, "scores", OnnxJavaType.FLOAT, 2, file, "output");
    boolean positions = in.containsKey("position_ids");
    if (positions) {
      OnnxSessions.expectTensor(in, "position_ids", OnnxJavaType.INT64, 2, file, "input");
    }
    for (String name : in.keySet()) {
      if (!name.equals("input_ids") && !name.equals("attention_mask") && !name.equals("position_ids")) {
        throw new ModelLoadException(
            file + ": unexpected input '" + name + "'; a PRM takes input_ids and attention_mask "
                + "(int64 [batch, seq]) and returns scores (float32 [batch, seq]), or the "
                + "decoder-with-past layout with past_prm_state");
      }
    }
    return positions;
  }

  /** Whether this export scores incrementally (decoder-with-past layout). */
  public boolean incremental() {
    return kv != null;
  }

  /** What the verifier's prefix cache did so far; null without one. */
  PrefixCache.Stats cacheStats() {
    return cache == null ? null : cache.stats();
  }

  @Override
  public Optional<String> describeStats() {
    long fed = fedTokens.get();
    long scored = scoredTokens.get();
    PrefixCache.Stats c = cacheStats();
    return Optional.of(String.format(Locale.ROOT,
        "verifier: fed %,d of %,d solution tokens (%.1fx fewer)%s", fed, scored,
        (double) scored / Math.max(1, fed),
        c == null ? (kv == null ? "; full-sequence export" : "; no prefix cache")
            : String.format(Locale.ROOT, "; prefix cache %.1f %% hits of %,d lookups, %.1f of %d MiB in %,d texts, %,d evicted",
                100 * c.hitRate(), c.lookups(), c.bytes() / 1048576.0, c.budgetBytes() >> 20, c.entries(), c.evictions())));
  }

  /** Tokens fed to the model so far, and tokens of the solutions scored (what a full pass feeds). */
  long[] tokenCounts() {
    return new long[] {fedTokens.get(), scoredTokens.get()};
  }

  public ModelConfig config() {
    return config;
  }

  public OnnxSettings settings() {
    return settings;
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
    if (cache != null) {
      log.info("{} prefix cache: {}; fed {} of {} solution tokens", config.name(), cache.stats(),
          fedTokens.get(), scoredTokens.get());
    }
    OnnxSessions.close(session);
    tokenizer.close();
  }

  /** One solution: its tokens and, per step, the token whose score is the step's. */
  private static final class Row {
    final long[] ids;
    final int[] stepTokens;
    final double[] scores;
    /** Tokens the model was fed for this row (0 when its text was cached or fed for another row). */
    int fed;

    Row(long[] ids, int[] stepTokens) {
      this.ids = ids;
      this.stepTokens = stepTokens;
      this.scores = new double[stepTokens.length];
    }
  }

  @Override
  public List<ScoreReply> score(List<ScoreRequest> batch) {
    List<List<Row>> byRequest = new ArrayList<>(batch.size());
    List<Row> all = new ArrayList<>();
    for (ScoreRequest r : batch) {
      List<Row> mine = new ArrayList<>(r.solutions().size());
      for (List<String> steps : r.solutions()) {
        Row row = encode(r, steps);
        mine.add(row);
        if (row.stepTokens.length > 0) {
          all.add(row);
        }
      }
      byRequest.add(mine);
    }
    all.sort(Comparator.comparingInt((Row row) -> row.ids.length).reversed());
    if (kv != null) {
      scoreIncrementally(all);
    } else {
      for (int from = 0; from < all.size(); from += settings.maxBatchRows()) {
        run(all.subList(from, Math.min(all.size(), from + settings.maxBatchRows())));
      }
      for (Row row : all) {
        row.fed = row.ids.length;
      }
    }
    List<ScoreReply> replies = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      long tokens = 0;
      List<List<Double>> scores = new ArrayList<>();
      for (Row row : byRequest.get(i)) {
        tokens += row.fed;
        scoredTokens.addAndGet(row.stepTokens.length > 0 ? row.ids.length : 0);
        List<Double> s = new ArrayList<>(row.scores.length);
        for (double v : row.scores) {
          s.add(v);
        }
        scores.add(s);
      }
      fedTokens.addAndGet(tokens);
      replies.add(
          new ScoreReply(batch.get(i).requestId(), scores, tokens, 2.0 * config.parameters() * tokens));
    }
    return replies;
  }

  /** Solution identity by content, so that equal solutions of a batch are fed once. */
  private record TextKey(long[] tokens) {
    @Override
    public boolean equals(Object o) {
      return o instanceof TextKey k && Arrays.equals(tokens, k.tokens);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(tokens);
    }
  }

  /**
   * The with-past path: each distinct text fed from the end of its longest cached prefix (all of
   * it without a cache), chunk by chunk, so that a chunk reuses what the one before it cached.
   * A step's score is the carried state's first value at its delimiter's token.
   */
  private void scoreIncrementally(List<Row> rows) {
    Map<TextKey, PrefixPrefill.Unit> byText = new LinkedHashMap<>();
    Map<PrefixPrefill.Unit, Row> first = new HashMap<>();
    for (Row row : rows) {
      PrefixPrefill.Unit unit = byText.computeIfAbsent(new TextKey(row.ids), k -> new PrefixPrefill.Unit(row.ids));
      first.putIfAbsent(unit, row);
    }
    List<PrefixPrefill.Unit> units = new ArrayList<>(byText.values());
    try {
      for (int from = 0; from < units.size(); from += settings.maxBatchRows()) {
        List<PrefixPrefill.Unit> chunk = units.subList(from, Math.min(units.size(), from + settings.maxBatchRows()));
        // Nothing need be fed for a text wholly cached: its scores are in the cached state.
        PrefixPrefill.lookup(kv, chunk, cache, 0);
        List<PrefixPrefill.Unit> toRun = new ArrayList<>(chunk.size());
        for (PrefixPrefill.Unit u : chunk) {
          if (u.carried == null) {
            toRun.add(u);
          }
        }
        if (!toRun.isEmpty()) {
          PrefixPrefill.run(kv, toRun, cache, config.padTokenId(), true, Set.of()).close();
        }
        for (PrefixPrefill.Unit u : chunk) {
          first.get(u).fed = u.fed();
        }
      }
    } catch (OrtException e) {
      throw new IllegalStateException(
          "ONNX Runtime failed while scoring with " + modelFile + ": " + e.getMessage(), e);
    }
    for (Row row : rows) {
      float[] state = byText.get(new TextKey(row.ids)).carried[stateIndex];
      for (int j = 0; j < row.stepTokens.length; j++) {
        int t = row.stepTokens[j];
        row.scores[j] = t < row.ids.length ? state[t * stateWidth] : 0.0;
      }
    }
  }

  private Row encode(ScoreRequest r, List<String> steps) {
    PromptFormat format = config.format();
    StringBuilder text = new StringBuilder(format.promptTemplate().replace("{question}", r.question()));
    int[] delimiterEnds = new int[steps.size()];
    for (int j = 0; j < steps.size(); j++) {
      text.append(steps.get(j)).append(format.stepDelimiter());
      delimiterEnds[j] = text.length() - 1;
    }
    String s = text.toString();
    HfTokenizer.Encoded enc = tokenizer.encodeWithSpans(s);
    int[] stepTokens = new int[steps.size()];
    for (int j = 0; j < steps.size(); j++) {
      int at = enc.tokenCovering(s.codePointCount(0, delimiterEnds[j]));
      if (at < 0) {
        throw new IllegalStateException(
            tokenizer.file() + " maps no token to the step delimiter after step " + (j + 1)
                + " of question " + r.questionId() + "; a PRM needs the delimiter kept as text");
      }
      stepTokens[j] = at;
    }
    long[] ids = enc.ids();
    if (ids.length > config.maxPositions()) {
      log.warn(
          "question {}: a solution of {} tokens exceeds max_positions {} of {}; steps past it "
              + "score 0",
          r.questionId(), ids.length, config.maxPositions(), config.name());
      ids = Arrays.copyOf(ids, config.maxPositions());
    }
    return new Row(ids, stepTokens);
  }

  private void run(List<Row> rows) {
    int b = rows.size();
    int width = 0;
    for (Row r : rows) {
      width = Math.max(width, r.ids.length);
    }
    long[] ids = new long[b * width];
    long[] mask = new long[b * width];
    long[] positions = new long[b * width];
    Arrays.fill(ids, config.padTokenId());
    for (int i = 0; i < b; i++) {
      long[] row = rows.get(i).ids;
      System.arraycopy(row, 0, ids, i * width, row.length);
      Arrays.fill(mask, i * width, i * width + row.length, 1L);
      for (int t = 0; t < width; t++) {
        positions[i * width + t] = t;
      }
    }
    List<OnnxTensor> owned = new ArrayList<>(3);
    try {
      Map<String, OnnxTensor> inputs = new HashMap<>();
      inputs.put("input_ids", own(owned, tensor(ids, b, width)));
      inputs.put("attention_mask", own(owned, tensor(mask, b, width)));
      if (hasPositionIds) {
        inputs.put("position_ids", own(owned, tensor(positions, b, width)));
      }
      try (OrtSession.Result result = session.run(inputs)) {
        OnnxTensor out =
            (OnnxTensor)
                result
                    .get("scores")
                    .orElseThrow(() -> new IllegalStateException(modelFile + " returned no 'scores'"));
        float[] scores = out.getFloatBuffer().array();
        for (int i = 0; i < b; i++) {
          Row r = rows.get(i);
          for (int j = 0; j < r.stepTokens.length; j++) {
            int t = r.stepTokens[j];
            r.scores[j] = t < r.ids.length ? scores[i * width + t] : 0.0;
          }
        }
      }
    } catch (OrtException e) {
      throw new IllegalStateException(
          "ONNX Runtime failed while scoring with " + modelFile + ": " + e.getMessage(), e);
    } finally {
      for (OnnxTensor t : owned) {
        t.close();
      }
    }
  }

  private OnnxTensor tensor(long[] data, long... shape) throws OrtException {
    return OnnxTensor.createTensor(env, LongBuffer.wrap(data), shape);
  }

  private static OnnxTensor own(List<OnnxTensor> owned, OnnxTensor t) {
    owned.add(t);
    return t;
  }
}
