package io.reckon.runtime.openai;

import io.reckon.runtime.SettingValues;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A token-probability process reward model behind an OpenAI-compatible completions endpoint
 * (vLLM), read from {@code reckon.models.logprob}: the PRM is an ordinary causal LM whose
 * probability of a "good" token at a known place is the step's score. Two layouts:
 *
 * <ul>
 *   <li>{@code rlhflow} (RLHFlow's Llama3.1-8B-PRM-Deepseek-Data / -Mistral-Data): the solution as
 *       a conversation rendered by {@code chatTemplate}, each step a user turn (the first prefixed
 *       by the question and a space) answered by an assistant turn {@code goodToken}; a step's
 *       score is the probability of that reply token, P(+) normalised against P(−) when the server
 *       returns both;
 *   <li>{@code math-shepherd} (peiyi9979/math-shepherd-mistral-7b-prm): {@code template} with
 *       {@code {question}} and {@code {steps}}, each step followed by a space and {@code stepTag},
 *       steps joined by {@code joiner}; a step's score is P(+) / (P(+) + P(−)) of the token after
 *       its tag.
 * </ul>
 *
 * <p>One request scores every step of every solution of a score request: {@code echo} with {@code
 * logprobs = topLogprobs} and {@code max_tokens = 1} returns the log-probabilities of the prompt's
 * own tokens and their top alternatives, at character offsets ({@code text_offset}) that locate
 * each step's token.
 *
 * @param server where the server is, its key, timeouts, retries and concurrency limit
 * @param model the model name the server expects
 * @param parameters the PRM's parameter count, for FLOPs; 0 when unknown
 * @param style which layout
 * @param chatTemplate rlhflow: the chat template (a shipped name, a model folder, a .jinja file)
 * @param template math-shepherd: the text, with {@code {question}} and {@code {steps}}
 * @param stepTag math-shepherd: the tag token written after each step
 * @param joiner math-shepherd: the text between two tagged steps
 * @param goodToken the token whose probability is the score ({@code +})
 * @param badToken its opposite ({@code -})
 * @param topLogprobs alternatives asked for per position (vLLM allows up to 20 by default)
 */
public record LogprobSettings(
    ServerSettings server,
    String model,
    long parameters,
    Style style,
    String chatTemplate,
    String template,
    String stepTag,
    String joiner,
    String goodToken,
    String badToken,
    int topLogprobs) {

  /** The PRM's layout. */
  public enum Style {
    RLHFLOW,
    MATH_SHEPHERD;

    String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  public LogprobSettings {
    if (server == null) {
      throw new IllegalArgumentException("logprob server settings are required");
    }
    if (model == null || model.isBlank()) {
      throw new IllegalArgumentException("logprob model is required (the name the server serves; --prm NAME)");
    }
    if (parameters < 0) {
      throw new IllegalArgumentException("logprob parameters must be >= 0 (0 = unknown), was " + parameters);
    }
    if (style == null) {
      throw new IllegalArgumentException("logprob style is required (rlhflow or math-shepherd)");
    }
    chatTemplate = chatTemplate == null ? "" : chatTemplate.strip();
    if (style == Style.RLHFLOW && chatTemplate.isEmpty()) {
      throw new IllegalArgumentException("logprob style rlhflow needs a chat-template (e.g. llama-3)");
    }
    if (style == Style.MATH_SHEPHERD && (template == null || !template.contains("{steps}"))) {
      throw new IllegalArgumentException("logprob template must contain {steps} (and usually {question}), was '"
          + template + "'");
    }
    if (style == Style.MATH_SHEPHERD && (stepTag == null || stepTag.isBlank())) {
      throw new IllegalArgumentException("logprob style math-shepherd needs a step-tag (Math-Shepherd: ки)");
    }
    joiner = joiner == null ? "" : joiner;
    if (goodToken == null || goodToken.isBlank() || badToken == null || badToken.isBlank()
        || goodToken.strip().equals(badToken.strip())) {
      throw new IllegalArgumentException("logprob good-token and bad-token must be two different "
          + "non-blank tokens (e.g. + and -), were '" + goodToken + "' and '" + badToken + "'");
    }
    if (topLogprobs < 2 || topLogprobs > 20) {
      throw new IllegalArgumentException("logprob top-logprobs must be in [2, 20], was " + topLogprobs);
    }
  }

  /** Defaults: RLHFlow's Llama3.1-8B PRM through the llama-3 template. */
  public static LogprobSettings of(String baseUrl, String model, long parameters) {
    return new LogprobSettings(ServerSettings.of(baseUrl), model, parameters, Style.RLHFLOW,
        "llama-3", "{question} {steps}", "ки", "\n\n", "+", "-", 5);
  }

  public URI completionsUri() {
    return server.v1("completions");
  }

  public boolean parametersKnown() {
    return parameters > 0;
  }

  public static LogprobSettings fromMap(Map<String, ?> values) {
    return fromMap(values, System::getenv);
  }

  /**
   * Reads settings from plain values. Required: {@code base-url}, {@code model}. Optional: {@code
   * parameters}, {@code style}, {@code chat-template}, {@code template}, {@code step-tag}, {@code
   * joiner}, {@code good-token}, {@code bad-token}, {@code top-logprobs}, and the server keys of
   * {@link ServerSettings}.
   */
  public static LogprobSettings fromMap(Map<String, ?> values, UnaryOperator<String> env) {
    String scope = "reckon.models.logprob";
    ServerSettings server = ServerSettings.read(scope, values, env);
    String model = ServerSettings.model(scope, values, "--prm");
    LogprobSettings d = of(server.baseUrl(), model, 0);
    long parameters = 0;
    Style style = d.style;
    String chatTemplate = d.chatTemplate;
    String template = d.template;
    String tag = d.stepTag;
    String joiner = d.joiner;
    String good = d.goodToken;
    String bad = d.badToken;
    int top = d.topLogprobs;
    for (Map.Entry<String, ?> e : ServerSettings.others(values)) {
      String key = e.getKey();
      Object v = e.getValue();
      switch (SettingValues.normalize(key)) {
        case "parameters" -> parameters = SettingValues.integer(scope, key, v);
        case "style" -> style = style(scope, v);
        case "chattemplate" -> chatTemplate = String.valueOf(v);
        case "template" -> template = String.valueOf(v);
        case "steptag" -> tag = String.valueOf(v);
        case "joiner" -> joiner = String.valueOf(v);
        case "goodtoken" -> good = String.valueOf(v);
        case "badtoken" -> bad = String.valueOf(v);
        case "toplogprobs" -> top = (int) SettingValues.integer(scope, key, v);
        default -> throw new IllegalArgumentException(
            "unknown setting " + scope + "." + key + " (known: model, parameters, style, chat-template, "
                + "template, step-tag, joiner, good-token, bad-token, top-logprobs, "
                + ServerSettings.KEY_NAMES + ")");
      }
    }
    try {
      return new LogprobSettings(server, model, parameters, style,
          chatTemplate, template, tag, joiner, good, bad, top);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(scope + ": " + e.getMessage());
    }
  }

  private static Style style(String scope, Object v) {
    return switch (String.valueOf(v).strip().toLowerCase(Locale.ROOT)) {
      case "rlhflow" -> Style.RLHFLOW;
      case "math-shepherd", "mathshepherd", "math_shepherd" -> Style.MATH_SHEPHERD;
      default -> throw new IllegalArgumentException(
          scope + ".style must be rlhflow or math-shepherd, was '" + v + "'");
    };
  }
}
