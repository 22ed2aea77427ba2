package io.reckon.runtime.openai;

import io.reckon.runtime.SettingValues;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a model server is and how to talk to it: the part that the completions proposer and the
 * pooling PRM share. The API key is read from an environment variable named in configuration
 * ({@code api-key-env}), never from a flag or the configuration itself, and {@link #toString()}
 * does not print it.
 *
 * @param baseUrl the server, e.g. {@code http://127.0.0.1:8000} or {@code .../v1}
 * @param apiKey sent as a bearer token when not empty
 * @param connectTimeout to open a connection
 * @param requestTimeout for one whole response; a slower one counts as a failed try
 * @param maxRetries further tries after a 429, a 5xx, a timeout or a broken connection
 * @param initialBackoff wait before the first retry; doubled for each further one
 * @param maxBackoff longest wait between tries (also caps a server's Retry-After)
 * @param maxConcurrentRequests HTTP requests in flight at once to this server (host and port),
 *     over every client of this process
 */
public record ServerSettings(
    String baseUrl,
    String apiKey,
    Duration connectTimeout,
    Duration requestTimeout,
    int maxRetries,
    Duration initialBackoff,
    Duration maxBackoff,
    int maxConcurrentRequests) {

  /** The keys {@link #read} understands, normalized. */
  static final Set<String> KEYS =
      Set.of(
          "baseurl", "apikeyenv", "connecttimeout", "requesttimeout", "maxretries",
          "initialbackoff", "maxbackoff", "maxconcurrentrequests");

  /** Spelled as in configuration, for messages. */
  static final String KEY_NAMES =
      "base-url, api-key-env, connect-timeout, request-timeout, max-retries, initial-backoff, "
          + "max-backoff, max-concurrent-requests";

  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m)?");

  public ServerSettings {
    if (baseUrl == null || baseUrl.isBlank()) {
      throw new IllegalArgumentException("base-url is required, e.g. http://127.0.0.1:8000");
    }
    baseUrl = baseUrl.strip();
    while (baseUrl.endsWith("/")) {
      baseUrl = baseUrl.substring(0, baseUrl.length() - 1);
    }
    URI uri;
    try {
      uri = URI.create(baseUrl);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("base-url is not a URL: '" + baseUrl + "'");
    }
    if (uri.getScheme() == null
        || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
        || uri.getHost() == null) {
      throw new IllegalArgumentException(
          "base-url must be an http(s) URL with a host, was '" + baseUrl + "'");
    }
    apiKey = apiKey == null ? "" : apiKey;
    positive("connect-timeout", connectTimeout);
    positive("request-timeout", requestTimeout);
    positive("initial-backoff", initialBackoff);
    positive("max-backoff", maxBackoff);
    if (maxRetries < 0) {
      throw new IllegalArgumentException("max-retries must be >= 0, was " + maxRetries);
    }
    if (maxConcurrentRequests < 1) {
      throw new IllegalArgumentException(
          "max-concurrent-requests must be >= 1, was " + maxConcurrentRequests);
    }
  }

  private static void positive(String name, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be > 0, was " + d);
    }
  }

  /** Defaults for everything but where the server is. */
  public static ServerSettings of(String baseUrl) {
    return new ServerSettings(
        baseUrl, "", Duration.ofSeconds(5), Duration.ofSeconds(120), 4, Duration.ofMillis(250),
        Duration.ofSeconds(10), 16);
  }

  /** {@code path} (e.g. {@code completions}) under {@code /v1} of the base URL. */
  public URI v1(String path) {
    return URI.create(baseUrl.endsWith("/v1") ? baseUrl + "/" + path : baseUrl + "/v1/" + path);
  }

  /** {@code path} at the server's root, outside {@code /v1} (vLLM's {@code /pooling} is there). */
  public URI root(String path) {
    String root = baseUrl.endsWith("/v1") ? baseUrl.substring(0, baseUrl.length() - 3) : baseUrl;
    return URI.create(root + "/" + path);
  }

  /** The server's identity for the shared concurrency limit: scheme, host and port. */
  String authority() {
    URI uri = URI.create(baseUrl);
    return uri.getScheme() + "://" + uri.getHost() + ":" + uri.getPort();
  }

  public ServerSettings withTimeouts(Duration connect, Duration request) {
    return new ServerSettings(
        baseUrl, apiKey, connect, request, maxRetries, initialBackoff, maxBackoff, maxConcurrentRequests);
  }

  public ServerSettings withRetries(int retries, Duration initial, Duration max) {
    return new ServerSettings(
        baseUrl, apiKey, connectTimeout, requestTimeout, retries, initial, max, maxConcurrentRequests);
  }

  public ServerSettings withApiKey(String key) {
    return new ServerSettings(
        baseUrl, key, connectTimeout, requestTimeout, maxRetries, initialBackoff, maxBackoff,
        maxConcurrentRequests);
  }

  public ServerSettings withMaxConcurrentRequests(int n) {
    return new ServerSettings(
        baseUrl, apiKey, connectTimeout, requestTimeout, maxRetries, initialBackoff, maxBackoff, n);
  }

  public ServerSettings withBaseUrl(String url) {
    return new ServerSettings(
        url, apiKey, connectTimeout, requestTimeout, maxRetries, initialBackoff, maxBackoff,
        maxConcurrentRequests);
  }

  /** Never prints the key: settings end up in log lines and error messages. */
  @Override
  public String toString() {
    return "ServerSettings[baseUrl=" + baseUrl + ", apiKey=" + (apiKey.isEmpty() ? "none" : "(set)")
        + ", connectTimeout=" + connectTimeout + ", requestTimeout=" + requestTimeout
        + ", maxRetries=" + maxRetries + ", initialBackoff=" + initialBackoff
        + ", maxBackoff=" + maxBackoff + ", maxConcurrentRequests=" + maxConcurrentRequests + "]";
  }

  /**
   * Reads the server keys of {@code values} (others are the caller's). {@code api-key-env} names
   * the environment variable that holds the key; {@code env} looks it up (System::getenv outside
   * tests). A named variable that is unset or empty is an error: a server that needs a key would
   * otherwise answer every call with 401.
   *
   * @param scope the settings' place in configuration, for messages
   */
  static ServerSettings read(String scope, Map<String, ?> values, UnaryOperator<String> env) {
    Object url = find(values, "baseurl");
    if (url == null || String.valueOf(url).isBlank()) {
      throw new IllegalArgumentException(
          scope + ".base-url is required (the server, e.g. http://127.0.0.1:8000)");
    }
    ServerSettings d;
    try {
      d = of(String.valueOf(url));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(scope + "." + e.getMessage());
    }
    String apiKey = "";
    Duration connect = d.connectTimeout;
    Duration request = d.requestTimeout;
    int retries = d.maxRetries;
    Duration initial = d.initialBackoff;
    Duration max = d.maxBackoff;
    int concurrent = d.maxConcurrentRequests;
    for (Map.Entry<String, ?> e : values.entrySet()) {
      String key = e.getKey();
      Object v = e.getValue();
      switch (SettingValues.normalize(key)) {
        case "apikey" -> throw new IllegalArgumentException(
            scope + "." + key + ": a key is never read from configuration or flags; put it in an "
                + "environment variable and name that in " + scope + ".api-key-env");
        case "apikeyenv" -> {
          String variable = String.valueOf(v).strip();
          if (!variable.isEmpty()) {
            String value = env.apply(variable);
            if (value == null || value.isBlank()) {
              throw new IllegalArgumentException(
                  scope + ".api-key-env names " + variable + ", which is not set: export "
                      + variable + "=<key>, or set " + scope + ".api-key-env = \"\" for a server "
                      + "without a key");
            }
            apiKey = value.strip();
          }
        }
        case "connecttimeout" -> connect = duration(scope, key, v);
        case "requesttimeout" -> request = duration(scope, key, v);
        case "maxretries" -> retries = (int) SettingValues.integer(scope, key, v);
        case "initialbackoff" -> initial = duration(scope, key, v);
        case "maxbackoff" -> max = duration(scope, key, v);
        case "maxconcurrentrequests" -> concurrent = (int) SettingValues.integer(scope, key, v);
        default -> { }
      }
    }
    try {
      return new ServerSettings(d.baseUrl, apiKey, connect, request, retries, initial, max, concurrent);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(scope + "." + e.getMessage());
    }
  }

  /** The model name, which every server setting needs; {@code flag} is how the CLI gives it. */
  static String model(String scope, Map<String, ?> values, String flag) {
    Object model = find(values, "model");
    if (model == null || String.valueOf(model).isBlank()) {
      throw new IllegalArgumentException(
          scope + ".model is required (the name the server serves; " + flag + " NAME)");
    }
    return String.valueOf(model);
  }

  /** The entries of {@code values} other than the server keys and the model: the caller's own. */
  static List<Map.Entry<String, ?>> others(Map<String, ?> values) {
    List<Map.Entry<String, ?>> out = new ArrayList<>();
    for (Map.Entry<String, ?> e : values.entrySet()) {
      String k = SettingValues.normalize(e.getKey());
      if (!KEYS.contains(k) && !k.equals("model")) {
        out.add(e);
      }
    }
    return out;
  }

  static Object find(Map<String, ?> values, String normalized) {
    for (Map.Entry<String, ?> e : values.entrySet()) {
      if (SettingValues.normalize(e.getKey()).equals(normalized)) {
        return e.getValue();
      }
    }
    return null;
  }

  static Duration duration(String scope, String key, Object v) {
    if (v instanceof Duration d) {
      return d;
    }
    if (v instanceof Number n) {
      return Duration.ofMillis(n.longValue());
    }
    Matcher m = DURATION.matcher(String.valueOf(v).strip().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(
          scope + " setting '" + key + "' must be a duration such as 500ms, 30s or 2m, was '" + v + "'");
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
