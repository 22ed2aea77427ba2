package io.reckon.runtime.openai;

import io.reckon.runtime.SettingValues;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A process reward model behind vLLM's pooling API ({@code POST /pooling}), read from {@code
 * reckon.models.pooling}. The text sent for a solution is {@code template} with {@code {question}}
 * replaced by the question and {@code {steps}} by every step followed by {@code stepSeparator};
 * the server returns one row of numbers per separator token (vLLM's STEP pooling, e.g.
 * Qwen2.5-Math-PRM's {@code <extra_0>}), and a step's score is {@code mapping} applied to that
 * row.
 *
 * @param server where the server is, its key, timeouts, retries and concurrency limit
 * @param model the model name the server expects in {@code "model"}
 * @param parameters the PRM's parameter count, for FLOPs; 0 when unknown
 * @param task vLLM's pooling {@code task} to ask for (e.g. {@code token_classify} on newer
 *     servers, {@code encode} on older ones); empty sends none and lets the server choose
 * @param template the text of a solution, with {@code {question}} and {@code {steps}}
 * @param stepSeparator written after every step; the server scores at its token
 * @param mapping how a row of the server's numbers becomes a probability
 * @param scoreIndex which number of a row ({@code [P(bad), P(good)]} for Qwen2.5-Math-PRM: 1)
 */
public record PoolingSettings(
    ServerSettings server,
    String model,
    long parameters,
    String task,
    String template,
    String stepSeparator,
    Mapping mapping,
    int scoreIndex) {

  /** From a row of the server's numbers to a step's probability of being right. */
  public enum Mapping {
    /** {@code row[index]} is already a probability (STEP pooling with softmax, the default). */
    PROBABILITY,
    /** {@code row[index]} is a logit: its sigmoid. */
    SIGMOID,
    /** {@code (row[index] − row[other] + 1) / 2}: positive minus negative probability, in [0, 1]. */
    DIFFERENCE
  }

  /** Qwen2.5-Math-PRM's layout through its chat template: steps separated by {@code <extra_0>}. */
  public static final String QWEN_TEMPLATE =
      "<|im_start|>system\nPlease reason step by step, and put your final answer within \\boxed{}.<|im_end|>\n"
          + "<|im_start|>user\n{question}<|im_end|>\n<|im_start|>assistant\n{steps}<|im_end|><|endoftext|>";

  public PoolingSettings {
    if (server == null) {
      throw new IllegalArgumentException("pooling server settings are required");
    }
    if (model == null || model.isBlank()) {
      throw new IllegalArgumentException(
          "pooling model is required (the name the server serves; --prm NAME)");
    }
    if (parameters < 0) {
      throw new IllegalArgumentException(
          "pooling parameters must be >= 0 (0 = unknown), was " + parameters);
    }
    task = task == null ? "" : task.strip();
    if (template == null || !template.contains("{steps}")) {
      throw new IllegalArgumentException(
          "pooling template must contain {steps} (and usually {question}), was '" + template + "'");
    }
    if (stepSeparator == null || stepSeparator.isEmpty()) {
      throw new IllegalArgumentException(
          "pooling step-separator must not be empty (Qwen2.5-Math-PRM: <extra_0>)");
    }
    if (mapping == null) {
      throw new IllegalArgumentException("pooling score-mapping is required");
    }
    if (scoreIndex < 0) {
      throw new IllegalArgumentException("pooling score-index must be >= 0, was " + scoreIndex);
    }
  }

  /** Defaults: Qwen2.5-Math-PRM's template, separator and score. */
  public static PoolingSettings of(String baseUrl, String model, long parameters) {
    return new PoolingSettings(
        ServerSettings.of(baseUrl), model, parameters, "", QWEN_TEMPLATE, "<extra_0>",
        Mapping.PROBABILITY, 1);
  }

  /** vLLM's pooling endpoint, at the server's root. */
  public URI poolingUri() {
    return server.root("pooling");
  }

  public boolean parametersKnown() {
    return parameters > 0;
  }

  /** The text the PRM reads for one solution. */
  public String text(String question, Iterable<String> steps) {
    StringBuilder sb = new StringBuilder();
    for (String step : steps) {
      sb.append(step).append(stepSeparator);
    }
    return template.replace("{question}", question).replace("{steps}", sb);
  }

  public PoolingSettings withServer(ServerSettings s) {
    return new PoolingSettings(s, model, parameters, task, template, stepSeparator, mapping, scoreIndex);
  }

  public PoolingSettings withTemplate(String t, String separator) {
    return new PoolingSettings(server, model, parameters, task, t, separator, mapping, scoreIndex);
  }

  public PoolingSettings withMapping(Mapping m, int index) {
    return new PoolingSettings(server, model, parameters, task, template, stepSeparator, m, index);
  }

  public PoolingSettings withTask(String t) {
    return new PoolingSettings(server, model, parameters, t, template, stepSeparator, mapping, scoreIndex);
  }

  public PoolingSettings withModel(String m) {
    return new PoolingSettings(server, m, parameters, task, template, stepSeparator, mapping, scoreIndex);
  }

  public static PoolingSettings fromMap(Map<String, ?> values) {
    return fromMap(values, System::getenv);
  }

  /**
   * Reads settings from plain values. Required: {@code base-url}, {@code model}. Optional: {@code
   * parameters}, {@code task}, {@code template}, {@code step-separator}, {@code score-mapping}
   * ({@code probability}, {@code sigmoid}, {@code difference}), {@code score-index}, and the
   * server keys of {@link ServerSettings}.
   */
  public static PoolingSettings fromMap(Map<String, ?> values, UnaryOperator<String> env) {
    String scope = "reckon.models.pooling";
    ServerSettings server = ServerSettings.read(scope, values, env);
    String model = ServerSettings.model(scope, values, "--prm");
    PoolingSettings d = of(server.baseUrl(), model, 0);
    long parameters = 0;
    String task = d.task;
    String template = d.template;
    String separator = d.stepSeparator;
    Mapping mapping = d.mapping;
    int index = d.scoreIndex;
    for (Map.Entry<String, ?> e : ServerSettings.others(values)) {
      String key = e.getKey();
      Object v = e.getValue();
      switch (SettingValues.normalize(key)) {
        case "parameters" -> parameters = SettingValues.integer(scope, key, v);
        case "task" -> task = String.valueOf(v);
        case "template" -> template = String.valueOf(v);
        case "stepseparator" -> separator = String.valueOf(v);
        case "scoremapping" -> mapping = mapping(scope, v);
        case "scoreindex" -> index = (int) SettingValues.integer(scope, key, v);
        default -> throw new IllegalArgumentException(
            "unknown setting " + scope + "." + key + " (known: model, parameters, task, template, "
                + "step-separator, score-mapping, score-index, " + ServerSettings.KEY_NAMES + ")");
      }
    }
    try {
      return new PoolingSettings(server, d.model, parameters, task, template, separator, mapping, index);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(scope + ": " + e.getMessage());
    }
  }

  private static Mapping mapping(String scope, Object v) {
    String s = String.valueOf(v).strip().toUpperCase(Locale.ROOT);
    try {
      return Mapping.valueOf(s);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          scope + ".score-mapping must be probability, sigmoid or difference, was '" + v + "'");
    }
  }
}
