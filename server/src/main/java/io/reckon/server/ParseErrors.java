package io.reckon.server;

import io.reckon.protocol.openai.ErrorResponse;
import java.util.Locale;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * Requests so malformed that Pekko cannot make a request of them (an unknown method: 501; a URI
 * or headers too long: 414, 431; a broken request line: 400) never reach the routes, so their
 * answer is made here ({@code pekko.http.server.parsing.error-handler}, config/serve.conf): in
 * OpenAI's error shape like every other error. Logged at DEBUG only, and without the detail, which
 * may quote a header (an {@code Authorization} header among them).
 */
public final class ParseErrors extends ParsingErrorHandler {
  /** Pekko looks the handler up as a Scala object: this is the instance it takes. */
  public static final ParseErrors MODULE$ = new ParseErrors();

  @Override
  public HttpResponse handle(StatusCode status, ErrorInfo info, LoggingAdapter log,
      ServerSettings settings) {
    int code = status.intValue();
    if (log.isDebugEnabled()) {
      log.debug("refused a malformed request: {} {}", code, printable(info.summary()));
    }
    String reason = status.reason();
    String summary = printable(info.summary());
    String message = summary.isEmpty() ? reason : summary;
    ErrorResponse body = new ErrorResponse(new ErrorResponse.Detail(message,
        code >= 500 && code != 501 ? "server_error" : "invalid_request_error", null,
        reason.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_")));
    return HttpResponse.create().withStatus(code)
        .withEntity(ContentTypes.APPLICATION_JSON, Json.write(body));
  }

  /** Printable ASCII, at most 200 characters: what a reply may quote of a client's bytes. */
  static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && b.length() < 200; i++) {
      char c = s.charAt(i);
      b.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return b.toString();
  }
}
