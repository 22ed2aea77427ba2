package io.reckon.actors;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * In a fresh JVM that sees at most 2 cores (as a small container, or this project's development
 * machine): without {@link CommonPool#ensureParallel()} every asynchronous completion (what
 * Pekko's pipeToSelf and ask use) starts a thread of its own; with it they share the common pool.
 */
class CommonPoolTest {

  /** Run in the child JVM: prints how many distinct threads ran 200 asynchronous completions. */
  public static final class Probe {
    public static void main(String[] args) throws Exception {
      if (args.length > 0 && args[0].equals("ensure")) {
        CommonPool.ensureParallel();
      }
      Set<String> threads = ConcurrentHashMap.newKeySet();
      for (int i = 0; i < 200; i++) {
        CompletableFuture.completedFuture(i)
            .handleAsync((v, e) -> threads.add(Thread.currentThread().getName()))
            .get();
      }
      System.out.println(threads.size());
    }
  }

  private static int distinctThreads(boolean ensure) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:ActiveProcessorCount=2", "-cp", System.getProperty("java.class.path"), Probe.class.getName()));
    if (ensure) {
      command.add("ensure");
    }
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(p.waitFor()).as(out).isZero();
    return Integer.parseInt(out.lines().reduce((a, b) -> b).orElseThrow());
  }

  @Test
  void asynchronousCompletionsShareThePoolOnTwoCores() throws Exception {
    assertThat(distinctThreads(false)).as("the JDK's fallback: a thread per completion").isGreaterThan(100);
    assertThat(distinctThreads(true)).isLessThanOrEqualTo(2);
  }
}
