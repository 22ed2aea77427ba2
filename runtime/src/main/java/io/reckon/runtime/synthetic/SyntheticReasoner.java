package io.reckon.runtime.synthetic;

import io.reckon.protocol.Continuation;
import io.reckon.protocol.GenerateReply;
import io.reckon.protocol.GenerateRequest;
import io.reckon.protocol.Quote;
import io.reckon.protocol.ScoreReply;
import io.reckon.protocol.ScoreRequest;
import io.reckon.runtime.PromptFormat;
import io.reckon.runtime.Proposer;
import io.reckon.runtime.Verifier;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded, deterministic stand-in for a policy model and a PRM on the arithmetic task, for tests
 * and orchestration benchmarks. It solves the expression one operation per step and gets each
 * step wrong with a probability that grows with the question's latent difficulty; a wrong result
 * is carried forward, so it poisons the final answer. Its PRM score is a noisy sigmoid that is
 * higher for steps that are still right. A revision that sees earlier attempts errs less.
 *
 * <p>Everything it returns is a function of the request (seed, row, prefix), never of the batch
 * it arrived in, so results do not depend on how workers batch.
 */
public final class SyntheticReasoner implements Proposer, Verifier {

  /**
   * @param parameters nominal parameter count, for FLOPs
   * @param baseError per-step error on the easiest questions
   * @param difficultyError extra per-step error on the hardest (latent difficulty 1)
   * @param revisionFactor a step's error is multiplied by this when earlier attempts are in view
   * @param prmSeparation half the gap between right and wrong steps' logits
   * @param prmNoise standard deviation of the logit noise
   */
  public record Settings(
      long parameters,
      double baseError,
      double difficultyError,
      double revisionFactor,
      double prmSeparation,
      double prmNoise) {
    public static final Settings DEFAULT = new Settings(1_000_000, 0.02, 0.25, 0.7, 1.2, 1.0);
  }

  private static final int MAX_STEPS = 64;
  private final Settings settings;
  private final PromptFormat format = PromptFormat.ARITH;

  public SyntheticReasoner(Settings settings) {
    this.settings = settings;
  }

  public SyntheticReasoner() {
    this(Settings.DEFAULT);
  }

  @Override
  public String name() {
    return "synthetic";
  }

  @Override
  public void close() {}

  @Override
  public long parameters() {
    return settings.parameters();
  }

  /** Latent difficulty in [0, 1], from the number of operations and the operands' size. */
  static double difficulty(Arithmetic.State s) {
    int ops = s.ops.size();
    long digits = s.values.stream().mapToLong(v -> Long.toString(Math.abs(v)).length()).sum();
    double d = (ops - 1) / 5.0 * 0.7 + Math.min(1.0, digits / (3.0 * (ops + 1))) * 0.3;
    return Math.max(0, Math.min(1, d));
  }

  @Override
  public List<GenerateReply> generate(List<GenerateRequest> batch) {
    List<GenerateReply> replies = new ArrayList<>(batch.size());
    for (GenerateRequest r : batch) {
      replies.add(generate(r));
    }
    return replies;
  }

  private GenerateReply generate(GenerateRequest r) {
    Arithmetic.State question = Arithmetic.parse(r.question());
    if (question == null) {
      throw new IllegalArgumentException(
          "the synthetic reasoner solves only arithmetic questions (like 37*4+129-56) whose steps "
              + "stay within 64 bits, got " + Quote.of(r.question()));
    }
    double error = settings.baseError() + settings.difficultyError() * difficulty(question);
    if (!r.attempts().isEmpty()) {
      error *= settings.revisionFactor();
    }
    int promptTokens = format.prompt(r.question(), r.attempts(), r.prefix()).length();
    List<Continuation> rows = new ArrayList<>(r.samples());
    long generated = 0;
    for (int row = 0; row < r.samples(); row++) {
      SplittableRandom rng = rowRandom(r, row);
      Continuation c = continueFrom(replay(question, r.prefix()), r, error, rng);
      generated += c.tokens();
      rows.add(c);
    }
    long prompt = (long) promptTokens * r.samples();
    return new GenerateReply(
        r.requestId(), rows, prompt, generated, 2.0 * settings.parameters() * (prompt + generated));
  }

