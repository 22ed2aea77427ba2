package io.reckon.server;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/** A failed stage as a response: a limit's {@link Admission.Refusal} with its Retry-After. */
final class Refusals {
  private Refusals() {}

  static HttpResponse response(Throwable error) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t instanceof Admission.Refusal r ? r.response() : Errors.of(error);
  }
}
