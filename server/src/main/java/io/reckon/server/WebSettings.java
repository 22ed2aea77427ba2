package io.reckon.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValueType;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The browser- and transport-facing settings of {@code reckon serve} ({@code reckon.serve}: see
 * {@code config/serve.conf} and docs/security.md).
 *
 * @param allowedOrigins origins ({@code https://app.example.com}) whose pages may call the API
 *     from a browser; any other {@code Origin} than the server's own is refused with 403
 * @param keystore a PKCS#12 keystore: the server speaks HTTPS with its key; {@code null} = HTTP
 * @param keystorePassword the keystore's password (also its key's)
 * @param authFailures failed authentications one client address may make within
 *     {@code authWindow} before it gets 429 until the window ends
 * @param authWindow see {@code authFailures}
 */
public record WebSettings(
    List<String> allowedOrigins,
    Path keystore,
    String keystorePassword,
    int authFailures,
    Duration authWindow) {

  /** What tests and embedders get without a config: nothing allowed beyond the server itself. */
  public static final WebSettings DEFAULTS =
      new WebSettings(List.of(), null, "", 10, Duration.ofMinutes(1));

  public WebSettings {
    allowedOrigins = allowedOrigins.stream().map(WebSettings::origin).toList();
    if (authFailures < 1) {
      throw new IllegalArgumentException(
          "reckon.serve.auth-failures.max must be >= 1, was " + authFailures);
    }
    if (authWindow.isNegative() || authWindow.isZero()) {
      throw new IllegalArgumentException("reckon.serve.auth-failures.window must be above 0");
    }
    keystorePassword = keystorePassword == null ? "" : keystorePassword;
  }

  public static WebSettings from(Config root) {
    Config c = root.getConfig("reckon.serve");
    try {
      List<String> origins = new ArrayList<>();
      if (c.hasPath("allowed-origins")) {
        if (c.getValue("allowed-origins").valueType() == ConfigValueType.LIST) {
          origins.addAll(c.getStringList("allowed-origins"));
        } else {
          // RECKON_ALLOWED_ORIGINS: one string, origins separated by commas or spaces.
          for (String o : c.getString("allowed-origins").split("[,\\s]+")) {
            if (!o.isEmpty()) {
              origins.add(o);
            }
          }
        }
      }
      String store = c.hasPath("tls.keystore") ? c.getString("tls.keystore").strip() : "";
      return new WebSettings(origins,
          store.isEmpty() ? null : Path.of(store),
          c.hasPath("tls.password") ? c.getString("tls.password") : "",
          c.hasPath("auth-failures.max") ? c.getInt("auth-failures.max") : 10,
          c.hasPath("auth-failures.window") ? c.getDuration("auth-failures.window")
              : Duration.ofMinutes(1));
    } catch (ConfigException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  public WebSettings withAllowedOrigins(List<String> origins) {
    return new WebSettings(origins, keystore, keystorePassword, authFailures, authWindow);
  }

  public WebSettings withKeystore(Path keystore, String password) {
    return new WebSettings(allowedOrigins, keystore, password, authFailures, authWindow);
  }

  public WebSettings withAuthFailures(int max, Duration window) {
    return new WebSettings(allowedOrigins, keystore, keystorePassword, max, window);
  }

  public boolean tls() {
    return keystore != null;
  }

  /**
   * An origin as browsers send it: {@code scheme://host[:port]}, lower case, without a default
   * port or a trailing slash; anything else is a configuration error.
   */
  static String origin(String spec) {
    String s = spec.strip();
    URI u;
    try {
      u = new URI(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
    } catch (java.net.URISyntaxException e) {
      u = null;
    }
    if (u == null || u.getScheme() == null || u.getHost() == null
        || !(u.getRawPath() == null || u.getRawPath().isEmpty()) || u.getRawQuery() != null
        || u.getRawUserInfo() != null) {
      throw new IllegalArgumentException("reckon.serve.allowed-origins: '" + spec + "' is not an "
          + "origin; write scheme://host[:port], e.g. https://app.example.com");
    }
    String scheme = u.getScheme().toLowerCase(Locale.ROOT);
    int port = u.getPort();
    boolean defaultPort = port == -1 || scheme.equals("http") && port == 80
        || scheme.equals("https") && port == 443;
    return scheme + "://" + u.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
  }
}
