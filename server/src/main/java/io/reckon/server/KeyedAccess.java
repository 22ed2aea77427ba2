package io.reckon.server;

import java.util.Optional;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Who a request is: with an API keys file, the key whose secret the {@code Authorization: Bearer}
 * header carries (401 for none); without one, the server's single token (or none on loopback) as
 * {@link ApiKeys#DEFAULT}. Either way the request leaves with its key in {@link
 * ApiKeys#ATTRIBUTE}, which admission, fair share, quotas and usage read.
 */
final class KeyedAccess extends HttpSupport {
  private final ApiKeys keys;

  KeyedAccess(ServerSettings settings, ServerMetrics metrics, ApiKeys keys) {
    super(settings, metrics);
    this.keys = keys;
  }

  @Override
  Route authorized(Supplier<Route> inner) {
    if (!keys.enabled()) {
      return super.authorized(() -> tagged(ApiKeys.DEFAULT, inner));
    }
    return optionalHeaderValueByName("Authorization", header -> {
      ApiKeys.Key key = key(header);
      if (key != null) {
        return tagged(key, inner);
      }
      return complete(Errors.response(new ApiException(401, "invalid_request_error", null,
              "invalid_api_key", "missing or unknown API key: send Authorization: Bearer "
              + "<your key>"))
          .addHeader(RawHeader.create("WWW-Authenticate", "Bearer")));
    });
  }

  private ApiKeys.Key key(Optional<String> header) {
    String value = header.orElse("");
    String prefix = "Bearer ";
    if (!value.regionMatches(true, 0, prefix, 0, prefix.length())) {
      return null;
    }
    return keys.match(value.substring(prefix.length()).strip());
  }

  private Route tagged(ApiKeys.Key key, Supplier<Route> inner) {
    return mapRequest(r -> r.addAttribute(ApiKeys.ATTRIBUTE, key), inner);
  }

  /** The request's key; {@link ApiKeys#DEFAULT} where no {@link KeyedAccess} tagged it. */
  static Route withKey(java.util.function.Function<ApiKeys.Key, Route> inner) {
    return new KeyedAccess.Reader().read(inner);
  }

  private static final class Reader extends org.apache.pekko.http.javadsl.server.AllDirectives {
    Route read(java.util.function.Function<ApiKeys.Key, Route> inner) {
      return optionalAttribute(ApiKeys.ATTRIBUTE, k -> inner.apply(k.orElse(ApiKeys.DEFAULT)));
    }
  }
}
