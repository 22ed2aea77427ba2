package io.reckon.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.reckon.actors.store.RunIndex;
import io.reckon.runtime.synthetic.SyntheticReasoner;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;

/**
 * The soak benchmark: a {@code reckon serve} on the synthetic backend (in this JVM, so that what
 * is measured is the server's heap, threads, files and connections) under a compressed mix of
 * everything a long-lived server sees: OpenAI requests (plain, streamed, some hung up before the
 * answer), runs (some cancelled midway), SSE clients that connect, resume with Last-Event-ID and
 * drop, listings and probes. Every {@code interval} it prints heap after GC, live threads, open
 * files and the journal pool's connections; at the end the slope of each with its 95 % interval.
 *
 * <p>{@code bench/soak.sh} runs it for up to an hour; {@link SoakShortTest} for two minutes.
 * Run entities passivate after 5 s here (2 min in production), compressing weeks of idle runs.
 */
public final class Soak {

  /** One measurement. */
  public record Sample(double minutes, double heapMb, int threads, long openFiles,
      int dbConnections, long requests, long runs, long streams, long hangUps, long cancels) {}

  /** A least-squares slope per minute and its 95 % interval. */
  public record Slope(double perMinute, double low, double high) {
    boolean containsZero() {
      return low <= 0 && 0 <= high;
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%+.3f per minute, 95 %% interval [%+.3f, %+.3f]",
          perMinute, low, high);
    }
  }

  public record Report(List<Sample> samples, Slope heap, Slope threads, Slope files,
      Slope connections) {}

  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong runs = new AtomicLong();
  private final AtomicLong streams = new AtomicLong();
  private final AtomicLong hangUps = new AtomicLong();
  private final AtomicLong cancels = new AtomicLong();
  private final AtomicBoolean stop = new AtomicBoolean();
  private final List<String> recentRuns = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(10)).build();
  private String base;
  private final String extraConfig;

  /** The soak as the tests and {@code bench/soak.sh} run it. */
  public Soak() {
    this("");
  }

  /** With settings laid over the soak's own (a leak drill: passivation off). */
  Soak(String extraConfig) {
    this.extraConfig = extraConfig;
  }

  public static void main(String[] args) throws Exception {
    Duration length = Duration.parse(args.length > 0 ? args[0] : "PT15M");
    Duration interval = Duration.parse(args.length > 1 ? args[1] : "PT1M");
    Report r = new Soak().run(Duration.ZERO, length, interval, System.out);
    System.out.println("soak: " + r.samples().size() + " samples; first and last:");
    System.out.println("  start " + r.samples().get(0));
    System.out.println("  end   " + r.samples().get(r.samples().size() - 1));
    System.exit(0);
  }

  /**
   * @param warmUp load before the first sample (the short form measures the steady state only)
   */
  public Report run(Duration warmUp, Duration length, Duration interval, java.io.PrintStream out)
      throws Exception {
    Path store = Files.createTempDirectory("reckon-soak-");
    Config config = ConfigFactory.parseString(extraConfig).withFallback(
        ConfigFactory.parseString("pekko.loglevel = ERROR\n"
            + "reckon.store.dir = \"" + store.toString().replace("\\", "/") + "\"\n"
            + "reckon.store.passivate-after = 5s\n"
            + "reckon.serve.max-runs = 4\n"
            + "pekko.coordinated-shutdown.exit-jvm = off\n"))
        .withFallback(ConfigFactory.load());
    ServerSettings settings = ServerSettings.from(config).withAddress("127.0.0.1", 0);
    ReckonServer server = ReckonServer.start(config, settings, new ReckonServer.Backend(
        new SyntheticReasoner(), new SyntheticReasoner(), TestServers.MODELS,
        SearchChoice.PolicySource.none("no policy in the soak"), 2));
    base = "http://127.0.0.1:" + server.port();
    TestServers.awaitReady(server);
    RunIndex index = RunIndex.get(server.system());
    ExecutorService clients = Executors.newFixedThreadPool(9, r -> {
      Thread t = new Thread(r, "soak-client");
      t.setDaemon(true);
      return t;
    });
    long seed = 1;
    for (int i = 0; i < 4; i++) {
      Random random = new Random(seed++);
      clients.submit(() -> loop(random, this::openAi));
    }
    for (int i = 0; i < 2; i++) {
      Random random = new Random(seed++);
      clients.submit(() -> loop(random, this::runs));
    }
    for (int i = 0; i < 2; i++) {
      Random random = new Random(seed++);
      clients.submit(() -> loop(random, this::sse));
    }
    Random lister = new Random(seed);
    clients.submit(() -> loop(lister, this::listings));

    List<Sample> samples = new ArrayList<>();
    Thread.sleep(warmUp.toMillis());
    long start = System.nanoTime();
    long end = start + length.toNanos();
    out.println("minute  heap-after-gc-MB  threads  open-files  db-connections  requests  runs  "
        + "sse-streams  hang-ups  cancels");
    try {
      while (true) {
        Sample s = sample(start, index);
        samples.add(s);
        out.printf(Locale.ROOT, "%6.1f  %16.1f  %7d  %10d  %14d  %8d  %4d  %11d  %8d  %7d%n",
            s.minutes(), s.heapMb(), s.threads(), s.openFiles(), s.dbConnections(), s.requests(),
            s.runs(), s.streams(), s.hangUps(), s.cancels());
        out.flush();
        long next = start + samples.size() * interval.toNanos();
        if (next > end) {
          break;
        }
        Thread.sleep(Math.max(0, (next - System.nanoTime()) / 1_000_000));
      }
    } finally {
      stop.set(true);
      clients.shutdownNow();
      clients.awaitTermination(30, TimeUnit.SECONDS);
      server.close();
    }
    // The first third is the warm-up (classes loading, JIT, the store's page cache filling).
    int settling = Math.max(2, samples.size() / 3);
    List<Sample> steady = samples.size() > settling + 2
        ? samples.subList(settling, samples.size()) : samples;
    Report report = new Report(samples, slope(steady, Sample::heapMb),
        slope(steady, Sample::threads), slope(steady, s -> s.openFiles()),
        slope(steady, Sample::dbConnections));
    out.println("slope (after the first " + (samples.size() - steady.size()) + " samples, "
        + steady.size() + " samples):");
    out.println("  heap after GC (MB): " + report.heap());
    out.println("  threads:            " + report.threads());
    out.println("  open files:         " + report.files());
    out.println("  DB connections:     " + report.connections());
    return report;
  }

  private Sample sample(long start, RunIndex index) {
    for (int i = 0; i < 2; i++) {
      System.gc();
    }
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    int threads = ManagementFactory.getThreadMXBean().getThreadCount();
    long files = -1;
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      files = unix.getOpenFileDescriptorCount();
    }
    return new Sample((System.nanoTime() - start) / 60e9, heap / 1048576.0, threads, files,
        index.connections(), requests.get(), runs.get(), streams.get(), hangUps.get(),
        cancels.get());
  }

  static Slope slope(List<Sample> samples, ToDoubleFunction<Sample> y) {
    int n = samples.size();
    if (n < 3) {
      return new Slope(0, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
    }
    double mx = 0;
    double my = 0;
    for (Sample s : samples) {
      mx += s.minutes();
      my += y.applyAsDouble(s);
    }
    mx /= n;
    my /= n;
    double sxx = 0;
    double sxy = 0;
    for (Sample s : samples) {
      sxx += (s.minutes() - mx) * (s.minutes() - mx);
      sxy += (s.minutes() - mx) * (y.applyAsDouble(s) - my);
    }
    double b = sxy / sxx;
    double ssr = 0;
    for (Sample s : samples) {
      double r = y.applyAsDouble(s) - (my + b * (s.minutes() - mx));
      ssr += r * r;
    }
    double se = Math.sqrt(ssr / (n - 2) / sxx);
    double t = t95(n - 2);
    return new Slope(b, b - t * se, b + t * se);
  }

  /** Student's t, two-sided 95 %, by degrees of freedom. */
  private static double t95(int df) {
    double[] table = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
        2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074,
        2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
    return df <= table.length ? table[df - 1] : df <= 60 ? 2.000 : 1.980;
  }

  // ------------------------------------------------------------------ the clients

  interface Step {
    void run(Random random) throws Exception;
  }

  private void loop(Random random, Step step) {
    while (!stop.get() && !Thread.currentThread().isInterrupted()) {
      try {
        step.run(random);
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        // A refused or cut request is part of the mix; pace and go on.
        try {
          Thread.sleep(50);
        } catch (InterruptedException ie) {
          return;
        }
      }
    }
  }

  private static String question(Random random) {
    return (2 + random.nextInt(40)) + "*" + (2 + random.nextInt(9)) + "+" + random.nextInt(90);
  }

  private HttpResponse<String> post(String path, String json) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(120)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  /** An OpenAI request: chat or completion, sometimes streamed, one in ten hung up early. */
  private void openAi(Random random) throws Exception {
    int budget = 2 + random.nextInt(7);
    String q = question(random);
    boolean chat = random.nextBoolean();
    boolean stream = random.nextInt(4) == 0;
    String body = chat
        ? "{\"model\":\"reckon/best-of-n@" + budget + "\",\"messages\":[{\"role\":\"user\","
            + "\"content\":\"" + q + "\"}],\"stream\":" + stream + "}"
        : "{\"model\":\"reckon/best-of-n@" + budget + "\",\"prompt\":\"" + q + "\",\"stream\":"
            + stream + "}";
    String path = chat ? "/v1/chat/completions" : "/v1/completions";
    if (random.nextInt(10) == 0) {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      try (Socket s = new Socket("127.0.0.1", Integer.parseInt(base.substring(base.lastIndexOf(':') + 1)))) {
        OutputStream out = s.getOutputStream();
        out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
            + "application/json\r\nContent-Length: " + bytes.length + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
        Thread.sleep(random.nextInt(30));
      }
      hangUps.incrementAndGet();
      return;
    }
    post(path, body);
    requests.incrementAndGet();
  }

  /** A run of a few questions; one in four cancelled midway. */
  private void runs(Random random) throws Exception {
    int n = 2 + random.nextInt(10);
    StringBuilder qs = new StringBuilder("[");
    for (int i = 0; i < n; i++) {
      qs.append(i == 0 ? "" : ",").append("{\"id\":\"q").append(i).append("\",\"question\":\"")
          .append(question(random)).append("\"}");
    }
    qs.append(']');
    HttpResponse<String> r = post("/v1/runs", "{\"questions\":" + qs + ",\"strategy\":"
        + "\"best-of-n\",\"budget\":" + (2 + random.nextInt(3)) + "}");
    if (r.statusCode() != 202) {
      Thread.sleep(200); // max-runs: wait as Retry-After says, a little
      return;
    }
    String id = Json.MAPPER.readTree(r.body()).get("id").asText();
    runs.incrementAndGet();
    recentRuns.add(id);
    if (recentRuns.size() > 50) {
      recentRuns.remove(0);
    }
    if (random.nextInt(4) == 0) {
      Thread.sleep(random.nextInt(100));
      http.send(HttpRequest.newBuilder(URI.create(base + "/v1/runs/" + id))
          .timeout(Duration.ofSeconds(60)).DELETE().build(), HttpResponse.BodyHandlers.discarding());
      cancels.incrementAndGet();
    }
    // Wait for it to end (or be cancelled) before the next: max-runs bounds them anyway.
    for (int i = 0; i < 200; i++) {
      JsonNode v = Json.MAPPER.readTree(get("/v1/runs/" + id).body());
      String state = v.at("/status/state").asText(v.at("/state").asText());
      if (!"running".equals(state)) {
        return;
      }
      Thread.sleep(100);
    }
  }

  /** An SSE client: from the start, or resumed after an event, reading a while and dropping. */
  private void sse(Random random) throws Exception {
    if (recentRuns.isEmpty()) {
      Thread.sleep(200);
      return;
    }
    String id = recentRuns.get(random.nextInt(recentRuns.size()));
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/v1/runs/" + id
        + "/events")).timeout(Duration.ofSeconds(30)).GET();
    int kind = random.nextInt(3);
    if (kind == 1) {
      b.header("Last-Event-ID", Integer.toString(1 + random.nextInt(8)));
    } else if (kind == 2) {
      b.header("Last-Event-ID", "9223372036854775807");
    }
    HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    streams.incrementAndGet();
    try (InputStream in = r.body()) {
      byte[] buffer = new byte[4096];
      int limit = random.nextInt(3) == 0 ? Integer.MAX_VALUE : random.nextInt(2000);
      int read = 0;
      int n;
      while (read < limit && (n = in.read(buffer)) >= 0) {
        read += n;
      }
    } // dropped (or ended by the server)
  }

  private void listings(Random random) throws Exception {
    get("/v1/runs");
    get("/ready");
    if (random.nextInt(5) == 0) {
      get("/metrics");
    }
    Thread.sleep(500);
  }
}
