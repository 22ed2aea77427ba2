package io.reckon.search;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** How a solution's per-step PRM scores become one score. The paper found {@code last} best. */
public enum Aggregation {
  LAST,
  MIN,
  PROD;

  /** {@code NaN} for a solution with no scored step. */
  public double apply(List<Double> stepScores) {
    if (stepScores.isEmpty()) {
      return Double.NaN;
    }
    return switch (this) {
      case LAST -> stepScores.get(stepScores.size() - 1);
      case MIN -> stepScores.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
      case PROD -> stepScores.stream().mapToDouble(Double::doubleValue).reduce(1.0, (a, b) -> a * b);
    };
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Aggregation parse(String text) {
    for (Aggregation a : values()) {
      if (a.label().equals(text.strip().toLowerCase(Locale.ROOT))) {
        return a;
      }
    }
    throw new IllegalArgumentException(
        "unknown aggregation '" + text + "': allowed values are " + allowed());
  }

  static String allowed() {
    return Arrays.stream(values()).map(Aggregation::label).collect(Collectors.joining(", "));
  }
}
