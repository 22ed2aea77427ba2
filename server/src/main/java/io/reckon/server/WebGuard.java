package io.reckon.server;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.RemoteAddress;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * What stands between a browser and the API (docs/security.md):
 * <ul>
 *   <li>every response carries a Content-Security-Policy without inline script, {@code nosniff},
 *       no referrer and frame denial, so that data shown by the dashboard cannot run as script
 *       and the page cannot be framed;
 *   <li>a request whose {@code Origin} is neither the server itself nor an allowed origin is
 *       refused (403): a foreign page cannot drive the API through a user's browser;
 *   <li>on loopback without a token, a request whose {@code Host} is not a loopback name (nor an
 *       allowed origin's host) is refused (403): DNS rebinding cannot turn a foreign name into
 *       this server's origin;
 *   <li>failed authentications throttled per client address (429 with {@code Retry-After}
 *       once a window's failures are spent).
 * </ul>
 */
final class WebGuard extends HttpSupport {
  /**
   * Scripts and styles from this server's files only (the dashboard has no inline ones); data it
   * fetches from this server only; no plugins, no base or form targets, no framing.
   */
  static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; "
      + "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
      + "frame-ancestors 'none'";

  private final WebSettings web;
  private final Set<String> allowedOrigins;
  private final Set<String> allowedHosts = new HashSet<>();
  private final boolean checkHost;
  private final List<HttpHeader> headers = new ArrayList<>();
  private final AuthThrottle throttle;

  WebGuard(ServerSettings settings, WebSettings web, ServerMetrics metrics) {
    super(settings, metrics);
    this.web = web;
    this.allowedOrigins = Set.copyOf(web.allowedOrigins());
    for (String o : allowedOrigins) {
      allowedHosts.add(o.substring(o.indexOf("://") + 3));
    }
    // With a token, a rebound page cannot authenticate; without one, Host is what tells a
    // rebinding attack (Host: evil.example) from the user's own browser (Host: localhost).
    this.checkHost = settings.loopback() && !settings.tokenRequired();
    headers.add(RawHeader.create("Content-Security-Policy", CSP));
    headers.add(RawHeader.create("X-Content-Type-Options", "nosniff"));
    headers.add(RawHeader.create("Referrer-Policy", "no-referrer"));
    headers.add(RawHeader.create("X-Frame-Options", "DENY"));
    if (web.tls()) {
      headers.add(RawHeader.create("Strict-Transport-Security", "max-age=31536000"));
    }
    this.throttle = new AuthThrottle(web.authFailures(), web.authWindow());
  }

  /** The outermost route: security headers on every response, Host and Origin checked. */
  Route guard(Supplier<Route> inner) {
    return respondWithDefaultHeaders(headers, () -> extractRequest(request -> {
      String host = request.getHeader("Host").map(HttpHeader::value).orElse("")
          .strip().toLowerCase(Locale.ROOT);
      if (checkHost && !host.isEmpty() && !loopbackName(hostName(host))
          && !allowedHosts.contains(host)) {
        return complete(forbidden("host_not_allowed", "Host '" + printable(host) + "' is not "
            + "this server's: without an API token the server answers loopback names only "
            + "(localhost, 127.0.0.1, [::1]); use one, set RECKON_API_TOKEN, or list the site in "
            + "reckon.serve.allowed-origins"));
      }
      Optional<String> origin = request.getHeader("Origin").map(HttpHeader::value);
      if (origin.isEmpty()) {
        return inner.get();
      }
      String normalized = normalizedOrigin(origin.get());
      if (normalized != null && sameOrigin(normalized, host)) {
        return inner.get();
      }
      if (normalized != null && allowedOrigins.contains(normalized)) {
        return cors(request, normalized, inner);
      }
      return complete(forbidden("origin_not_allowed", "Origin '" + printable(origin.get())
          + "' may not call this server: a page of another site is refused unless "
          + "reckon.serve.allowed-origins (env RECKON_ALLOWED_ORIGINS) lists it"));
    }));
  }

  /** An allowed origin: CORS headers, and a preflight answered here. */
  private Route cors(HttpRequest request, String origin, Supplier<Route> inner) {
    List<HttpHeader> allow = List.of(RawHeader.create("Access-Control-Allow-Origin", origin),
        RawHeader.create("Vary", "Origin"),
        RawHeader.create("Access-Control-Expose-Headers", "Retry-After"));
    if (request.method().equals(HttpMethods.OPTIONS)
        && request.getHeader("Access-Control-Request-Method").isPresent()) {
      return complete(HttpResponse.create().withStatus(204).addHeaders(allow)
          .addHeader(RawHeader.create("Access-Control-Allow-Methods", "GET, POST, DELETE"))
          .addHeader(RawHeader.create("Access-Control-Allow-Headers",
              "Authorization, Content-Type, Last-Event-ID"))
          .addHeader(RawHeader.create("Access-Control-Max-Age", "600")));
    }
    return respondWithHeaders(allow, inner);
  }

  /**
   * Failed authentications throttled per client address around {@code authorized} (the route
   * that checks the token and answers 401 when it is wrong): an address with too many 401s in the
   * window gets 429 until the window ends, whatever it sends; a request that passes forgets its
   * address's failures.
   */
  Route throttled(Supplier<Route> authorized) {
    return extractRequest(request -> {
      String client = client(request);
      Duration wait = throttle.blockedFor(client);
      if (!wait.isZero()) {
        long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
        return complete(Errors.retryAfter(Errors.response(new ApiException(429, "requests",
            null, "too_many_auth_failures", "too many failed authentications from this address ("
            + web.authFailures() + " within " + web.authWindow().toSeconds() + " s, "
            + "reckon.serve.auth-failures): retry after " + seconds + " s")), seconds));
      }
      return mapResponse(response -> {
        if (response.status().intValue() == 401) {
          throttle.failed(client);
        } else {
          throttle.succeeded(client);
        }
        return response;
      }, authorized);
    });
  }

  /** The peer's IP address (pekko.http.server.remote-address-attribute), never a header. */
  private static String client(HttpRequest request) {
    return request.getAttribute(AttributeKeys.remoteAddress)
        .flatMap(RemoteAddress::getAddress).map(InetAddress::getHostAddress).orElse("unknown");
  }

  private static HttpResponse forbidden(String code, String message) {
    return Errors.response(new ApiException(403, "invalid_request_error", null, code, message));
  }

  /** {@code localhost:8080} -> {@code localhost}; {@code [::1]:8080} -> {@code [::1]}. */
  static String hostName(String host) {
    if (host.startsWith("[")) {
      int end = host.indexOf(']');
      return end < 0 ? host : host.substring(0, end + 1);
    }
    int colon = host.lastIndexOf(':');
    return colon < 0 ? host : host.substring(0, colon);
  }

  /** Names that only ever mean this machine (no DNS answer can make them point elsewhere). */
  static boolean loopbackName(String name) {
    if (name.equals("localhost") || name.endsWith(".localhost") || name.equals("[::1]")) {
      return true;
    }
    String[] parts = name.split("\\.", -1);
    if (parts.length != 4 || !parts[0].equals("127")) {
      return false;
    }
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)
          || Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return true;
  }

  private static String normalizedOrigin(String origin) {
    try {
      return WebSettings.origin(origin);
    } catch (IllegalArgumentException e) {
      return null; // "null" (a sandboxed or file page) and anything malformed: foreign
    }
  }

  /**
   * Whether the page's origin is this server as the request's Host names it. The scheme is not
   * compared: behind a TLS-terminating proxy the page is https and this server http, and a page of
   * the same host is the same site either way.
   */
  private static boolean sameOrigin(String origin, String host) {
    if (host.isEmpty()) {
      return false;
    }
    String authority = origin.substring(origin.indexOf("://") + 3);
    return authority.equals(host) || authority.equals(withoutDefaultPort(host))
        || (authority + (origin.startsWith("https") ? ":443" : ":80")).equals(host);
  }

  private static String withoutDefaultPort(String host) {
    return host.endsWith(":80") ? host.substring(0, host.length() - 3)
        : host.endsWith(":443") ? host.substring(0, host.length() - 4) : host;
  }

  /** A header value as it may appear in a message: printable ASCII, at most 100 characters. */
  private static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && b.length() < 100; i++) {
      char c = s.charAt(i);
      b.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return b.toString();
  }
}
