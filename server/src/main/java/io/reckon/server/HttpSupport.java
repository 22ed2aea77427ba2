package io.reckon.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/** What every route group shares: JSON replies, bounded bodies, the bearer token, timing. */
abstract class HttpSupport extends AllDirectives {
  protected final ServerSettings settings;
  protected final ServerMetrics metrics;
  private final byte[] token;

  HttpSupport(ServerSettings settings, ServerMetrics metrics) {
    this.settings = settings;
    this.metrics = metrics;
    this.token = settings.apiToken().getBytes(StandardCharsets.UTF_8);
  }

  static HttpResponse json(int status, Object body) {
    return HttpResponse.create().withStatus(status)
        .withEntity(ContentTypes.APPLICATION_JSON, Json.write(body));
  }

  /** A Server-Sent Events response; proxies are asked not to buffer it. */
  static HttpResponse eventStream(Source<ByteString, ?> events) {
    return HttpResponse.create()
        .withEntity(HttpEntities.create(ContentTypes.create(MediaTypes.TEXT_EVENT_STREAM), events))
        .addHeader(RawHeader.create("Cache-Control", "no-cache"))
        .addHeader(RawHeader.create("X-Accel-Buffering", "no"));
  }

  /**
   * The request body, read whole up to {@code reckon.serve.max-body} (beyond it: 413). A body must
   * say it is JSON ({@code Content-Type: application/json}, else 415): a form or a
   * {@code text/plain} POST is what a foreign page can send without a CORS preflight.
   */
  Route body(Function<byte[], Route> inner) {
    return extractRequestEntity(entity -> {
      if (entity.getContentLengthOption().orElse(0L) > settings.maxBody()) {
        return complete(Errors.response(Errors.tooLarge(settings.maxBody())));
      }
      boolean empty = entity.isKnownEmpty() || entity.getContentLengthOption().orElse(-1L) == 0L;
      if (!empty && !entity.getContentType().mediaType().equals(MediaTypes.APPLICATION_JSON)) {
        return complete(Errors.response(new ApiException(415, "invalid_request_error", null,
            "unsupported_media_type", "the body must be JSON sent with Content-Type: "
            + "application/json; got " + entity.getContentType().mediaType())));
      }
      return strictBody(inner);
    });
  }

  private Route strictBody(Function<byte[], Route> inner) {
    return extractStrictEntity(Duration.ofSeconds(30), settings.maxBody(),
        entity -> inner.apply(entity.getData().toArray()));
  }

  /**
   * With a token configured, the request must carry {@code Authorization: Bearer TOKEN}; the
   * comparison takes the same time wherever the tokens differ.
   */
  Route authorized(Supplier<Route> inner) {
    if (!settings.tokenRequired()) {
      return inner.get();
    }
    return optionalHeaderValueByName("Authorization", header -> {
      if (matches(header)) {
        return inner.get();
      }
      return complete(Errors.response(new ApiException(401, "invalid_request_error", null,
              "invalid_api_key", "missing or wrong API key: send Authorization: Bearer "
              + "$RECKON_API_TOKEN"))
          .addHeader(RawHeader.create("WWW-Authenticate", "Bearer")));
    });
  }

  private boolean matches(Optional<String> header) {
    String value = header.orElse("");
    String prefix = "Bearer ";
    if (!value.regionMatches(true, 0, prefix, 0, prefix.length())) {
      return false;
    }
    byte[] given = value.substring(prefix.length()).strip().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(given, token);
  }

  /** Records the route's latency and status in the HTTP histogram (streams: until headers). */
  Route timed(String name, Supplier<Route> inner) {
    return extractRequest(request -> {
      long start = System.nanoTime();
      return mapResponse(response -> {
        metrics.http(name, request.method().value(), response.status().intValue(),
            System.nanoTime() - start);
        return response;
      }, () -> handleExceptions(Errors.exceptions(), inner));
    });
  }
}
