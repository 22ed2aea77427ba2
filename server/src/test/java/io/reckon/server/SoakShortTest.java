package io.reckon.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The soak benchmark's short form (two minutes: 30 s of warm-up, 90 s measured every 5 s; {@code
 * bench/soak.sh} is the long one): under the whole mix of requests, runs, event streams, hang-ups
 * and cancellations, heap after GC, threads, open files and DB connections do not leak.
 *
 * <p>A slope fails only when its whole 95 % interval lies above its bound: the test must show a
 * leak, not merely fail to rule one out. Measured on 2 cores (2026-12-07): with passivation off
 * (one run entity and its questions kept per run, the leak passivation fixed) the heap grows
 * +4.8 MB a minute [+4.5, +5.0]; as shipped +0.9 [+0.6, +1.2] here and +1.3 [+0.6, +2.0] in a
 * loaded CI run, still settling (the 15-minute soak is flat after its first minute). The heap's
 * bound, 2.5 MB a minute, sits between the two; an earlier rule (the interval contains 0 or ends
 * below 2.0) failed that CI run on noise.
 */
class SoakShortTest {
  @Test
  void heapThreadsFilesAndConnectionsStayFlat() throws Exception {
    // 30 s of load first (classes, JIT, the store's page cache), then 90 s measured.
    Soak.Report r = new Soak().run(Duration.ofSeconds(30), Duration.ofSeconds(90),
        Duration.ofSeconds(5), System.out);
    Soak.Sample last = r.samples().get(r.samples().size() - 1);
    assertThat(last.requests()).as("OpenAI requests answered").isGreaterThan(50);
    assertThat(last.runs()).as("runs").isGreaterThan(10);
    assertThat(last.streams()).as("SSE clients").isGreaterThan(10);
    assertThat(last.hangUps()).as("hung-up requests").isGreaterThan(0);
    assertThat(r.heap().low()).as("heap after GC, MB per minute: " + r.heap()).isLessThan(2.5);
    // A thread or a file kept per run or per request would grow by hundreds a minute here.
    assertThat(r.threads().low()).as("threads per minute: " + r.threads()).isLessThan(2.0);
    assertThat(r.files().low()).as("open files per minute: " + r.files()).isLessThan(3.0);
    // The journal's pool opens connections lazily up to its maximum (config/persistence.conf's
    // maxConnections, 4): within two minutes it may still be growing towards it, which is not a
    // leak. A leak is a count past the maximum, or growth once it is there.
    int maxConnections = 4;
    assertThat(r.samples()).as("DB connections never past the pool's maximum")
        .allMatch(x -> x.dbConnections() <= maxConnections);
    int atMax = (int) r.samples().stream().filter(x -> x.dbConnections() == maxConnections).count();
    assertThat(atMax > 0 || r.connections().containsZero() || r.connections().high() < 0.5)
        .as("DB connections per minute: " + r.connections()).isTrue();
  }
}
