package io.reckon.server;

import io.reckon.protocol.RunStatus;
import io.reckon.protocol.api.RunAccepted;
import io.reckon.protocol.api.RunEvent;
import io.reckon.protocol.api.RunRequest;
import io.reckon.protocol.api.RunView;
import java.time.Duration;
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
  private static final ByteString KEEP_ALIVE = ByteString.fromString(": keep-alive\n\n");

  private final RunsService runs;

  RunsRoutes(ServerSettings settings, ServerMetrics metrics, RunsService runs) {
    super(settings, metrics);
    this.runs = runs;
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

  /**
   * The run's journal events as SSE with their sequence numbers as ids, a {@code progress} event
   * (the run's status) every second, comments to keep the connection open, and the end after
   * {@code finished} or {@code cancelled}.
   */
  private CompletionStage<HttpResponse> events(String id, Optional<String> lastEventId) {
    long from = 1;
    if (lastEventId.isPresent()) {
      try {
        from = Long.parseLong(lastEventId.get().strip()) + 1;
      } catch (NumberFormatException e) {
        throw ApiException.badRequest("Last-Event-ID", "Last-Event-ID must be the id of an event "
            + "of this stream (a whole number); got '" + lastEventId.get() + "'");
      }
    }
    long start = Math.max(1, from);
    return runs.status(id).thenApply(s -> {
      Source<ByteString, ?> journal = runs.events(id, start).map(e -> {
        RunEvent event = RunsService.event(e.event());
        return ByteString.fromString("id: " + e.sequenceNr() + "\nevent: "
            + RunsService.kind(event) + "\ndata: " + Json.writeString(event) + "\n\n");
      });
      Source<ByteString, ?> progress = Source.tick(Duration.ofSeconds(1), Duration.ofSeconds(1), 0)
          .mapAsync(1, t -> runs.status(id).handle((st, err) -> Optional.ofNullable(st)))
          .filter(Optional::isPresent)
          .map(st -> progressEvent(st.get()));
      Source<ByteString, ?> stream = Source.single(progressEvent(s))
          .concat(journal.merge(progress, true))
          .keepAlive(settings.keepAlive(), () -> KEEP_ALIVE);
      return eventStream(stream);
    });
  }

  private static ByteString progressEvent(RunStatus s) {
    return ByteString.fromString("event: progress\ndata: " + Json.writeString(s) + "\n\n");
  }

}
