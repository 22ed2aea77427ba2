package io.reckon.search;

import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A weighted fair share of one pool of generations across named clients (API keys), with no I/O:
 * the server's admission asks it whether a request of {@code g} generations may start now.
 *
 * <p>The rule is fair share with borrowing, no pre-emption. A grant is refused when the pool is
 * full. Otherwise a client below its share ({@code capacity × weight / Σ weights} over the
 * contending clients: those that hold generations or were refused for want of room lately, and
 * the asker) is admitted; a client at or past its share is admitted only while no other client
 * has been refused for want of room within {@code window} (idle capacity is lent, never held
 * against a client that wants it). Under saturation every client's holding thus converges to its
 * share, and since generations are what is held, a client's {@code @256} request weighs 256 times
 * another's {@code @1}.
 *
 * <p>Not thread-safe; the caller serialises (the server holds one lock around it).
 */
public final class FairShare {

  /** Why a request was refused, or {@code ADMITTED}. */
  public enum Outcome {
    ADMITTED,
    /** The pool has no room for it now. */
    POOL_FULL,
    /** The client holds its weighted share while another client waits for room. */
    OVER_SHARE,
    /** The request alone asks for more than the whole pool. */
    TOO_LARGE
  }

  private static final class Client {
    double weight;
    long held;
    long starvedAt = Long.MIN_VALUE;
  }

  private final long capacity;
  private final long windowNanos;
  private final LongSupplier clock;
  private final Map<String, Client> clients = new HashMap<>();
  private long used;

  /**
   * @param capacity generations the pool admits at once
   * @param windowNanos how long a refusal for want of room makes a client count as contending
   * @param clock nanoseconds, monotonic ({@code System::nanoTime}; a test passes its own)
   */
  public FairShare(long capacity, long windowNanos, LongSupplier clock) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be >= 1 generation, was " + capacity);
    }
    this.capacity = capacity;
    this.windowNanos = windowNanos;
    this.clock = clock;
  }

  /** Takes {@code generations} for {@code client} (weight {@code weight > 0}) if the rule allows. */
  public Outcome tryAcquire(String client, double weight, long generations) {
    if (!(weight > 0)) {
      throw new IllegalArgumentException("weight must be > 0, was " + weight);
    }
    if (generations > capacity) {
      return Outcome.TOO_LARGE;
    }
    long now = clock.getAsLong();
    Client c = clients.computeIfAbsent(client, k -> new Client());
    c.weight = weight;
    if (used + generations > capacity) {
      c.starvedAt = now;
      return Outcome.POOL_FULL;
    }
    if (c.held + generations > share(c, now) && othersStarved(c, now)) {
      return Outcome.OVER_SHARE;
    }
    c.held += generations;
    used += generations;
    return Outcome.ADMITTED;
  }

  /** Gives back what a grant held (once per grant; the caller makes sure). */
  public void release(String client, long generations) {
    Client c = clients.get(client);
    if (c == null) {
      return;
    }
    c.held = Math.max(0, c.held - generations);
    used = Math.max(0, used - generations);
    if (c.held == 0 && !starved(c, clock.getAsLong())) {
      clients.remove(client); // an idle client costs nothing
    }
  }

  /** {@code client}'s share of the pool now, in generations. */
  public double share(String client) {
    Client c = clients.get(client);
    return c == null ? capacity : share(c, clock.getAsLong());
  }

  private double share(Client asker, long now) {
    double total = asker.weight;
    for (Client c : clients.values()) {
      if (c != asker && contending(c, now)) {
        total += c.weight;
      }
    }
    return capacity * asker.weight / total;
  }

  private boolean contending(Client c, long now) {
    return c.held > 0 || starved(c, now);
  }

  private boolean starved(Client c, long now) {
    return c.starvedAt != Long.MIN_VALUE && now - c.starvedAt <= windowNanos;
  }

  private boolean othersStarved(Client asker, long now) {
    for (Client c : clients.values()) {
      if (c != asker && starved(c, now)) {
        return true;
      }
    }
    return false;
  }

  public long held(String client) {
    Client c = clients.get(client);
    return c == null ? 0 : c.held;
  }

  public long used() {
    return used;
  }

  public long capacity() {
    return capacity;
  }
}
