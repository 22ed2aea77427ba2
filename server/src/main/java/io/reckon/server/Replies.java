package io.reckon.server;

import io.reckon.protocol.Candidate;
import io.reckon.protocol.Compute;
import io.reckon.protocol.QuestionResult;
import io.reckon.protocol.openai.ReckonInfo;
import io.reckon.protocol.openai.Usage;
import io.reckon.search.Answers;
import io.reckon.search.task.AnswerClasses;
import io.reckon.search.task.Task;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Turns a question's result into what an OpenAI reply carries: the choices, usage, extension. */
public final class Replies {

  /** Candidates listed in the {@code reckon} extension at most (the best ones). */
  static final int MAX_LISTED = 64;

  private Replies() {}

  /** One returned choice: an answer of the final vote and the best solution that reached it. */
  public record Ranked(String answer, String text, double weight) {}

  /**
   * The distinct answers of the final vote, the selected one first, then by their summed weight
   * (the PRM score; 1 for an unscored candidate), at most {@code n}; each with the text of its
   * best-scored solution, cut at the first stop sequence. Answers are distinct under the task's
   * equivalence ({@code \\frac12} and {@code 0.5} are one answer for {@code math}), and a
   * solution's steps are joined with the task's step delimiter, as the model wrote them.
   */
  public static List<Ranked> top(QuestionResult r, int n, List<String> stop, Task task) {
    List<String> answers = new ArrayList<>(r.candidates().size() + 1);
    for (Candidate c : r.candidates()) {
      answers.add(c.answer());
    }
    AnswerClasses classes = task.classes(answers);
    List<List<Candidate>> byClass = new ArrayList<>();
    for (int k = 0; k < classes.count(); k++) {
      byClass.add(new ArrayList<>());
    }
    for (int i = 0; i < r.candidates().size(); i++) {
      if (classes.classOf(i) >= 0) {
        byClass.get(classes.classOf(i)).add(r.candidates().get(i));
      }
    }
    int selected = classes.find(r.answer(), task.equivalence());
    List<Ranked> ranked = new ArrayList<>();
    List<Integer> classOfRanked = new ArrayList<>();
    for (int k = 0; k < byClass.size(); k++) {
      double weight = 0;
      Candidate best = null;
      for (Candidate c : byClass.get(k)) {
        weight += weightOf(c);
        if (best == null || score(c) > score(best)) {
          best = c;
        }
      }
      ranked.add(new Ranked(best.answer(),
          cut(String.join(task.stepDelimiter(), best.steps()), stop), weight));
      classOfRanked.add(k);
    }
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < ranked.size(); i++) {
      order.add(i);
    }
    order.sort(Comparator.comparing((Integer i) -> classOfRanked.get(i) != selected)
        .thenComparing(Comparator.comparingDouble((Integer i) -> ranked.get(i).weight()).reversed()));
    List<Ranked> sorted = new ArrayList<>();
    for (int i : order) {
      sorted.add(ranked.get(i));
    }
    ranked.clear();
    ranked.addAll(sorted);
    if (ranked.isEmpty()) {
      // No candidate reached an answer: the best attempt's text, so the client sees something.
      String text = r.candidates().stream()
          .max(Comparator.comparingDouble(Replies::score))
          .map(c -> String.join(task.stepDelimiter(), c.steps()))
          .orElse(r.answer() == null ? "" : Answers.MARKER + " " + r.answer());
      ranked.add(new Ranked(r.answer(), cut(text, stop), 0));
    }
    return ranked.subList(0, Math.min(n, ranked.size()));
  }

  private static double weightOf(Candidate c) {
    return Double.isFinite(c.score()) ? c.score() : 1.0;
  }

  private static double score(Candidate c) {
    return Double.isFinite(c.score()) ? c.score() : -1.0;
  }

  /** The text up to the first occurrence of any stop sequence. */
  static String cut(String text, List<String> stop) {
    int end = text.length();
    if (stop != null) {
      for (String s : stop) {
        if (s != null && !s.isEmpty()) {
          int i = text.indexOf(s);
          if (i >= 0 && i < end) {
            end = i;
          }
        }
      }
    }
    return text.substring(0, end);
  }

  public static Usage usage(QuestionResult r) {
    Compute c = r.compute() == null ? Compute.ZERO : r.compute();
    return new Usage(c.promptTokens(), c.generatedTokens(), c.promptTokens() + c.generatedTokens());
  }

  public static ReckonInfo info(QuestionResult r, boolean pooled) {
    Compute c = r.compute() == null ? Compute.ZERO : r.compute();
    List<ReckonInfo.Scored> listed = new ArrayList<>();
    r.candidates().stream()
        .sorted(Comparator.comparingDouble(Replies::score).reversed())
        .limit(MAX_LISTED)
        .forEach(k -> listed.add(new ReckonInfo.Scored(k.answer(),
            Double.isFinite(k.score()) ? k.score() : null, k.source(), String.join("\n", k.steps()))));
    return new ReckonInfo(r.strategy(), r.bin(), r.difficulty(), r.granted(), r.spent(),
        c.verifierTokens(), c.flops(), pooled, listed);
  }

  /** OpenAI's finish reason: {@code length} when a deadline cut the search short. */
  public static String finishReason(QuestionResult r) {
    return QuestionResult.TRUNCATED.equals(r.status()) ? "length" : "stop";
  }
}
