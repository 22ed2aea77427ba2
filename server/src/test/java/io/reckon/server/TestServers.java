package io.reckon.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.reckon.runtime.Proposer;
import io.reckon.runtime.synthetic.SyntheticReasoner;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Servers on 127.0.0.1, port 0, on the seeded synthetic backend; an HTTP client for them. */
final class TestServers {
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private TestServers() {}

  static Config config() {
    return ConfigFactory.parseString("pekko.loglevel = WARNING\n"
            + "pekko.coordinated-shutdown.exit-jvm = off\n"
            + "pekko.jvm-exit-on-fatal-error = off\n")
        .withFallback(ConfigFactory.load());
  }

  static ServerSettings settings() {
    return ServerSettings.from(config()).withAddress("127.0.0.1", 0);
  }

  static ReckonServer start(ServerSettings settings) throws Exception {
    return start(settings, new SyntheticReasoner(), 1);
  }

  static ReckonServer start(ServerSettings settings, Proposer proposer, int workers)
      throws Exception {
    SyntheticReasoner verifier = new SyntheticReasoner();
    return ReckonServer.start(config(), settings, new ReckonServer.Backend(proposer, verifier,
        SearchChoice.PolicySource.none("no policy in these tests"), workers));
  }

  static String base(ReckonServer server) {
    return "http://127.0.0.1:" + server.port();
  }

  static HttpResponse<String> get(ReckonServer server, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(base(server) + path))
        .timeout(Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> post(ReckonServer server, String path, String json, String token)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base(server) + path))
        .timeout(Duration.ofSeconds(120))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Waits (up to 30 s) until the workers have registered. */
  static void awaitReady(ReckonServer server) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (get(server, "/ready").statusCode() != 200) {
      if (System.nanoTime() > end) {
        throw new AssertionError("the server did not become ready in 30 s");
      }
      Thread.sleep(50);
    }
  }
}
