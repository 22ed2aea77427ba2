package io.reckon.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The soak benchmark's short form (two minutes: 30 s of warm-up, 90 s measured; {@code
 * bench/soak.sh} is the long one): under the
 * whole mix of requests, runs, event streams, hang-ups and cancellations, heap after GC, threads,
 * open files and DB connections do not grow. Generous for a loaded 2-core machine: each slope's
 * 95 % interval contains 0, or its upper end is below a small bound (a leak of one run entity
 * with its questions per run, as before passivation, grows the heap by several MB a minute here).
 */
class SoakShortTest {
  @Test
  void heapThreadsFilesAndConnectionsStayFlat() throws Exception {
    // 30 s of load first (classes, JIT, the store's page cache), then 90 s measured.
    Soak.Report r = new Soak().run(Duration.ofSeconds(30), Duration.ofSeconds(90),
        Duration.ofSeconds(10), System.out);
    Soak.Sample last = r.samples().get(r.samples().size() - 1);
    assertThat(last.requests()).as("OpenAI requests answered").isGreaterThan(50);
    assertThat(last.runs()).as("runs").isGreaterThan(10);
    assertThat(last.streams()).as("SSE clients").isGreaterThan(10);
    assertThat(last.hangUps()).as("hung-up requests").isGreaterThan(0);
    assertThat(r.heap().containsZero() || r.heap().high() < 2.0)
        .as("heap after GC, MB per minute: " + r.heap()).isTrue();
    assertThat(r.threads().containsZero() || r.threads().high() < 2.0)
        .as("threads per minute: " + r.threads()).isTrue();
    assertThat(r.files().containsZero() || r.files().high() < 3.0)
        .as("open files per minute: " + r.files()).isTrue();
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
