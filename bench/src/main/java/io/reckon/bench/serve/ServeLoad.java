package io.reckon.bench.serve;

import io.reckon.protocol.Question;
import io.reckon.runtime.Dataset;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Load on a running {@code reckon serve}'s OpenAI endpoint: at each concurrency, that many clients
 * send completions back to back (one question each, a fixed model such as
 * {@code reckon/best-of-n@4}) until {@code requests} are answered; prints requests/s and the
 * latency percentiles. Bounded: every level sends a fixed number of requests to the given URL.
 *
 * <p>Usage: {@code ServeLoad --url http://127.0.0.1:PORT --model reckon/best-of-n@4
 * --concurrency 1,16,64,256 --requests 512 --data data/arith/test.jsonl}
 */
public final class ServeLoad {

  private ServeLoad() {}

  public static void main(String[] args) throws Exception {
    String url = null;
    String model = "reckon/best-of-n@4";
    List<Integer> levels = List.of(1, 16, 64, 256);
    int requests = 512;
    Path data = Path.of("data/arith/test.jsonl");
    for (int i = 0; i < args.length; i += 2) {
      String v = args[i + 1];
      switch (args[i]) {
        case "--url" -> url = v;
        case "--model" -> model = v;
        case "--concurrency" -> levels = Arrays.stream(v.split(",")).map(String::strip)
            .map(Integer::parseInt).toList();
        case "--requests" -> requests = Integer.parseInt(v);
        case "--data" -> data = Path.of(v);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (url == null) {
      throw new IllegalArgumentException("--url is required");
    }
    List<Question> questions = new ArrayList<>(Dataset.read(data));
    Collections.shuffle(questions, new Random(0));
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    System.out.printf(Locale.ROOT, "%-8s %10s %10s %10s %10s %8s%n",
        "clients", "requests", "req/s", "p50 ms", "p99 ms", "429s");
    double single = Double.NaN;
    for (int clients : levels) {
      // A short warm-up at this concurrency (JIT, connections), not counted.
      run(http, url, model, questions, clients, Math.min(clients * 2, 64));
      Result r = run(http, url, model, questions, clients, Math.max(requests, clients * 2));
      if (clients == 1) {
        single = r.perSecond();
      }
      System.out.printf(Locale.ROOT, "%-8d %10d %10.1f %10.1f %10.1f %8d%s%n",
          clients, r.latencies().length, r.perSecond(), r.percentile(50), r.percentile(99),
          r.limited(), Double.isNaN(single) || clients == 1 ? ""
              : String.format(Locale.ROOT, "   x%.1f over 1 client", r.perSecond() / single));
    }
  }

  record Result(long[] latencies, double seconds, int limited) {
    double perSecond() {
      return latencies.length / seconds;
    }

    double percentile(int p) {
      long[] sorted = latencies.clone();
      Arrays.sort(sorted);
      int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
      return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }
  }

  private static Result run(HttpClient http, String url, String model, List<Question> questions,
      int clients, int total) throws Exception {
    AtomicInteger next = new AtomicInteger();
    AtomicInteger limited = new AtomicInteger();
    long[] latencies = new long[total];
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    long start = System.nanoTime();
    try {
      List<Future<?>> running = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        running.add(pool.submit(() -> {
          int i;
          while ((i = next.getAndIncrement()) < total) {
            Question q = questions.get(i % questions.size());
            String body = "{\"model\":\"" + model + "\",\"prompt\":\"" + q.text() + "\"}";
            HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/v1/completions"))
                .timeout(Duration.ofSeconds(120))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            long t0 = System.nanoTime();
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 429) {
              limited.incrementAndGet();
            } else if (r.statusCode() != 200) {
              throw new IllegalStateException("HTTP " + r.statusCode() + ": " + r.body());
            }
            latencies[i] = System.nanoTime() - t0;
          }
          return null;
        }));
      }
      for (Future<?> f : running) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    return new Result(latencies, (System.nanoTime() - start) / 1e9, limited.get());
  }
}
