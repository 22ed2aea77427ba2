package io.reckon.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FairShareTest {
  private long now;

  /** Grants in flight: when each ends and what it holds. */
  private record Held(String key, long end, long generations) {}

  /**
   * Two keys, weights 1:3, both always wanting more than the pool: the generations granted over a
   * long stretch split 1:3 (within 10 %), whatever the sizes of their requests.
   */
  @Test
  void saturatedKeysGetTheirWeightedShares() {
    FairShare pool = new FairShare(64, 5, () -> now);
    Random random = new Random(7);
    Deque<Held> running = new ArrayDeque<>();
    long[] granted = new long[2];
    String[] keys = {"light", "heavy"};
    double[] weights = {1, 3};
    long[] sizes = {16, 4}; // the light key asks for more per request: generations are what count
    for (now = 0; now < 20_000; now++) {
      for (var it = running.iterator(); it.hasNext(); ) {
        Held h = it.next();
        if (h.end() <= now) {
          pool.release(h.key(), h.generations());
          it.remove();
        }
      }
      int first = random.nextInt(2); // neither key always asks first
      for (int turn = 0; turn < 2; turn++) {
        int k = (first + turn) % 2;
        while (pool.tryAcquire(keys[k], weights[k], sizes[k]) == FairShare.Outcome.ADMITTED) {
          granted[k] += sizes[k];
          running.add(new Held(keys[k], now + 3 + random.nextInt(8), sizes[k]));
        }
      }
    }
    double ratio = (double) granted[1] / granted[0];
    assertThat(ratio).isBetween(3 * 0.9, 3 * 1.1);
  }

  @Test
  void aLoneKeyBorrowsTheWholePool() {
    FairShare pool = new FairShare(64, 5, () -> now);
    for (int i = 0; i < 16; i++) {
      assertThat(pool.tryAcquire("light", 1, 4)).isEqualTo(FairShare.Outcome.ADMITTED);
    }
    assertThat(pool.tryAcquire("light", 1, 4)).isEqualTo(FairShare.Outcome.POOL_FULL);
    // The heavy key was refused for room: the light key may not take freed room beyond its share.
    assertThat(pool.tryAcquire("heavy", 3, 4)).isEqualTo(FairShare.Outcome.POOL_FULL);
    pool.release("light", 4);
    assertThat(pool.tryAcquire("light", 1, 4)).isEqualTo(FairShare.Outcome.OVER_SHARE);
    assertThat(pool.tryAcquire("heavy", 3, 4)).isEqualTo(FairShare.Outcome.ADMITTED);
  }

  @Test
  void aRequestLargerThanThePoolIsRefusedAsSuch() {
    FairShare pool = new FairShare(64, 5, () -> now);
    assertThat(pool.tryAcquire("a", 1, 65)).isEqualTo(FairShare.Outcome.TOO_LARGE);
    assertThat(pool.used()).isZero();
  }
}
