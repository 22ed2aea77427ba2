package io.reckon.actors;

import java.util.concurrent.ForkJoinPool;

/**
 * Keeps the JDK's common pool at two threads or more on small machines.
 *
 * <p>Pekko's typed {@code pipeToSelf} (and so {@code context.ask}) completes through {@code
 * CompletableFuture.handleAsync} with no executor. When the common pool's parallelism is below 2
 * (a JVM that sees 1 or 2 cores, as a small container or this project's development machine), the
 * JDK runs every such completion on a <em>new thread</em> ({@code CompletableFuture}'s
 * thread-per-task fallback): JFR counted 760 threads started by a cluster coordinator in one
 * 650-question run, one per ask and per model batch, and thread creation was the largest single
 * use of its CPU. With a parallelism of 2 the completions run on the common pool's two threads.
 */
public final class CommonPool {
  static final String PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

  private CommonPool() {}

  /**
   * Sets the common pool's parallelism to 2 unless it is set already, or the machine has more
   * cores (where the JDK's default is 2 or more). Effective only before the common pool is first
   * used, so call it first thing in {@code main}; returns whether the pool is in use without the
   * thread-per-task fallback.
   */
  public static boolean ensureParallel() {
    if (System.getProperty(PARALLELISM) == null && Runtime.getRuntime().availableProcessors() <= 2) {
      System.setProperty(PARALLELISM, "2");
    }
    return ForkJoinPool.getCommonPoolParallelism() > 1;
  }
}
