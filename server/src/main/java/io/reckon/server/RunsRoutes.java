package io.reckon.server;

import io.reckon.protocol.api.RunAccepted;
import io.reckon.protocol.api.RunRequest;
import io.reckon.protocol.api.RunView;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * The runs API: {@code POST/GET /v1/runs}, {@code GET/DELETE /v1/runs/{id}}, the run's live
 * Server-Sent Events ({@code Last-Event-ID} resumes) and its NDJSON results.
 */
final class RunsRoutes extends HttpSupport {
  private final RunsService runs;
  private final EventStreams streams;

  RunsRoutes(ServerSettings settings, ServerMetrics metrics, RunsService runs,
      EventStreams streams) {
    super(settings, metrics);
    this.runs = runs;
    this.streams = streams;
  }

  Route route() {
    return pathPrefix("v1", () -> pathPrefix("runs", () -> concat(
        pathEnd(() -> timed("runs", this::runsRoute)),
        pathPrefix(PathMatchers.segment(), this::runRoute))));
  }

  private Route runsRoute() {
    return concat(
        post(() -> KeyedAccess.withKey(
            key -> body(bytes -> submit(Json.read(bytes, RunRequest.class), key)))),
        get(() -> answer(runs.list().thenApply(l -> json(200, new RunView.Listing(l))))));
  }

  private Route runRoute(String id) {
    return concat(
        pathEnd(() -> timed("run", () -> concat(
            get(() -> answer(runs.view(id).thenApply(v -> json(200, v)))),
            delete(() -> answer(runs.cancel(id).thenApply(s -> json(200, s))))))),
        path("events", () -> get(() -> optionalHeaderValueByName("Last-Event-ID",
            last -> answer(events(id, last))))),
        path("results", () -> get(() -> answer(results(id)))));
  }

  private Route answer(CompletionStage<HttpResponse> response) {
    return completeWithFuture(response.exceptionally(Errors::of));
  }

  private Route submit(RunRequest request, ApiKeys.Key key) {
    RequestGuards.checkRun(request);
    return completeWithFuture(runs.submit(request, key).thenApply(
        s -> json(202, new RunAccepted(s.runId(), s.state(), s.questions())))
        .exceptionally(Refusals::response));
  }

  private CompletionStage<HttpResponse> results(String id) {
    return runs.status(id).thenApply(s -> {
      Source<ByteString, ?> lines = runs.results(id)
          .map(r -> ByteString.fromString(Json.writeString(r) + "\n"));
      return HttpResponse.create().withEntity(HttpEntities.create(
          MediaTypes.applicationWithOpenCharset("x-ndjson").toContentType(HttpCharsets.UTF_8),
          lines));
    });
  }

  /** See {@link EventStreams}: resumable, capped, ended on shutdown. */
  private CompletionStage<HttpResponse> events(String id, Optional<String> lastEventId) {
    return streams.events(id, lastEventId);
  }


}
