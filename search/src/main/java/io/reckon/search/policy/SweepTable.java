package io.reckon.search.policy;

import java.util.List;

/**
 * What a sweep measured: for every question, configuration and budget, the question's expected
 * correctness (0 or 1 for one run; a fraction when averaged over resamples). {@code NaN} marks a
 * configuration that cannot run at that budget (e.g. a beam width that does not divide it).
 */
public final class SweepTable {
  private final List<String> questions;
  private final List<String> configs;
  private final List<Integer> budgets;
  private final double[][][] correct;

  /** {@code correct[question][config][budget]}, in the order of the three lists. */
  public SweepTable(
      List<String> questions, List<String> configs, List<Integer> budgets, double[][][] correct) {
    this.questions = List.copyOf(questions);
    this.configs = List.copyOf(configs);
    this.budgets = List.copyOf(budgets);
    if (correct.length != questions.size()) {
      throw new IllegalArgumentException("rows must match questions");
    }
    for (double[][] row : correct) {
      if (row.length != configs.size()) {
        throw new IllegalArgumentException("each row needs one entry per configuration");
      }
      for (double[] perBudget : row) {
        if (perBudget.length != budgets.size()) {
          throw new IllegalArgumentException("each entry needs one value per budget");
        }
      }
    }
    this.correct = correct;
  }

  public List<String> questions() {
    return questions;
  }

  public List<String> configs() {
    return configs;
  }

  public List<Integer> budgets() {
    return budgets;
  }

  public double correct(int question, int config, int budget) {
    return correct[question][config][budget];
  }

  /** Mean correctness of one configuration at one budget over some questions; NaN if it cannot run. */
  public double accuracy(int[] questionIdx, int config, int budget) {
    if (questionIdx.length == 0) {
      return Double.NaN;
    }
    double sum = 0;
    for (int q : questionIdx) {
      double v = correct[q][config][budget];
      if (Double.isNaN(v)) {
        return Double.NaN;
      }
      sum += v;
    }
    return sum / questionIdx.length;
  }
}
