package io.reckon.server;

import io.reckon.search.FairShare;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The bound on work in flight plus waiting, counted in generations (a request's budget, a run's
 * budget × the questions it may have in flight), so that one client's {@code @256} request weighs
 * as much as 256 others' {@code @1}. OpenAI requests, run questions and Kafka records share it.
 * Between API keys it is shared by weight ({@link FairShare}); a key may also have a daily quota.
 * A refused request gets a {@link Refusal} (429 with {@code Retry-After}, naming the limit);
 * nothing admitted is dropped. Each admission is a {@link Grant}, released exactly once.
 */
public final class Admission {

  /** Why a request was not admitted: what the client is told and when to retry. */
  public static final class Refusal extends RuntimeException {
    private final transient ApiException error;
    private final Duration retryAfter;

    Refusal(ApiException error, Duration retryAfter) {
      super(error.getMessage(), null, false, false);
      this.error = error;
      this.retryAfter = retryAfter;
    }

    public ApiException error() {
      return error;
    }

    public Duration retryAfter() {
      return retryAfter;
    }

    /** The client's answer: the error, with {@code Retry-After} in whole seconds. */
    public org.apache.pekko.http.javadsl.model.HttpResponse response() {
      return Errors.response(error).addHeader(
          org.apache.pekko.http.javadsl.model.headers.RawHeader.create(
              "Retry-After", Long.toString(seconds(retryAfter))));
    }
  }

  /** Generations held for one request or run, until {@link #release()}. */
  public final class Grant {
    private final String key;
    private final long generations;
    private final AtomicBoolean released = new AtomicBoolean();

    private Grant(String key, long generations) {
      this.key = key;
      this.generations = generations;
    }

    /** Gives the generations back; any later call does nothing. */
    public void release() {
      if (released.compareAndSet(false, true)) {
        synchronized (Admission.this) {
          fair.release(key, generations);
        }
        held.addAndGet(-generations);
        Usage u = usage.get(key);
        if (u != null) {
          u.held.addAndGet(-generations);
        }
      }
    }

    public boolean released() {
      return released.get();
    }

    public long generations() {
      return generations;
    }

    public String key() {
      return key;
    }
  }

  /** One key's books since the server started (and today's generations for its quota). */
  public static final class Usage {
    final String key;
    final AtomicLong admitted = new AtomicLong();
    final AtomicLong generations = new AtomicLong();
    final AtomicLong held = new AtomicLong();
    final AtomicLong refusedPool = new AtomicLong();
    final AtomicLong refusedShare = new AtomicLong();
    final AtomicLong refusedQuota = new AtomicLong();
    final AtomicLong cancelled = new AtomicLong();
    LocalDate day;
    long today;

    Usage(String key) {
      this.key = key;
    }

    public String key() {
      return key;
    }

    public long admitted() {
      return admitted.get();
    }

    public long generations() {
      return generations.get();
    }

    public long held() {
      return held.get();
    }

    public long refusedPool() {
      return refusedPool.get();
    }

    public long refusedShare() {
      return refusedShare.get();
    }

    public long refusedQuota() {
      return refusedQuota.get();
    }

    public long cancelled() {
      return cancelled.get();
    }

    public synchronized long today(LocalDate now) {
      return now.equals(day) ? today : 0;
    }
  }

  /** Kafka's records and other work that carries no API key. */
  public static final ApiKeys.Key INTERNAL = new ApiKeys.Key("internal", new byte[0], 1, null);

  private final long capacity;
  private final int averageBudget;
  private final Duration retryAfter;
  private final Clock clock;
  private final FairShare fair;
  private final AtomicLong held = new AtomicLong();
  private final Map<String, Usage> usage = new ConcurrentHashMap<>();
  /** The Kafka front door's grants, released in order by {@link #release(int)}. */
  private final java.util.Deque<Grant> anonymous = new java.util.concurrent.ConcurrentLinkedDeque<>();
  private volatile boolean closed;

  /** {@code limit} requests of {@code averageBudget} generations each, as {@code max-pending} says. */
  public Admission(int limit, int averageBudget, Duration fairWindow, Duration retryAfter,
      Clock clock, LongSupplier nanos) {
    if (limit < 1) {
      throw new IllegalArgumentException("reckon.serve.max-pending must be >= 1, was " + limit);
    }
    this.averageBudget = Math.max(1, averageBudget);
    this.capacity = (long) limit * this.averageBudget;
    this.retryAfter = retryAfter;
    this.clock = clock;
    this.fair = new FairShare(capacity, fairWindow.toNanos(), nanos);
  }

