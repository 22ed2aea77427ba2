package io.reckon.search;

import io.reckon.protocol.Continuation;
import io.reckon.protocol.GenerateReply;
import io.reckon.protocol.GenerateRequest;
import io.reckon.protocol.ScoreReply;
import io.reckon.protocol.ScoreRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A seeded policy model and PRM for the search tests, in the spirit of runtime's synthetic
 * reasoner (search must not depend on runtime, so it cannot use that one). A question of level L
 * takes L steps; each step slips with a probability that grows with L; a slip shifts the final
 * answer (so wrong answers cluster); the PRM's step score is a noisy sigmoid, higher while the
 * path is still right. Replies depend on the request only, never on the batch.
 *
 * <p>Steps read {@code s<i>:ok} or {@code s<i>:<slip>}; the answer line is {@code A: <n>}.
 */
public final class ToyReasoner {
  static final long PROPOSER_PARAMETERS = 1_000;
  static final long VERIFIER_PARAMETERS = 300;

  /** Question text to its (true answer, level). */
  private final Map<String, long[]> questions;

  public ToyReasoner(Map<String, long[]> questions) {
    this.questions = questions;
  }

  private long[] lookup(String question) {
    long[] q = questions.get(question);
    if (q == null) {
      throw new IllegalArgumentException("unknown question " + question);
    }
    return q;
  }

  public List<GenerateReply> generate(List<GenerateRequest> batch) {
    return batch.stream().map(this::generate).toList();
  }

  public List<ScoreReply> score(List<ScoreRequest> batch) {
    return batch.stream().map(this::score).toList();
  }

  private GenerateReply generate(GenerateRequest r) {
    long[] q = lookup(r.question());
    int level = (int) q[1];
    double error = 0.04 + 0.07 * level;
    error *= r.attempts().isEmpty() ? 1.0 : 0.7;
    error *= r.temperature() == 0 ? 0.5 : Math.min(1.5, 0.5 + r.temperature());
    long promptTokens = r.question().length() + 2;
    for (List<String> a : r.attempts()) {
      promptTokens += a.stream().mapToInt(s -> s.length() + 1).sum();
    }
    promptTokens += r.prefix().stream().mapToInt(s -> s.length() + 1).sum();
    List<Continuation> rows = new ArrayList<>();
    long generated = 0;
    for (int row = 0; row < r.samples(); row++) {
      SplittableRandom rng = r.temperature() == 0
          ? new SplittableRandom((r.question() + "|" + r.attempts().size() + "|" + r.prefix()).hashCode())
          : new SplittableRandom(r.seed() * 31 + row);
      Continuation c = continueFrom(r, q, level, error, rng);
      generated += c.tokens();
      rows.add(c);
    }
    long prompt = promptTokens * r.samples();
    return new GenerateReply(r.requestId(), rows, prompt, generated,
        2.0 * PROPOSER_PARAMETERS * (prompt + generated));
  }

  private static Continuation continueFrom(
      GenerateRequest r, long[] q, int level, double error, SplittableRandom rng) {
    int done = r.prefix().size();
    long shift = 0;
    for (String line : r.prefix()) {
      shift += slip(line);
    }
    int limit = r.maxSteps() == GenerateRequest.TO_END ? Integer.MAX_VALUE : r.maxSteps();
    List<String> steps = new ArrayList<>();
    boolean finished = false;
    while (steps.size() < limit && !finished) {
      int i = done + steps.size();
      if (i >= level) {
        steps.add("A: " + (q[0] + shift));
        finished = true;
      } else if (rng.nextDouble() < error) {
        long d = 1 + rng.nextInt(3);
        d = rng.nextBoolean() ? d : -d;
        shift += d;
        steps.add("s" + i + ":" + d);
      } else {
        steps.add("s" + i + ":ok");
      }
    }
    int tokens = steps.stream().mapToInt(s -> s.length() + 1).sum();
    return new Continuation(steps, finished, tokens, -steps.size());
  }

  private static long slip(String line) {
    int colon = line.indexOf(':');
    if (line.startsWith("A") || colon < 0 || line.endsWith(":ok")) {
      return 0;
    }
    return Long.parseLong(line.substring(colon + 1));
  }

  private ScoreReply score(ScoreRequest r) {
    long[] q = lookup(r.question());
    List<List<Double>> all = new ArrayList<>();
    long tokens = 0;
    for (List<String> steps : r.solutions()) {
      tokens += r.question().length() + steps.stream().mapToInt(s -> s.length() + 1).sum();
      List<Double> scores = new ArrayList<>();
      boolean right = true;
      StringBuilder seen = new StringBuilder(r.question());
      for (String line : steps) {
        seen.append('\n').append(line);
        if (line.startsWith("A: ")) {
          right &= Long.parseLong(line.substring(3).strip()) == q[0];
        } else {
          right &= slip(line) == 0;
        }
        SplittableRandom noise = new SplittableRandom(seen.toString().hashCode());
        double logit = (right ? 1.2 : -1.2) + noise.nextGaussian();
        scores.add(1 / (1 + Math.exp(-logit)));
      }
      all.add(scores);
    }
    return new ScoreReply(r.requestId(), all, tokens, 2.0 * VERIFIER_PARAMETERS * tokens);
  }
}
