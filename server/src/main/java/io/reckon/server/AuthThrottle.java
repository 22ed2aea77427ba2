package io.reckon.server;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Failed authentications per client address: past {@code max} failures within a window the
 * address is refused (429) until its window ends, so that a token cannot be guessed at line rate.
 * A fixed window per address, started by its first failure; a success forgets the address. The
 * table is bounded: past {@link #MAX_ADDRESSES} entries the expired ones go, and if that is not
 * enough the whole table (a flood of addresses is an attack on memory, not on the token).
 */
final class AuthThrottle {
  static final int MAX_ADDRESSES = 100_000;

  private record Window(long start, int failures) {}

  private final int max;
  private final long windowNanos;
  private final LongSupplier clock;
  private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

  AuthThrottle(int max, Duration window) {
    this(max, window, System::nanoTime);
  }

  AuthThrottle(int max, Duration window, LongSupplier clock) {
    this.max = max;
    this.windowNanos = window.toNanos();
    this.clock = clock;
  }

  /** How long the address must wait before it may try again; zero when it may now. */
  Duration blockedFor(String address) {
    Window w = windows.get(address);
    if (w == null) {
      return Duration.ZERO;
    }
    long left = w.start() + windowNanos - clock.getAsLong();
    if (left <= 0) {
      windows.remove(address, w);
      return Duration.ZERO;
    }
    return w.failures() >= max ? Duration.ofNanos(left) : Duration.ZERO;
  }

  void failed(String address) {
    if (windows.size() >= MAX_ADDRESSES) {
      long now = clock.getAsLong();
      windows.values().removeIf(w -> w.start() + windowNanos - now <= 0);
      if (windows.size() >= MAX_ADDRESSES) {
        windows.clear();
      }
    }
    long now = clock.getAsLong();
    windows.compute(address, (a, w) -> w == null || w.start() + windowNanos - now <= 0
        ? new Window(now, 1) : new Window(w.start(), w.failures() + 1));
  }

  void succeeded(String address) {
    windows.remove(address);
  }
}
