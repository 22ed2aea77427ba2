package io.reckon.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.typesafe.config.ConfigFactory;
import io.reckon.protocol.openai.ErrorResponse;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * What a browser, a foreign page or a hostile client can do to the service (docs/security.md):
 * security headers, cross-site and rebinding requests, content types, ids, Pekko's own parse
 * errors, tokens in logs, throttled authentication and TLS. Each finding its own test.
 */
class WebSecurityTest {
  private static ReckonServer server;

  @TempDir Path temp;

  @BeforeAll
  static void start() throws Exception {
    server = TestServers.start(TestServers.settings());
    TestServers.awaitReady(server);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static ErrorResponse.Detail error(HttpResponse<String> r) throws Exception {
    assertThat(r.headers().firstValue("Content-Type")).contains("application/json");
    return error(r.body());
  }

  private static ErrorResponse.Detail error(String body) throws Exception {
    assertThat(body).doesNotContain("\tat ").doesNotContain("Exception")
        .doesNotContain("com.fasterxml");
    return Json.MAPPER.readValue(body, ErrorResponse.class).error();
  }

  private static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
    return TestServers.HTTP.send(b.timeout(Duration.ofSeconds(60)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest.Builder request(ReckonServer s, String path) {
    return HttpRequest.newBuilder(URI.create(TestServers.base(s) + path));
  }

  private static String body(String raw) {
    return raw.substring(raw.indexOf("\r\n\r\n") + 4);
  }

  private static int status(String raw) {
    return Integer.parseInt(raw.substring(9, 12));
  }

  private static final String RUN = "{\"questions\":[{\"question\":\"1+2\"}],\"budget\":1,"
      + "\"strategy\":\"best-of-n\"}";

  @Test
  void everyResponseCarriesTheBrowserSecurityHeaders() throws Exception {
    for (String path : List.of("/", "/static/dashboard.js", "/v1/models", "/health", "/nowhere")) {
      HttpResponse<String> r = TestServers.get(server, path);
      String csp = r.headers().firstValue("Content-Security-Policy").orElse("");
      assertThat(csp).as(path).contains("script-src 'self'").contains("frame-ancestors 'none'")
          .doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
      assertThat(r.headers().firstValue("X-Content-Type-Options")).as(path).contains("nosniff");
      assertThat(r.headers().firstValue("Referrer-Policy")).as(path).contains("no-referrer");
      assertThat(r.headers().firstValue("X-Frame-Options")).as(path).contains("DENY");
    }
  }

  @Test
  void theDashboardHasNoInlineScriptAndNoHtmlOfData() throws Exception {
    String page = TestServers.get(server, "/").body();
    assertThat(page).doesNotContainPattern("<script(?![^>]*\\bsrc=)")
        .doesNotContainPattern("\\son[a-z]+=").doesNotContain("<style").doesNotContain("style=");
    String script = TestServers.get(server, "/static/dashboard.js").body();
    assertThat(script).doesNotContain(".innerHTML").doesNotContain("insertAdjacentHTML")
        .doesNotContain("document.write").doesNotContain("localStorage.setItem")
        .doesNotContain("localStorage.getItem");
  }

  @Test
  void aCrossSiteTextPlainPostIsRefused() throws Exception {
    // What a foreign page's form or fetch(..., {mode: "no-cors"}) sends without a preflight.
    HttpResponse<String> r = send(request(server, "/v1/runs")
        .header("Content-Type", "text/plain").header("Origin", "http://evil.example")
        .POST(HttpRequest.BodyPublishers.ofString(RUN)));
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(error(r).code()).isEqualTo("origin_not_allowed");
    // A sandboxed page says Origin: null: foreign too.
    r = send(request(server, "/v1/completions").header("Content-Type", "application/json")
        .header("Origin", "null")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"reckon\",\"prompt\":\"1+2\"}")));
    assertThat(r.statusCode()).isEqualTo(403);
  }

  @Test
  void aBodyThatIsNotJsonIsRefusedWith415() throws Exception {
    for (String path : List.of("/v1/runs", "/v1/completions", "/v1/chat/completions")) {
      for (String type : List.of("text/plain", "application/x-www-form-urlencoded",
          "multipart/form-data; boundary=x")) {
        HttpResponse<String> r = send(request(server, path).header("Content-Type", type)
            .POST(HttpRequest.BodyPublishers.ofString(RUN)));
        assertThat(r.statusCode()).as(path + " " + type).isEqualTo(415);
        assertThat(error(r).code()).isEqualTo("unsupported_media_type");
        assertThat(error(r).message()).contains("application/json");
      }
    }
  }

  @Test
  void theServersOwnOriginPasses() throws Exception {
    HttpResponse<String> r = send(request(server, "/v1/runs")
        .header("Content-Type", "application/json")
        .header("Origin", "http://127.0.0.1:" + server.port())
        .POST(HttpRequest.BodyPublishers.ofString(RUN)));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    // Behind a TLS-terminating proxy the page is https: the same host is the same site.
    r = send(request(server, "/v1/models").header("Origin", "https://127.0.0.1:" + server.port()));
    assertThat(r.statusCode()).isEqualTo(200);
  }

  @Test
  void aRebindingHostIsRefused() throws Exception {
    String raw = TestServers.raw(server, "GET /v1/runs HTTP/1.1\r\nHost: evil.example:"
        + server.port() + "\r\nConnection: close\r\n\r\n");
    assertThat(status(raw)).as(raw).isEqualTo(403);
    assertThat(error(body(raw)).code()).isEqualTo("host_not_allowed");
    raw = TestServers.raw(server, "POST /v1/completions HTTP/1.1\r\nHost: 10.0.0.7\r\n"
        + "Content-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
    assertThat(status(raw)).as(raw).isEqualTo(403);
    for (String host : List.of("localhost:" + server.port(), "127.0.0.1", "[::1]:8080",
        "app.localhost")) {
      raw = TestServers.raw(server, "GET /health HTTP/1.1\r\nHost: " + host
          + "\r\nConnection: close\r\n\r\n");
      assertThat(status(raw)).as(host).isEqualTo(200);
    }
  }

  @Test
  void anAllowedOriginPassesWithCorsAndItsHost() throws Exception {
    try (ReckonServer s = TestServers.start(ConfigFactory.parseString(
        "reckon.serve.allowed-origins = [\"http://app.example:3000\"]"), TestServers.settings())) {
      HttpResponse<String> r = send(request(s, "/v1/runs")
          .header("Content-Type", "application/json").header("Origin", "http://app.example:3000")
          .POST(HttpRequest.BodyPublishers.ofString(RUN)));
      assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
      assertThat(r.headers().firstValue("Access-Control-Allow-Origin"))
          .contains("http://app.example:3000");
      HttpResponse<String> preflight = send(request(s, "/v1/chat/completions")
          .header("Origin", "http://app.example:3000")
          .header("Access-Control-Request-Method", "POST")
          .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
      assertThat(preflight.statusCode()).isEqualTo(204);
      assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers").orElse(""))
          .contains("Authorization").contains("Content-Type");
      // Another origin is still refused, and the allowed origin's host is accepted as Host.
      r = send(request(s, "/v1/runs").header("Origin", "http://app.example:3001"));
      assertThat(r.statusCode()).isEqualTo(403);
      String raw = TestServers.raw(s, "GET /health HTTP/1.1\r\nHost: app.example:3000\r\n"
          + "Connection: close\r\n\r\n");
      assertThat(status(raw)).isEqualTo(200);
    }
  }

  @Test
  void questionIdsOfMarkupOrControlCharactersAreRefusedNamingTheField() throws Exception {
    for (String id : List.of("<img src=x onerror=alert(1)>", "a b", "tab\\there", "x\\u0000",
        "\\u00e9t\\u00e9", "x".repeat(300))) {
      HttpResponse<String> r = TestServers.post(server, "/v1/runs",
          "{\"questions\":[{\"id\":\"ok-1\",\"question\":\"1+2\"},{\"id\":\"" + id
              + "\",\"question\":\"1+3\"}],\"budget\":1,\"strategy\":\"best-of-n\"}", null);
      assertThat(r.statusCode()).as(id).isEqualTo(400);
      assertThat(error(r).param()).isEqualTo("questions[1].id");
    }
    assertThat(RequestGuards.idProblem("test/precalculus/807.json")).isNull();
    assertThat(RequestGuards.idProblem("val-L1-0001")).isNull();
  }

  @Test
  void pekkosOwnParseErrorsAreOpenAiShaped() throws Exception {
    String raw = TestServers.raw(server, "BREW /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Connection: close\r\n\r\n");
    assertThat(status(raw)).as(raw).isEqualTo(501);
    assertThat(error(body(raw)).type()).isNotBlank();
    raw = TestServers.raw(server, "GET /v1/" + "a".repeat(5000) + " HTTP/1.1\r\n"
        + "Host: 127.0.0.1\r\nConnection: close\r\n\r\n");
    assertThat(status(raw)).as(raw).isEqualTo(414);
    error(body(raw));
    raw = TestServers.raw(server, "GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: "
        + "b".repeat(20_000) + "\r\nConnection: close\r\n\r\n");
    assertThat(status(raw)).as(raw).isIn(400, 431);
    error(body(raw));
    raw = TestServers.raw(server, "GET /v1/models HTTP/1.1 junk\r\nHost: 127.0.0.1\r\n\r\n");
    assertThat(status(raw)).as(raw).isEqualTo(505);
    error(body(raw));
    raw = TestServers.raw(server, "POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Content-Type: application/json\r\nContent-Length: lots\r\n\r\n{}");
    assertThat(status(raw)).as(raw).isEqualTo(400);
    error(body(raw));
  }

  @Test
  void tokensNeverReachTheLogWhateverTheirCharacters() throws Exception {
    String token = "p@ss!word$with:colon and space";
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    root.addAppender(logged);
    try (ReckonServer s = TestServers.start(TestServers.settings().withToken(token))) {
      for (String sent : List.of(token, token + "x", "Bearer " + token, "p@ss!word$w:x y z")) {
        HttpResponse<String> r = send(request(s, "/v1/models")
            .header("Authorization", "Bearer " + sent));
        assertThat(r.statusCode()).isIn(200, 401);
      }
      // An Authorization header of a scheme Pekko cannot parse at all, too.
      TestServers.raw(s, "GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: "
          + "Bearer " + token + "\u0001\r\nConnection: close\r\n\r\n");
    } finally {
      root.detachAppender(logged);
    }
    for (ILoggingEvent e : logged.list) {
      assertThat(e.getFormattedMessage()).doesNotContain("p@ss").doesNotContain("word$w");
    }
  }

  @Test
  void failedAuthenticationIsThrottledPerAddress() throws Exception {
    String token = "a-token-long-enough-1234";
    try (ReckonServer s = TestServers.start(ConfigFactory.parseString(
        "reckon.serve.auth-failures { max = 3, window = 1h }"),
        TestServers.settings().withToken(token))) {
      for (int i = 0; i < 3; i++) {
        HttpResponse<String> r = send(request(s, "/v1/models")
            .header("Authorization", "Bearer guess-" + i));
        assertThat(r.statusCode()).isEqualTo(401);
      }
      // Spent: even the right token waits, and a forwarded-for header does not help.
      HttpResponse<String> r = send(request(s, "/v1/models").header("Authorization",
          "Bearer " + token).header("X-Forwarded-For", "10.1.2.3"));
      assertThat(r.statusCode()).isEqualTo(429);
      assertThat(error(r).code()).isEqualTo("too_many_auth_failures");
      assertThat(Long.parseLong(r.headers().firstValue("Retry-After").orElseThrow()))
          .isBetween(3000L, 3600L);
      // Open routes stay open.
      assertThat(TestServers.get(s, "/health").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void theThrottleForgetsAfterItsWindow() {
    long[] now = {0};
    AuthThrottle t = new AuthThrottle(2, Duration.ofSeconds(10), () -> now[0]);
    t.failed("a");
    t.failed("a");
    assertThat(t.blockedFor("a")).isEqualTo(Duration.ofSeconds(10));
    assertThat(t.blockedFor("b")).isZero();
    now[0] = TimeUnit.SECONDS.toNanos(4);
    assertThat(t.blockedFor("a")).isEqualTo(Duration.ofSeconds(6));
    now[0] = TimeUnit.SECONDS.toNanos(10);
    assertThat(t.blockedFor("a")).isZero();
    t.failed("a");
    assertThat(t.blockedFor("a")).isZero();
  }

  @Test
  void servesHttpsFromAPkcs12Keystore() throws Exception {
    Path store = temp.resolve("reckon.p12");
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "reckon", "-keyalg", "EC",
        "-groupname", "secp256r1", "-validity", "2", "-dname", "CN=localhost",
        "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-storetype", "PKCS12",
        "-keystore", store.toString(), "-storepass", "changeit-test")
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    KeyStore trust = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      trust.load(in, "changeit-test".toCharArray());
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(
        TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext client = SSLContext.getInstance("TLS");
    client.init(null, tmf.getTrustManagers(), null);
    HttpClient https = HttpClient.newBuilder().sslContext(client)
        .connectTimeout(Duration.ofSeconds(10)).build();
    try (ReckonServer s = TestServers.start(ConfigFactory.parseString(
        "reckon.serve.tls { keystore = \"" + store.toString().replace("\\", "/")
            + "\", password = \"changeit-test\" }"), TestServers.settings())) {
      HttpResponse<String> r = https.send(HttpRequest.newBuilder(
              URI.create("https://127.0.0.1:" + s.port() + "/health"))
          .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Strict-Transport-Security")).isPresent();
    }
    // A wrong password is one line naming the setting, before anything starts.
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> TestServers.start(
        ConfigFactory.parseString("reckon.serve.tls { keystore = \""
            + store.toString().replace("\\", "/") + "\", password = wrong }"),
        TestServers.settings()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reckon.serve.tls");
  }
}
