package io.reckon.server;

import io.reckon.protocol.api.Health;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.server.Route;

/** {@code GET /health} (alive), {@code GET /ready} (workers and store), {@code GET /metrics}. */
final class OpsRoutes extends HttpSupport {
  private static final ContentType.WithCharset PROMETHEUS =
      ContentTypes.create(MediaTypes.TEXT_PLAIN, HttpCharsets.UTF_8);

  private final Asker asker;
  private final Admission admission;
  private final Supplier<CompletionStage<Boolean>> store;

  /** @param store whether the run store answers */
  OpsRoutes(ServerSettings settings, ServerMetrics metrics, Asker asker, Admission admission,
      Supplier<CompletionStage<Boolean>> store) {
    super(settings, metrics);
    this.asker = asker;
    this.admission = admission;
    this.store = store;
  }

  /** Health and readiness need no token: probes of an orchestrator carry none. */
  Route open() {
    return concat(
        path("health", () -> get(() -> complete(json(200,
            new Health("ok", 0, 0, 0, 0, admission.held(), admission.limit(), true))))),
        path("ready", () -> get(() -> completeWithFuture(ready()))));
  }

  Route metricsRoute() {
    return path("metrics", () -> timed("metrics", () -> get(() -> completeWithFuture(
        asker.status().handle((s, error) -> {
          if (s != null) {
            metrics.status(s);
          }
          return null;
        }).thenCompose(v -> asker.workerStats()).handle((stats, error) -> {
          if (stats != null) {
            metrics.workers(stats);
          }
          return HttpResponse.create().withEntity(PROMETHEUS, metrics.scrape());
        })))));
  }

  private CompletionStage<HttpResponse> ready() {
    return asker.status().thenCombine(store.get(), (s, storeUp) -> {
      boolean ready = s.ready() && storeUp;
      return json(ready ? 200 : 503, new Health(ready ? "ready" : "not ready", s.proposers(),
          s.verifiers(), s.active(), s.waiting(), admission.held(), admission.limit(), storeUp));
    }).exceptionally(e -> json(503, new Health("not ready", 0, 0, 0, 0, admission.held(),
        admission.limit(), false)));
  }
}
