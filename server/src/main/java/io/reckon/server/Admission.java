package io.reckon.server;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bound on questions in flight plus waiting: a request is admitted only while fewer than
 * {@code limit} are, and holds its place until it is answered. Beyond it the HTTP layer answers
 * 429 with {@code Retry-After} instead of queueing without bound; nothing admitted is dropped.
 */
public final class Admission {
  private final int limit;
  private final AtomicInteger held = new AtomicInteger();
  private volatile boolean closed;

  public Admission(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("reckon.serve.max-pending must be >= 1, was " + limit);
    }
    this.limit = limit;
  }

  /** Takes {@code n} places if they are free; all or nothing; none once closed. */
  public boolean tryAcquire(int n) {
    while (true) {
      if (closed) {
        return false;
      }
      int now = held.get();
      if (now + n > limit) {
        return false;
      }
      if (held.compareAndSet(now, now + n)) {
        return true;
      }
    }
  }

  public void release(int n) {
    held.addAndGet(-n);
  }

  /** Admits nothing more (the server is shutting down); what holds a place keeps it. */
  public void close() {
    closed = true;
  }

  public boolean closed() {
    return closed;
  }

  public int held() {
    return held.get();
  }

  public int limit() {
    return limit;
  }
}
