package io.reckon.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AdmissionTest {
  private long nanos;

  private Admission admission(int limit, int budget) {
    return new Admission(limit, budget, Duration.ofNanos(5), Duration.ofSeconds(2),
        Clock.fixed(Instant.parse("2026-12-07T23:59:00Z"), ZoneOffset.UTC), () -> nanos);
  }

  @Test
  void countsGenerationsNotRequests() {
    Admission a = admission(4, 16); // 64 generations
    Admission.Grant big = a.acquire(ApiKeys.DEFAULT, 48);
    a.acquire(ApiKeys.DEFAULT, 16);
    assertThat(a.held()).isEqualTo(64);
    assertThatThrownBy(() -> a.acquire(ApiKeys.DEFAULT, 1))
        .isInstanceOf(Admission.Refusal.class).hasMessageContaining("64 generations");
    big.release();
    big.release(); // a second release gives nothing back twice
    assertThat(a.held()).isEqualTo(16);
  }

  @Test
  void aQuotaRefusalSaysWhenItResets() {
    ApiKeys.Key key = new ApiKeys.Key("k", new byte[32], 1, 10L);
    Admission a = admission(100, 1);
    a.acquire(key, 10).release();
    Admission.Refusal r = org.junit.jupiter.api.Assertions.assertThrows(Admission.Refusal.class,
        () -> a.acquire(key, 1));
    assertThat(r.error().status()).isEqualTo(429);
    assertThat(r.getMessage()).contains("daily quota of 10");
    assertThat(r.retryAfter()).isEqualTo(Duration.ofSeconds(61)); // the clock says 23:59 UTC
  }

  /** The server's admission itself, two keys 1:3, both saturating it: grants split 1:3 ± 10 %. */
  @Test
  void twoSaturatingKeysShareByWeight() {
    Admission a = admission(16, 4); // 64 generations
    List<ApiKeys.Key> keys = List.of(new ApiKeys.Key("one", new byte[32], 1, null),
        new ApiKeys.Key("three", new byte[32], 3, null));
    Random random = new Random(11);
    Deque<long[]> ends = new ArrayDeque<>();
    Deque<Admission.Grant> grants = new ArrayDeque<>();
    long[] granted = new long[2];
    for (nanos = 0; nanos < 20_000; nanos++) {
      while (!ends.isEmpty() && ends.peekFirst()[0] <= nanos) {
        ends.removeFirst();
        grants.removeFirst().release();
      }
      int first = random.nextInt(2);
      for (int t = 0; t < 2; t++) {
        int k = (first + t) % 2;
        long size = k == 0 ? 8 : 2;
        while (true) {
          try {
            Admission.Grant g = a.acquire(keys.get(k), size);
            granted[k] += size;
            // Durations equal for all, so the order of ends is the order of grants.
            ends.addLast(new long[] {nanos + 6});
            grants.addLast(g);
          } catch (Admission.Refusal r) {
            break;
          }
        }
      }
    }
    assertThat((double) granted[1] / granted[0]).isBetween(2.7, 3.3);
  }
}
