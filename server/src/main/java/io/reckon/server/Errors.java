package io.reckon.server;

import io.reckon.protocol.openai.ErrorResponse;
import java.time.Duration;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.http.scaladsl.model.IllegalRequestException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every error response of every route in OpenAI's shape, with no stack trace: the request's own
 * faults ({@link ApiException}), Pekko's rejections (unknown path, wrong method, ...), oversized
 * bodies, and anything unexpected (logged here, answered with a bare 500).
 */
public final class Errors {
  private static final Logger LOG = LoggerFactory.getLogger(Errors.class);

  private Errors() {}

  /**
   * The error as a response. A 500 or 504 says {@code x-should-retry: false}: the official SDKs
   * otherwise send the same expensive request twice more, and a search that failed or ran out of
   * time does so again. A 429 always says when to come back ({@code Retry-After}, 1 s unless the
   * caller {@link #retryAfter sets} another).
   */
  public static HttpResponse response(ApiException e) {
    HttpResponse r = HttpResponse.create()
        .withStatus(e.status())
        .withEntity(ContentTypes.APPLICATION_JSON, Json.write(e.body()));
    if (e.status() == 500 || e.status() == 504) {
      r = r.addHeader(RawHeader.create("x-should-retry", "false"));
    }
    if (e.status() == 429) {
      r = r.addHeader(RawHeader.create("Retry-After", "1"));
    }
    return r;
  }

  /** The response with {@code Retry-After: seconds} instead of any it had. */
  public static HttpResponse retryAfter(HttpResponse r, long seconds) {
    return r.removeHeader("Retry-After")
        .addHeader(RawHeader.create("Retry-After", Long.toString(Math.max(1, seconds))));
  }

  public static ApiException tooLarge(long limit) {
    return new ApiException(413, "invalid_request_error", null, "request_too_large",
        "the request body is larger than this server's limit of " + limit
            + " bytes (reckon.serve.max-body)");
  }

  public static HttpResponse tooManyRequests(Duration retryAfter, String what) {
    long seconds = Math.max(1, (retryAfter.toMillis() + 999) / 1000);
    return retryAfter(response(new ApiException(429, "requests", null, "rate_limit_exceeded",
        "the server is at its admission limit (" + what + "): retry after " + seconds + " s")),
        seconds);
  }

  /** A failed future's error as a response: its ApiException, or a logged bare 500. */
  public static HttpResponse of(Throwable error) {
    Throwable t = error;
    while ((t instanceof java.util.concurrent.CompletionException
        || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof ApiException api) {
      return response(api);
    }
    LOG.error("unexpected error while answering a request", t);
    return response(new ApiException(500, "server_error", null, "internal_error",
        "internal error; the server log has the details"));
  }

  public static ExceptionHandler exceptions() {
    return ExceptionHandler.newBuilder()
        .match(ApiException.class, e -> Directives.complete(response(e)))
        .matchAny(e -> {
          if (tooLarge(e)) {
            return Directives.complete(response(new ApiException(413, "invalid_request_error",
                null, "request_too_large", "the request body is larger than this server's limit "
                + "(reckon.serve.max-body)")));
          }
          if (e instanceof IllegalRequestException bad) {
            int status = bad.status().intValue();
            return Directives.complete(response(new ApiException(status,
                status >= 500 ? "server_error" : "invalid_request_error", null, null,
                bad.info().summary())));
          }
          LOG.error("unexpected error while answering a request", e);
          return Directives.complete(response(new ApiException(500, "server_error", null,
              "internal_error", "internal error; the server log has the details")));
        })
        .build();
  }

  private static boolean tooLarge(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof EntityStreamSizeException
          || t instanceof IllegalRequestException bad
              && (bad.status().intValue() == 413 || bad.info().summary().contains("too large"))) {
        return true;
      }
    }
    return false;
  }

  /** Pekko's own rejection messages, re-wrapped as OpenAI errors with the same status. */
  public static RejectionHandler rejections() {
    return RejectionHandler.defaultHandler().mapRejectionResponse(Errors::reshape);
  }

  private static HttpResponse reshape(HttpResponse r) {
    if (r.entity() instanceof HttpEntity.Strict strict
        && strict.getContentType().equals(ContentTypes.APPLICATION_JSON)) {
      return r; // already ours
    }
    String message = r.entity() instanceof HttpEntity.Strict strict
        ? strict.getData().utf8String() : r.status().reason();
    int status = r.status().intValue();
    String type = status >= 500 ? "server_error" : "invalid_request_error";
    String code = status == StatusCodes.NOT_FOUND.intValue() ? "not_found"
        : status == StatusCodes.METHOD_NOT_ALLOWED.intValue() ? "method_not_allowed"
        : status == StatusCodes.PAYLOAD_TOO_LARGE.intValue() ? "request_too_large" : null;
    return r.withEntity(ContentTypes.APPLICATION_JSON,
        Json.write(new ErrorResponse(new ErrorResponse.Detail(message, type, null, code))));
  }
}
