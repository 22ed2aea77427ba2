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
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A process reward model as a {@link Verifier}: inputs {@code input_ids} and {@code
 * attention_mask} (int64 [batch, seq], right-padded here), output {@code scores} (float32 [batch,
 * seq], a probability per position). The text is {@code Q: {question}\n} then each step and its
 * delimiter; a step's score is read at the token that ends its delimiter. Every solution of a
 * batch runs in one forward pass (split only past {@link OnnxSettings#maxBatchRows()}).
 *
 * <p>A solution longer than the model's {@code max_positions} is cut there; the steps past the cut
 * score 0: a solution that long is degenerate for the task, and the lowest score steers search
 * away from it rather than failing every question in the batch.
 */
public final class OnnxPrm implements Verifier {
  private static final Logger log = LoggerFactory.getLogger(OnnxPrm.class);

  private final Path modelFile;
  private final ModelConfig config;
  private final OnnxSettings settings;
  private final OrtEnvironment env;
  private final OrtSession session;
  private final HfTokenizer tokenizer;
  private final boolean hasPositionIds;

  private OnnxPrm(
      Path modelFile,
      ModelConfig config,
      OnnxSettings settings,
      OrtSession session,
      HfTokenizer tokenizer,
      boolean hasPositionIds) {
    this.modelFile = modelFile;
    this.config = config;
    this.settings = settings;
    this.env = OnnxSessions.environment();
    this.session = session;
    this.tokenizer = tokenizer;
    this.hasPositionIds = hasPositionIds;
  }

  /** Loads {@code model.onnx}, {@code tokenizer.json} and {@code config.json} from {@code dir}. */
  public static OnnxPrm load(Path dir, OnnxSettings settings) {
    OpenedModel opened = OpenedModel.open(dir, settings, ModelConfig.PRM, "a verifier");
    Path modelFile = opened.modelFile();
    ModelConfig config = opened.config();
    HfTokenizer tokenizer = opened.tokenizer();
    OrtSession session = opened.session();
    try {
      boolean positions = checkLayout(session, modelFile);
      log.info(
          "loaded {} ({} parameters) from {} on {}",
          config.name(), config.parameters(), dir, settings.device());
      return new OnnxPrm(modelFile, config, settings, session, tokenizer, positions);
    } catch (RuntimeException e) {
      opened.close();
      throw e;
    }
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
                + "(int64 [batch, seq]) and returns scores (float32 [batch, seq])");
      }
    }
    return positions;
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
    OnnxSessions.close(session);
    tokenizer.close();
  }

  /** One solution: its tokens and, per step, the token whose score is the step's. */
  private static final class Row {
    final long[] ids;
    final int[] stepTokens;
    final double[] scores;

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
    for (int from = 0; from < all.size(); from += settings.maxBatchRows()) {
      run(all.subList(from, Math.min(all.size(), from + settings.maxBatchRows())));
    }
    List<ScoreReply> replies = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      long tokens = 0;
      List<List<Double>> scores = new ArrayList<>();
      for (Row row : byRequest.get(i)) {
        if (row.stepTokens.length > 0) {
          tokens += row.ids.length;
        }
        List<Double> s = new ArrayList<>(row.scores.length);
        for (double v : row.scores) {
          s.add(v);
        }
        scores.add(s);
      }
      replies.add(
          new ScoreReply(batch.get(i).requestId(), scores, tokens, 2.0 * config.parameters() * tokens));
    }
    return replies;
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
