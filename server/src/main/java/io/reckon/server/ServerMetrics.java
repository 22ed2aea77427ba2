package io.reckon.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.reckon.actors.ServiceRun;
import io.reckon.protocol.Compute;
import io.reckon.protocol.QuestionResult;
import io.reckon.protocol.RunSummary;
import io.reckon.protocol.RunSummary.Pool;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What {@code GET /metrics} shows, through Micrometer's Prometheus registry: questions finished
 * and failed, generations, tokens and FLOPs per model, HTTP latency histograms per route, the
 * admission queue, the service pool's books, and the JVM's own metrics.
 */
public final class ServerMetrics implements AutoCloseable {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private final String proposer;
  private final String verifier;
  private final AtomicLong active = new AtomicLong();
  private final AtomicLong waiting = new AtomicLong();
  private final AtomicLong[] books = new AtomicLong[5];
  private final Map<String, AtomicLong> workerGauges = new ConcurrentHashMap<>();
  private static final String[] BOOKS = {"total", "granted", "returned", "remaining", "spent"};

  private final Admission admission;
  private final java.util.Set<String> keysShown = ConcurrentHashMap.newKeySet();

  public ServerMetrics(String proposer, String verifier, Admission admission) {
    this.proposer = proposer;
    this.verifier = verifier;
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    this.admission = admission;
    Gauge.builder("reckon.admission.held", admission, Admission::held)
        .description("generations admitted and not yet answered (in flight plus waiting)")
        .register(registry);
    Gauge.builder("reckon.admission.limit", admission, Admission::limit).register(registry);
    Gauge.builder("reckon.service.active", active, AtomicLong::get)
        .description("questions of the service run searching now").register(registry);
    Gauge.builder("reckon.service.waiting", waiting, AtomicLong::get)
        .description("questions of the service run waiting for a slot").register(registry);
    for (int i = 0; i < BOOKS.length; i++) {
      books[i] = new AtomicLong();
      Gauge.builder("reckon.pool.generations", books[i], AtomicLong::get)
          .description("the service-wide pool's books, in generations")
          .tag("run", "service").tag("book", BOOKS[i]).register(registry);
    }
  }

  /** One question answered, by the OpenAI endpoint ({@code source = openai}) or a run. */
  public void question(QuestionResult r, String source) {
    Counter.builder("reckon.questions.finished").tag("status", r.status()).tag("source", source)
        .register(registry).increment();
    Compute c = r.compute() == null ? Compute.ZERO : r.compute();
    Counter.builder("reckon.generations").tag("model", proposer).register(registry)
        .increment(c.generations());
    tokens(proposer, "prompt", c.promptTokens());
    tokens(proposer, "generated", c.generatedTokens());
    tokens(verifier, "verifier", c.verifierTokens());
    Counter.builder("reckon.flops").tag("model", proposer).register(registry)
        .increment(c.proposerFlops());
    Counter.builder("reckon.flops").tag("model", verifier).register(registry)
        .increment(c.verifierFlops());
  }

  private void tokens(String model, String kind, long n) {
    Counter.builder("reckon.tokens").tag("model", model).tag("kind", kind).register(registry)
        .increment(n);
  }

  public void http(String route, String method, int status, long nanos) {
    Timer.builder("reckon.http.requests")
        .tag("route", route).tag("method", method).tag("status", Integer.toString(status))
        .publishPercentileHistogram()
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  public void status(ServiceRun.Status s) {
    active.set(s.active());
    waiting.set(s.waiting());
    Pool p = s.pool();
    if (p != null) {
      long[] v = {p.total(), p.granted(), p.returned(), p.remaining(), p.spent()};
      for (int i = 0; i < v.length; i++) {
        books[i].set(v[i]);
      }
    }
  }

  /** For the other front doors' meters (the Kafka consumer's), on the same /metrics. */
  public io.micrometer.core.instrument.MeterRegistry registry() {
    return registry;
  }

  /**
   * The workers' ledgers (cumulative since each worker started): batches, failed batches, rows,
   * the largest number of questions in one batch, and how many batches had each size.
   */
  public void workers(List<RunSummary.WorkerStats> stats) {
    for (RunSummary.WorkerStats w : stats) {
      worker("reckon.worker.batches", w, null).set(w.batches());
      worker("reckon.worker.failed.batches", w, null).set(w.failedBatches());
      worker("reckon.worker.rows", w, null).set(w.rows());
      worker("reckon.worker.max.questions.in.batch", w, null).set(w.maxQuestionsInBatch());
      w.batchSizes().forEach((size, n) -> worker("reckon.worker.batch.size", w, size).set(n));
    }
  }

  private AtomicLong worker(String name, RunSummary.WorkerStats w, Integer size) {
    String key = name + "|" + w.worker() + "|" + w.kind() + "|" + size;
    return workerGauges.computeIfAbsent(key, k -> {
      AtomicLong value = new AtomicLong();
      Gauge.Builder<AtomicLong> b = Gauge.builder(name, value, AtomicLong::get)
          .tag("worker", w.worker()).tag("kind", w.kind());
      if (size != null) {
        b.tag("size", Integer.toString(size)).description("batches of this many rows");
      }
      b.register(registry);
      return value;
    });
  }

  public String scrape() {
    keys();
    return registry.scrape();
  }

  /**
   * A gauge read from {@code value} at each scrape (e.g. the event streams open). Held strongly:
   * Micrometer keeps a gauge's object by a weak reference, and a method-reference supplier has no
   * other owner, so after a GC the gauge read NaN (RunLimitsTest saw it in a clean-clone run).
   */
  void gauge(String name, String description, java.util.function.Supplier<Number> value) {
    Gauge.builder(name, value, v -> v.get().doubleValue()).description(description)
        .strongReference(true).register(registry);
  }

  /** Usage per API key, registered the first time a key shows up. */
  private void keys() {
    for (Admission.Usage u : admission.usage()) {
      if (!keysShown.add(u.key())) {
        continue;
      }
      io.micrometer.core.instrument.FunctionCounter.builder("reckon.key.generations", u,
              Admission.Usage::generations)
          .description("generations admitted for the key (budget x questions)")
          .tag("key", u.key()).register(registry);
      String[] outcomes = {"admitted", "refused_pool", "refused_share", "refused_quota",
          "cancelled"};
      java.util.List<java.util.function.ToDoubleFunction<Admission.Usage>> counts = java.util.List.of(
          Admission.Usage::admitted, Admission.Usage::refusedPool, Admission.Usage::refusedShare,
          Admission.Usage::refusedQuota, Admission.Usage::cancelled);
      for (int i = 0; i < outcomes.length; i++) {
        io.micrometer.core.instrument.FunctionCounter.builder("reckon.key.requests", u,
                counts.get(i))
            .description("requests and runs of the key by admission outcome")
            .tag("key", u.key()).tag("outcome", outcomes[i]).register(registry);
      }
      Gauge.builder("reckon.key.held", u, Admission.Usage::held)
          .description("generations the key holds now").tag("key", u.key()).register(registry);
      Gauge.builder("reckon.key.today", u, x -> x.today(admission.today()))
          .description("generations counted against the key's daily quota today (UTC)")
          .tag("key", u.key()).register(registry);
    }
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}