  public Admission(int limit, int averageBudget, Duration fairWindow, Duration retryAfter) {
    this(limit, averageBudget, fairWindow, retryAfter, Clock.systemUTC(), System::nanoTime);
  }

  /** A bound of {@code limit} single-generation requests (tests and tools). */
  public Admission(int limit) {
    this(limit, 1, Duration.ofSeconds(5), Duration.ofSeconds(1));
  }

  /**
   * Admits {@code generations} for {@code key} or throws a {@link Refusal}. A request larger than
   * the whole pool is charged the whole pool: it waits for an empty pool instead of never running.
   */
  public Grant acquire(ApiKeys.Key key, long generations) {
    if (closed) {
      throw new Refusal(new ApiException(503, "server_error", null, "shutting_down",
          "the server is shutting down; retry in a moment or on another instance"), retryAfter);
    }
    long g = Math.max(1, Math.min(generations, capacity));
    Usage u = usage(key.name());
    if (key.dailyQuota() != null) {
      synchronized (u) {
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        if (!today.equals(u.day)) {
          u.day = today;
          u.today = 0;
        }
        if (u.today + generations > key.dailyQuota()) {
          u.refusedQuota.incrementAndGet();
          long untilMidnight = Duration.between(clock.instant(),
              today.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC)).toSeconds() + 1;
          throw new Refusal(new ApiException(429, "requests", null, "quota_exceeded",
              "key " + key.name() + " has used " + u.today + " of its daily quota of "
                  + key.dailyQuota() + " generations (this request needs " + generations
                  + "); the quota resets at 00:00 UTC"), Duration.ofSeconds(untilMidnight));
        }
        u.today += generations;
      }
    }
    FairShare.Outcome outcome;
    synchronized (this) {
      outcome = fair.tryAcquire(key.name(), key.weight(), g);
    }
    if (outcome != FairShare.Outcome.ADMITTED) {
      if (key.dailyQuota() != null) {
        synchronized (u) {
          u.today -= generations;
        }
      }
      if (outcome == FairShare.Outcome.OVER_SHARE) {
        u.refusedShare.incrementAndGet();
        throw new Refusal(new ApiException(429, "requests", null, "rate_limit_exceeded",
            "key " + key.name() + " holds its fair share of the service (" + fair.held(key.name())
                + " generations in flight, weight " + key.weight() + ") while other keys "
                + "wait: retry after " + seconds(retryAfter) + " s"), retryAfter);
      }
      u.refusedPool.incrementAndGet();
      throw new Refusal(new ApiException(429, "requests", null, "rate_limit_exceeded",
          "the server is at its admission limit (" + capacity + " generations in flight and "
              + "waiting, reckon.serve.max-pending × reckon.serve.budget; this request needs "
              + g + "): retry after " + seconds(retryAfter) + " s"), retryAfter);
    }
    held.addAndGet(g);
    u.admitted.incrementAndGet();
    u.generations.addAndGet(generations);
    u.held.addAndGet(g);
    return new Grant(key.name(), g);
  }

  /** Records that a grant's client went away before its answer. */
  public void cancelled(Grant grant) {
    usage(grant.key()).cancelled.incrementAndGet();
  }

  private Usage usage(String key) {
    return usage.computeIfAbsent(key, Usage::new);
  }

  public List<Usage> usage() {
    return new ArrayList<>(usage.values());
  }

  public Usage usage(ApiKeys.Key key) {
    return usage(key.name());
  }

  /** Today's date for quotas. */
  public LocalDate today() {
    return LocalDate.now(clock.withZone(ZoneOffset.UTC));
  }

  private static long seconds(Duration d) {
    return Math.max(1, (d.toMillis() + 999) / 1000);
  }

  /** Takes {@code n} questions of the average budget if they fit; all or nothing; none once closed. */
  public boolean tryAcquire(int n) {
    try {
      anonymous.add(acquire(INTERNAL, (long) n * averageBudget));
      return true;
    } catch (Refusal r) {
      return false;
    }
  }

  /** Releases what one earlier {@link #tryAcquire(int)} of {@code n} took. */
  public void release(int n) {
    for (Grant g : anonymous) {
      if (g.generations() == Math.min((long) n * averageBudget, capacity) && anonymous.remove(g)) {
        g.release();
        return;
      }
    }
  }

  /** Admits nothing more (the server is shutting down); what holds a place keeps it. */
  public void close() {
    closed = true;
  }

  public boolean closed() {
    return closed;
  }

  /** Generations held now. */
  public long held() {
    return held.get();
  }

  /** Generations the pool admits at once. */
  public long limit() {
    return capacity;
  }

  public int averageBudget() {
    return averageBudget;
  }
}
