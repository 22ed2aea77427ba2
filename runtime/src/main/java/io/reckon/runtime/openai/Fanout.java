package io.reckon.runtime.openai;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/** One HTTP call per request of a batch, concurrently, replies in request order. */
final class Fanout {
  private Fanout() {}

  /** Daemon threads for blocking HTTP calls; the per-server limit bounds what is in flight. */
  static ExecutorService pool(String name, int threads) {
    AtomicInteger n = new AtomicInteger();
    return Executors.newFixedThreadPool(
        threads,
        r -> {
          Thread t = new Thread(r, name + "-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }

  /**
   * {@code call} applied to every element, on {@code pool} when there is more than one. The
   * first failure fails the whole batch (the others are cancelled); an {@link OpenAiException}
   * is rethrown as it was.
   */
  static <T, R> List<R> map(ExecutorService pool, List<T> batch, Function<T, R> call, URI endpoint) {
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
}