  /** Greedy decoding must not depend on the request's seed, only on what the model sees. */
  private static SplittableRandom rowRandom(GenerateRequest r, int row) {
    if (r.temperature() == 0) {
      return new SplittableRandom(
          (r.question() + "|" + r.attempts().size() + "|" + String.join("\n", r.prefix()))
              .hashCode());
    }
    return new SplittableRandom(r.seed() * 31 + row);
  }

  private static Arithmetic.State replay(Arithmetic.State start, List<String> prefix) {
    Arithmetic.State s = start;
    for (String line : prefix) {
      Long claimed = Arithmetic.result(line);
      if (claimed == null || s.done()) {
        return null;
      }
      s = s.apply(claimed);
    }
    return s;
  }

  private Continuation continueFrom(
      Arithmetic.State state, GenerateRequest r, double error, SplittableRandom rng) {
    // Greedy picks the likelier step more often: half the error rate.
    double stepError = r.temperature() == 0 ? error / 2 : error * Math.min(1.5, 0.5 + r.temperature());
    int limit = r.maxSteps() == GenerateRequest.TO_END ? MAX_STEPS : r.maxSteps();
    List<String> steps = new ArrayList<>();
    int tokens = 0;
    double logProb = 0;
    boolean finished = false;
    while (steps.size() < limit) {
      String line;
      if (state == null) {
        line = "A: " + rng.nextInt(1000); // lost track of the expression: guesses
        finished = true;
      } else if (state.done()) {
        line = "A: " + state.value();
        finished = true;
      } else {
        Arithmetic.Step step = state.nextStep();
        long shown = step.result();
        if (rng.nextDouble() < stepError) {
          long delta = 1 + rng.nextInt(9);
          shown += rng.nextBoolean() ? delta : -delta;
          logProb += Math.log(stepError);
        } else {
          logProb += Math.log(1 - stepError);
        }
        line = step.line(shown);
        state = state.apply(shown);
      }
      steps.add(line);
      tokens += line.length() + 1;
      if (finished) {
        break;
      }
    }
    return new Continuation(steps, finished, tokens, logProb);
  }

  @Override
  public List<ScoreReply> score(List<ScoreRequest> batch) {
    List<ScoreReply> replies = new ArrayList<>(batch.size());
    for (ScoreRequest r : batch) {
      replies.add(score(r));
    }
    return replies;
  }

  private ScoreReply score(ScoreRequest r) {
    Arithmetic.State question = Arithmetic.parse(r.question());
    Long truth = question == null ? null : Arithmetic.evaluate(r.question());
    List<List<Double>> all = new ArrayList<>();
    long tokens = 0;
    for (List<String> steps : r.solutions()) {
      tokens += format.prompt(r.question(), List.of(), steps).length();
      List<Double> scores = new ArrayList<>(steps.size());
      Arithmetic.State s = question;
      boolean right = question != null;
      StringBuilder seen = new StringBuilder(r.question());
      for (String line : steps) {
        seen.append('\n').append(line);
        if (right) {
          if (format.isAnswerLine(line)) {
            String answer = line.strip().substring(format.answerMarker().strip().length()).strip();
            right = s.done() && answer.equals(Long.toString(truth));
          } else {
            Long claimed = Arithmetic.result(line);
            right = claimed != null && !s.done() && claimed == s.nextStep().result();
            if (right) {
              s = s.apply(claimed);
            }
          }
        }
        SplittableRandom noise = new SplittableRandom(seen.toString().hashCode());
        double logit =
            (right ? settings.prmSeparation() : -settings.prmSeparation())
                + settings.prmNoise() * gaussian(noise);
        scores.add(1 / (1 + Math.exp(-logit)));
      }
      all.add(scores);
    }
    return new ScoreReply(r.requestId(), all, tokens, 2.0 * settings.parameters() * tokens);
  }

  private static double gaussian(SplittableRandom rng) {
    double u1 = rng.nextDouble();
    double u2 = rng.nextDouble();
    return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
  }
}
