package io.reckon.runtime.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/**
 * An in-process HTTP server on the loopback address (port 0) that answers one path from a
 * script, for the tests of the HTTP backends; it records what it received and how many calls were
 * in flight at once.
 */
public final class StubServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What the stub answers: status, body, a delay before answering, a Retry-After header. */
  public record Answer(int status, String body, long delayMillis, String retryAfter) {
    public static Answer ok(String body) {
      return new Answer(200, body, 0, null);
    }
  }

  private final HttpServer server;
  private final ExecutorService threads;
  public final List<JsonNode> received = new CopyOnWriteArrayList<>();
  public final List<String> authorizations = new CopyOnWriteArrayList<>();
  public final AtomicInteger calls = new AtomicInteger();
  public final AtomicInteger maxInFlight = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  /** The answer to the {@code n}-th call (from 1) with this request body. */
  public volatile BiFunction<JsonNode, Integer, Answer> script;

  public StubServer(String path) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    threads = Executors.newCachedThreadPool();
    server.setExecutor(threads);
    server.createContext(
        path,
        exchange -> {
          int now = inFlight.incrementAndGet();
          maxInFlight.accumulateAndGet(now, Math::max);
          try {
            JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
            received.add(body);
            authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            Answer a = script.apply(body, calls.incrementAndGet());
            try {
              Thread.sleep(a.delayMillis());
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            byte[] bytes = a.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            if (a.retryAfter() != null) {
              exchange.getResponseHeaders().add("Retry-After", a.retryAfter());
            }
            try {
              exchange.sendResponseHeaders(a.status(), bytes.length);
              try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
              }
            } catch (IOException e) {
              // The client gave up (a timeout test): nothing to answer.
            }
          } finally {
            inFlight.decrementAndGet();
          }
        });
    server.start();
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
