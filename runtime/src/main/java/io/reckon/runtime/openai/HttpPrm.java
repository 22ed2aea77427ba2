package io.reckon.runtime.openai;

import io.reckon.protocol.ScoreReply;
import io.reckon.protocol.ScoreRequest;
import io.reckon.runtime.Verifier;
import java.net.URI;
import java.util.List;

/**
 * What the PRMs served over HTTP share: one pooled {@link HttpJsonClient} per verifier, one call
 * per score request of a batch sent concurrently (the server batches concurrent requests itself;
 * the per-server limit bounds them), the model's name and parameter count from its settings.
 * Subclasses build one score request's call and read its reply.
 */
abstract class HttpPrm implements Verifier {
  final HttpJsonClient http;
  final URI endpoint;
  private final String model;
  private final long parameters;

  HttpPrm(ServerSettings server, URI endpoint, String clientName, String model, long parameters) {
    this.endpoint = endpoint;
    this.model = model;
    this.parameters = parameters;
    // One client keeps its connections alive between calls: the pool the calls share.
    this.http = new HttpJsonClient(server, clientName);
  }

  /** One score request's call: every solution of it, scored step by step. */
  abstract ScoreReply scoreOne(ScoreRequest request);

  @Override
  public final long parameters() {
    return parameters;
  }

  @Override
  public final String name() {
    return model;
  }

  @Override
  public final boolean takesConcurrentCalls() {
    return true;
  }

  @Override
  public final void close() {
    http.close();
  }

  @Override
  public final List<ScoreReply> score(List<ScoreRequest> batch) {
    return http.map(batch, this::scoreOne, endpoint);
  }
}
