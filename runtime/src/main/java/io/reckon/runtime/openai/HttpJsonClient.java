package io.reckon.runtime.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JSON over HTTP to a model server, as the completions proposer and the pooling PRM both need it:
 * one pooled {@link HttpClient}, a bearer key, at most {@code max-concurrent-requests} calls in
 * flight per server (shared by every client of this process that talks to the same host and
 * port), and retries with exponential back-off and jitter after a 429, a 5xx, a timeout or a
 * broken connection, honouring the server's {@code Retry-After} (seconds or an HTTP date). Any
 * other status fails at once with the server's answer in the message; so does a body that is not
 * the JSON object the caller expects. {@link #map} sends the calls of a batch concurrently, on
 * threads of this client that only wait for I/O.
 */
final class HttpJsonClient {
  private static final Logger log = LoggerFactory.getLogger(HttpJsonClient.class);
  static final ObjectMapper JSON = new ObjectMapper();

  /** Per server, the permits of its concurrency limit: the lowest any client configured. */
  private static final ConcurrentMap<String, Limit> LIMITS = new ConcurrentHashMap<>();

  /** A semaphore whose size can only go down, to the lowest limit configured for its server. */
  private static final class Limit extends Semaphore {
    private int size;

    Limit(int size) {
      super(size, true);
      this.size = size;
    }

    synchronized Limit atMost(int n) {
      if (n < size) {
        reducePermits(size - n);
        size = n;
      }
      return this;
    }
  }

  private final ServerSettings settings;
  private final HttpClient client;
  private final Limit limit;
  private final ExecutorService pool;

  /** @param threads names the threads that wait for this client's calls */
  HttpJsonClient(ServerSettings settings, String threads) {
    this.settings = settings;
    AtomicInteger n = new AtomicInteger();
    // More threads than the server's limit would only wait for a permit.
    this.pool = Executors.newFixedThreadPool(
        settings.maxConcurrentRequests(),
        r -> {
          Thread t = new Thread(r, threads + "-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    this.limit =
        LIMITS.computeIfAbsent(settings.authority(), k -> new Limit(settings.maxConcurrentRequests()))
            .atMost(settings.maxConcurrentRequests());
    // HTTP/1.1 because inference servers commonly speak only that, and an h2c upgrade costs a trip.
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(settings.connectTimeout())
            .build();
  }

  ServerSettings settings() {
    return settings;
  }

  void close() {
    pool.shutdownNow();
  }

  /**
   * {@code call} applied to every element, concurrently when there is more than one; replies in
   * order. The first failure fails the whole batch (the other calls are cancelled); an {@link
   * OpenAiException} is rethrown as it was.
   */
  <T, R> List<R> map(List<T> batch, Function<T, R> call, URI endpoint) {
    if (batch.size() == 1) {
      return List.of(call.apply(batch.get(0)));
    }
    List<Future<R>> futures = new ArrayList<>(batch.size());
    try {
      for (T item : batch) {
        futures.add(pool.submit(() -> call.apply(item)));
      }
      List<R> replies = new ArrayList<>(batch.size());
      for (Future<R> f : futures) {
        replies.add(f.get());
      }
      return replies;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OpenAiException("interrupted while waiting for " + endpoint, e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new OpenAiException("call to " + endpoint + " failed: " + e.getCause(), e.getCause());
    } finally {
      // One failed call fails the batch; the others need not run on.
      for (Future<R> f : futures) {
        f.cancel(true);
      }
    }
  }

  /**
   * POSTs {@code body} to {@code endpoint} and returns the parsed answer.
   *
   * @param where names the call in messages (request, question, endpoint)
   * @param shape what a usable answer looks like, e.g. {@code a JSON object with 'choices'}
   * @param valid whether the parsed answer has that shape
   */
  JsonNode post(URI endpoint, ObjectNode body, String where, String shape, Predicate<JsonNode> valid) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(endpoint)
            .timeout(settings.requestTimeout())
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
    if (!settings.apiKey().isEmpty()) {
      b.header("Authorization", "Bearer " + settings.apiKey());
    }
    HttpRequest request = b.build();
    for (int attempt = 0; ; attempt++) {
      boolean last = attempt >= settings.maxRetries();
      String failure;
      Duration retryAfter = null;
      try {
        HttpResponse<String> resp = send(request);
        int status = resp.statusCode();
        if (status == 200) {
          return parse(resp.body(), where, shape, valid);
        }
        failure = "HTTP " + status + ": " + excerpt(resp.body());
        if (status != 429 && status < 500) {
          throw new OpenAiException(where + " was refused (not retried): " + failure);
        }
        retryAfter = resp.headers().firstValue("Retry-After").map(HttpJsonClient::retryAfter).orElse(null);
      } catch (HttpTimeoutException e) {
        failure = "timed out (" + e.getMessage() + "; connect-timeout " + settings.connectTimeout()
            + ", request-timeout " + settings.requestTimeout() + ")";
      } catch (ConnectException e) {
        failure = "cannot connect (" + e + ")";
      } catch (IOException e) {
        failure = "I/O error (" + e + ")";
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new OpenAiException(where + " was interrupted", e);
      }
      if (last) {
        throw new OpenAiException(where + " failed after " + (attempt + 1) + " tries; last: " + failure);
      }
      Duration wait = backoff(attempt, retryAfter);
      log.warn("{} failed ({}); try {} of {} in {} ms", where, failure, attempt + 2,
          settings.maxRetries() + 1, wait.toMillis());
      try {
        Thread.sleep(wait.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new OpenAiException(where + " was interrupted", e);
      }
    }
  }

  private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
    limit.acquire();
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } finally {
      limit.release();
    }
  }

  /** initial · 2^attempt with jitter in [50 %, 100 %], never above max-backoff. */
  Duration backoff(int attempt, Duration retryAfter) {
    long max = settings.maxBackoff().toMillis();
    if (retryAfter != null) {
      return Duration.ofMillis(Math.min(max, Math.max(0, retryAfter.toMillis())));
    }
    long base = Math.min(max, settings.initialBackoff().toMillis() << Math.min(attempt, 30));
    // Jitter spreads the retries of many workers that failed together.
    return Duration.ofMillis(base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1));
  }

  /** Retry-After as delay-seconds or an HTTP date (RFC 9110 10.2.3); null when neither. */
  static Duration retryAfter(String header) {
    String h = header.strip();
    try {
      return Duration.ofMillis(Math.round(Double.parseDouble(h) * 1000));
    } catch (NumberFormatException e) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(h, DateTimeFormatter.RFC_1123_DATE_TIME);
        return Duration.between(ZonedDateTime.now(at.getZone()), at);
      } catch (DateTimeParseException e2) {
        return null;
      }
    }
  }

  private static JsonNode parse(String text, String where, String shape, Predicate<JsonNode> valid) {
    try {
      JsonNode node = JSON.readTree(text);
      if (node == null || !valid.test(node)) {
        throw new OpenAiException(
            where + " returned a malformed body (expected " + shape + "): " + excerpt(text));
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new OpenAiException(
          where + " returned a malformed body (not JSON: " + e.getOriginalMessage() + "): " + excerpt(text), e);
    }
  }

  static String excerpt(String s) {
    String t = s == null ? "" : s.strip();
    return t.length() <= 300 ? t : t.substring(0, 300) + "...";
  }
}
