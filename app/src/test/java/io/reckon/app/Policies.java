package io.reckon.app;

import io.reckon.search.policy.DifficultyBins;
import io.reckon.search.policy.Policy;
import java.util.List;
import java.util.Map;

/** Hand-made policies whose choices a test can predict. */
final class Policies {
  private Policies() {}

  /** One configuration per bin at every budget. */
  static final List<String> CHOICE = List.of(
      "best-of-n:sel=weighted,agg=last", "beam:m=4,agg=last", "dvts:m=4,agg=last");

  /**
   * Three predicted bins cut at mean PRM scores 0.4 and 0.6, budgets 4, 8, 16, probe of 4; bin b
   * always chooses {@code CHOICE[b-1]}.
   */
  static Policy handMade(List<String> models) {
    List<Integer> budgets = List.of(4, 8, 16);
    DifficultyBins bins = new DifficultyBins(List.of(0.4, 0.6));
    List<List<Double>> accuracy = List.of(
        List.of(0.9, 0.95, 0.96), List.of(0.5, 0.7, 0.8), List.of(0.1, 0.2, 0.4));
    List<Policy.Bin> table = new java.util.ArrayList<>();
    for (int b = 0; b < 3; b++) {
      String c = CHOICE.get(b);
      table.add(new Policy.Bin(b + 1, List.of(c, c, c), accuracy.get(b), Map.of(c, accuracy.get(b)),
          accuracy.get(b)));
    }
    return new Policy(models, budgets, bins, bins,
        io.reckon.search.policy.DifficultyEstimator.meanScore(0.05), 4, table).validate();
  }
}
