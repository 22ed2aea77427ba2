package io.reckon.search.task;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The equivalence classes of one candidate set's answers, built once so that a vote never
 * compares the same pair twice. Answers are grouped by {@link AnswerEquivalence#key} first; when
 * keys are not exact, each new key is compared with the representative (first answer) of every
 * class so far and joins the first it is equivalent to, so classes are deterministic in input
 * order even where numeric tolerance makes equivalence not quite transitive.
 */
public final class AnswerClasses {
  private final int[] classOf;
  private final List<String> representatives = new ArrayList<>();
  private final List<Integer> sizes = new ArrayList<>();

  AnswerClasses(List<String> answers, AnswerEquivalence equivalence, int maxComparisons) {
    classOf = new int[answers.size()];
    Map<String, Integer> byKey = new HashMap<>();
    int comparisons = 0;
    for (int i = 0; i < answers.size(); i++) {
      String a = answers.get(i);
      if (a == null) {
        classOf[i] = -1;
        continue;
      }
      String key = equivalence.key(a);
      Integer c = byKey.get(key);
      if (c == null && !equivalence.keysExact()) {
        for (int j = 0; j < representatives.size() && comparisons < maxComparisons; j++) {
          comparisons++;
          if (equivalence.equivalent(representatives.get(j), a)) {
            c = j;
            break;
          }
        }
      }
      if (c == null) {
        c = representatives.size();
        representatives.add(a);
        sizes.add(0);
      }
      byKey.put(key, c);
      classOf[i] = c;
      sizes.set(c, sizes.get(c) + 1);
    }
  }

  /** The class of the i-th answer, or -1 when it is null (no answer). */
  public int classOf(int i) {
    return classOf[i];
  }

  /** Number of classes (distinct answers up to equivalence). */
  public int count() {
    return representatives.size();
  }

  /** The first answer of a class, in input order. */
  public String representative(int c) {
    return representatives.get(c);
  }

  /** Answers in a class. */
  public int size(int c) {
    return sizes.get(c);
  }

  /** The class an answer outside the set would join, or -1 (compares it with each class). */
  public int find(String answer, AnswerEquivalence equivalence) {
    if (answer == null) {
      return -1;
    }
    for (int c = 0; c < representatives.size(); c++) {
      if (equivalence.equivalent(representatives.get(c), answer)) {
        return c;
      }
    }
    return -1;
  }
}
