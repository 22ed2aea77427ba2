package io.reckon.runtime.openai;

import io.reckon.runtime.PromptFormat;
import io.reckon.runtime.SettingValues;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How to reach an OpenAI-compatible completions server (vLLM, SGLang, llama.cpp server) and what
 * to ask it for. Read once from configuration through {@link #fromMap}.
 *
 * @param baseUrl the server, e.g. {@code http://127.0.0.1:8000} or {@code .../v1}
 * @param model the model name the server expects in {@code "model"}
 * @param parameters the model's parameter count, for FLOPs (the server does not say)
 * @param apiKey sent as a bearer token when not empty
 * @param maxTokens {@code max_tokens} of each request
 * @param topP {@code top_p} for sampled requests
 * @param connectTimeout to open a connection
 * @param requestTimeout for one whole response; a slower one counts as a failed try
 * @param maxRetries further tries after a 429, a 5xx, a timeout or a broken connection
 * @param initialBackoff wait before the first retry; doubled for each further one
 * @param maxBackoff longest wait between tries (also caps a server's Retry-After)
 * @param maxConcurrentRequests HTTP requests of one batch in flight at once
 * @param format the model's text format (prompt, step delimiter, answer marker)
 */
public record OpenAiSettings(
    String baseUrl,
    String model,
    long parameters,
    String apiKey,
    int maxTokens,
    double topP,
    Duration connectTimeout,
    Duration requestTimeout,
    int maxRetries,
    Duration initialBackoff,
    Duration maxBackoff,
    int maxConcurrentRequests,
    PromptFormat format) {

  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m)?");

  public OpenAiSettings {
    if (baseUrl == null || baseUrl.isBlank()) {
      throw new IllegalArgumentException("openai base-url is required, e.g. http://127.0.0.1:8000");
    }
    baseUrl = baseUrl.strip();
    while (baseUrl.endsWith("/")) {
      baseUrl = baseUrl.substring(0, baseUrl.length() - 1);
    }
    URI uri;
    try {
      uri = URI.create(baseUrl);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("openai base-url is not a URL: '" + baseUrl + "'");
    }
    if (uri.getScheme() == null
        || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
        || uri.getHost() == null) {
      throw new IllegalArgumentException(
          "openai base-url must be an http(s) URL with a host, was '" + baseUrl + "'");
    }
    if (model == null || model.isBlank()) {
      throw new IllegalArgumentException("openai model is required (the name the server serves)");
    }
    if (parameters <= 0) {
      throw new IllegalArgumentException(
          "openai parameters must be > 0 (the model's parameter count, for FLOPs), was " + parameters);
    }
    apiKey = apiKey == null ? "" : apiKey;
    if (maxTokens < 1) {
      throw new IllegalArgumentException("openai max-tokens must be >= 1, was " + maxTokens);
    }
    if (!(topP > 0 && topP <= 1)) {
      throw new IllegalArgumentException("openai top-p must be in (0, 1], was " + topP);
    }
    positive("connect-timeout", connectTimeout);
    positive("request-timeout", requestTimeout);
    positive("initial-backoff", initialBackoff);
    positive("max-backoff", maxBackoff);
    if (maxRetries < 0) {
      throw new IllegalArgumentException("openai max-retries must be >= 0, was " + maxRetries);
    }
    if (maxConcurrentRequests < 1) {
      throw new IllegalArgumentException(
          "openai max-concurrent-requests must be >= 1, was " + maxConcurrentRequests);
    }
    if (format == null) {
      throw new IllegalArgumentException("openai format is required");
    }
  }

  private static void positive(String name, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("openai " + name + " must be > 0, was " + d);
    }
  }

  /** Defaults for everything but where the server is and what it serves. */
  public static OpenAiSettings of(String baseUrl, String model, long parameters) {
    return new OpenAiSettings(
        baseUrl, model, parameters, "", 256, 1.0, Duration.ofSeconds(5), Duration.ofSeconds(120), 4,
        Duration.ofMillis(250), Duration.ofSeconds(10), 16, PromptFormat.ARITH);
  }

  /** The completions endpoint: {@code /v1/completions} under the base URL. */
  public URI completionsUri() {
    return URI.create(baseUrl.endsWith("/v1") ? baseUrl + "/completions" : baseUrl + "/v1/completions");
  }

  public OpenAiSettings withTimeouts(Duration connect, Duration request) {
    return new OpenAiSettings(
        baseUrl, model, parameters, apiKey, maxTokens, topP, connect, request, maxRetries,
        initialBackoff, maxBackoff, maxConcurrentRequests, format);
  }

  public OpenAiSettings withRetries(int retries, Duration initial, Duration max) {
    return new OpenAiSettings(
        baseUrl, model, parameters, apiKey, maxTokens, topP, connectTimeout, requestTimeout, retries,
        initial, max, maxConcurrentRequests, format);
  }

  public OpenAiSettings withMaxTokens(int tokens) {
    return new OpenAiSettings(
        baseUrl, model, parameters, apiKey, tokens, topP, connectTimeout, requestTimeout, maxRetries,
        initialBackoff, maxBackoff, maxConcurrentRequests, format);
  }

  public OpenAiSettings withApiKey(String key) {
    return new OpenAiSettings(
        baseUrl, model, parameters, key, maxTokens, topP, connectTimeout, requestTimeout, maxRetries,
        initialBackoff, maxBackoff, maxConcurrentRequests, format);
  }

  public OpenAiSettings withFormat(PromptFormat f) {
    return new OpenAiSettings(
        baseUrl, model, parameters, apiKey, maxTokens, topP, connectTimeout, requestTimeout, maxRetries,
        initialBackoff, maxBackoff, maxConcurrentRequests, f);
  }

  /**
   * Reads settings from plain values. Required: {@code base-url}, {@code model}, {@code
   * parameters}. Optional: {@code api-key}, {@code max-tokens}, {@code top-p}, {@code
   * connect-timeout}, {@code request-timeout}, {@code max-retries}, {@code initial-backoff},
   * {@code max-backoff}, {@code max-concurrent-requests}. Durations are milliseconds as a number
   * or a string such as {@code 500ms}, {@code 30s}, {@code 2m}. The text format is the shipped
   * models' unless the caller sets another with {@link #withFormat}.
   */
  public static OpenAiSettings fromMap(Map<String, ?> values) {
    Object url = find(values, "baseurl");
    Object model = find(values, "model");
    Object params = find(values, "parameters");
    if (url == null || model == null || params == null) {
      throw new IllegalArgumentException(
          "openai settings need base-url, model and parameters; got " + values.keySet());
    }
    OpenAiSettings d = of(String.valueOf(url), String.valueOf(model), longValue("parameters", params));
    String apiKey = d.apiKey;
    int maxTokens = d.maxTokens;
    double topP = d.topP;
    Duration connect = d.connectTimeout;
    Duration request = d.requestTimeout;
    int retries = d.maxRetries;
    Duration initial = d.initialBackoff;
    Duration max = d.maxBackoff;
    int concurrent = d.maxConcurrentRequests;
    for (Map.Entry<String, ?> e : values.entrySet()) {
      String key = e.getKey();
      Object v = e.getValue();
      switch (normalize(key)) {
        case "baseurl", "model", "parameters" -> { }
        case "apikey" -> apiKey = String.valueOf(v);
        case "maxtokens" -> maxTokens = (int) longValue(key, v);
        case "topp" -> topP = doubleValue(key, v);
        case "connecttimeout" -> connect = duration(key, v);
        case "requesttimeout" -> request = duration(key, v);
        case "maxretries" -> retries = (int) longValue(key, v);
        case "initialbackoff" -> initial = duration(key, v);
        case "maxbackoff" -> max = duration(key, v);
        case "maxconcurrentrequests" -> concurrent = (int) longValue(key, v);
        default -> throw new IllegalArgumentException(
            "unknown openai setting '" + key + "' (known: base-url, model, parameters, api-key, "
                + "max-tokens, top-p, connect-timeout, request-timeout, max-retries, "
                + "initial-backoff, max-backoff, max-concurrent-requests)");
      }
    }
    return new OpenAiSettings(
        d.baseUrl, d.model, d.parameters, apiKey, maxTokens, topP, connect, request, retries, initial,
        max, concurrent, d.format);
  }

  private static Object find(Map<String, ?> values, String normalized) {
    for (Map.Entry<String, ?> e : values.entrySet()) {
      if (normalize(e.getKey()).equals(normalized)) {
        return e.getValue();
      }
    }
    return null;
  }

  private static String normalize(String key) {
    return SettingValues.normalize(key);
  }

  private static long longValue(String key, Object v) {
    return SettingValues.integer("openai", key, v);
  }

  private static double doubleValue(String key, Object v) {
    return SettingValues.number("openai", key, v);
  }

  static Duration duration(String key, Object v) {
    if (v instanceof Duration d) {
      return d;
    }
    if (v instanceof Number n) {
      return Duration.ofMillis(n.longValue());
    }
    Matcher m = DURATION.matcher(String.valueOf(v).strip().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "openai setting '" + key + "' must be a duration such as 500ms, 30s or 2m, was '" + v + "'");
    }
    double amount = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "ms" : m.group(2);
    double millis = switch (unit) {
      case "s" -> amount * 1000;
      case "m" -> amount * 60_000;
      default -> amount;
    };
    return Duration.ofMillis(Math.round(millis));
  }
}
