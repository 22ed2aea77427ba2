package io.reckon.server;

import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /}: the dashboard, one static page from the jar with its script, styles and the
 * vendored chart library under {@code /static/}. The page reads the runs API with the token the
 * user gives it, so the files themselves need none.
 */
final class Dashboard extends HttpSupport {
  private static final String ROOT = "io/reckon/server/dashboard";

  Dashboard(ServerSettings settings, ServerMetrics metrics) {
    super(settings, metrics);
  }

  Route route() {
    // The method inside the path: a matched GET outside it would cancel the 405 of other routes.
    return concat(
        pathSingleSlash(() -> get(() -> getFromResource(ROOT + "/index.html"))),
        pathPrefix("static", () -> get(() -> getFromResourceDirectory(ROOT))));
  }
}
