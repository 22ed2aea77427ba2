package io.reckon.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.reckon.actors.store.Digests;
import io.reckon.protocol.RunSpec;
import io.reckon.runtime.Proposer;
import io.reckon.runtime.synthetic.SyntheticReasoner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Servers on 127.0.0.1, port 0, on the seeded synthetic backend; an HTTP client for them. */
final class TestServers {
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  /** The synthetic models as a run's spec records them. */
  static final List<RunSpec.ModelRef> MODELS = List.of(
      new RunSpec.ModelRef("proposer", "synthetic", null, Digests.text("synthetic")),
      new RunSpec.ModelRef("verifier", "synthetic", null, Digests.text("synthetic")));

  private TestServers() {}

  static Config config() {
    return config(tempStore());
  }

  /** A fresh H2 store in a temporary folder: each server its own. */
  static Path tempStore() {
    try {
      Path dir = Files.createTempDirectory("reckon-store-");
      dir.toFile().deleteOnExit();
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Config config(Path store) {
    return ConfigFactory.parseString("pekko.loglevel = WARNING\n"
            + "reckon.store.dir = \"" + store.toString().replace("\\", "/") + "\"\n"
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
        MODELS, SearchChoice.PolicySource.none("no policy in these tests"), workers));
  }

  /** A server whose configuration is {@code overrides} over the tests' usual one. */
  static ReckonServer start(Config overrides, ServerSettings settings) throws Exception {
    return ReckonServer.start(overrides.withFallback(config()), settings,
        new ReckonServer.Backend(new SyntheticReasoner(), new SyntheticReasoner(), MODELS,
            SearchChoice.PolicySource.none("no policy in these tests"), 1));
  }

  /**
   * Sends {@code request} as raw bytes (what java.net.http will not send: a foreign Host, an
   * unknown method, a malformed line) and returns the whole response as text.
   */
  static String raw(ReckonServer server, byte[] request) throws IOException {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(30_000);
      socket.getOutputStream().write(request);
      socket.getOutputStream().flush();
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      byte[] buffer = new byte[8192];
      java.io.InputStream in = socket.getInputStream();
      int n;
      try {
        while ((n = in.read(buffer)) > 0) {
          out.write(buffer, 0, n);
          if (complete(out.toString(java.nio.charset.StandardCharsets.ISO_8859_1))) {
            break;
          }
        }
      } catch (java.net.SocketException e) {
        // the server closed after answering: what came is the answer
      }
      return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  static String raw(ReckonServer server, String request) throws IOException {
    return raw(server, request.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** Whether a response's head and its Content-Length of body have arrived. */
  private static boolean complete(String response) {
    int head = response.indexOf("\r\n\r\n");
    if (head < 0) {
      return false;
    }
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)\r\ncontent-length: (\\d+)")
        .matcher(response.substring(0, head));
    return m.find() && response.length() - head - 4 >= Integer.parseInt(m.group(1));
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
