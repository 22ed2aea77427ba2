package io.reckon.search;

import static org.assertj.core.api.Assertions.assertThat;

import io.reckon.protocol.Continuation;
import io.reckon.protocol.GenerateRequest;
import io.reckon.protocol.Outcome;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class RebaseTest {
  private static final double LN2 = Math.log(2);

  /** Round 0: row 0 finishes at once; the rest are open steps n0..n6. Later rows all finish. */
  private static final Function<GenerateRequest, List<Continuation>> PROPOSER =
      r -> {
        List<Continuation> rows = new ArrayList<>();
        for (int j = 0; j < r.samples(); j++) {
          if (r.prefix().isEmpty()) {
            rows.add(j == 0 ? Hand.finished("A: 1") : Hand.open("n" + (j - 1)));
          } else {
            rows.add(Hand.finished(r.prefix().get(0) + "." + j, "A: 2"));
          }
        }
        return rows;
      };

  @Test
  void childrenFollowSoftmaxOfScoreOverTbAndSumToTheRemainingWidth() {
    // with tb = 0.1: n0, n1, n2 weigh 1 : 1/2 : 1/4, the four others about 0.0034 each.
    // The width left is 8 - 1 finished = 7; shares 3.97, 1.98, 0.99, 0.013 x 4 -> 4, 2, 1, 0.
    Map<String, Double> prm = new HashMap<>();
    prm.put("n0", 0.5 + 0.1 * LN2);
    prm.put("n1", 0.5);
    prm.put("n2", 0.5 - 0.1 * LN2);
    for (int i = 3; i < 7; i++) {
      prm.put("n" + i, 0.0);
    }
    Hand hand = new Hand(Hand.create("rebase:tb=0.1", 8), PROPOSER, Hand.table(prm, 0.5));
    Outcome o = hand.run();

    GenerateRequest first = hand.generates(0).get(0);
    assertThat(first.samples()).isEqualTo(8);
    assertThat(first.charge()).isEqualTo(8);
    assertThat(first.maxSteps()).isEqualTo(1);

    List<GenerateRequest> expansions = hand.generates(2);
    assertThat(expansions).extracting(GenerateRequest::prefix)
        .containsExactly(List.of("n0"), List.of("n1"), List.of("n2")); // the rest are pruned
    assertThat(expansions).extracting(GenerateRequest::samples).containsExactly(4, 2, 1);
    assertThat(expansions).allSatisfy(g -> assertThat(g.charge()).isZero());

    assertThat(o.candidates()).hasSize(8); // 1 + 7 finished
    assertThat(o.compute().generations()).isEqualTo(8);
    assertThat(o.answer()).isEqualTo("2");
  }

  @Test
  void countsSumToTheRemainingWidthAndTrackTheSoftmaxShares() {
    for (int trial = 0; trial < 200; trial++) {
      SplittableRandom random = new SplittableRandom(trial);
      int n = 1 + random.nextInt(12);
      int total = random.nextInt(40);
      double tb = 0.05 + random.nextDouble();
      List<Double> scores = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        scores.add(random.nextDouble());
      }
      int[] counts = Softmax.apportion(scores, tb, total);
      double[] w = Softmax.weights(scores, tb);
      double max = scores.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
      double sum = scores.stream().mapToDouble(s -> Math.exp((s - max) / tb)).sum();
      int given = 0;
      for (int i = 0; i < n; i++) {
        double share = Math.exp((scores.get(i) - max) / tb) / sum;
        assertThat(w[i]).isCloseTo(share, org.assertj.core.api.Assertions.within(1e-12));
        assertThat((double) counts[i]).isBetween(Math.floor(share * total), Math.ceil(share * total));
        given += counts[i];
      }
      assertThat(given).as("trial %d", trial).isEqualTo(total);
    }
  }
}
