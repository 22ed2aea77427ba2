package io.reckon.search;

import io.reckon.protocol.Candidate;
import io.reckon.protocol.Question;
import io.reckon.search.task.Task;
import io.reckon.search.task.Tasks;
import java.util.List;
import java.util.Objects;

/**
 * What a strategy is started with.
 *
 * @param budget the grant in generations
 * @param seed every sample the strategy asks for derives its seed from this one
 * @param carried candidates that were already paid for (the probe): they join the final selection
 *     but are not charged again
 * @param firstRequestId request ids start here, so that several strategies of one question (the
 *     probe, then the main search) never share an id
 * @param task the run's task: how answers are extracted from solutions and compared in votes
 */
public record StrategyContext(
    Question question, int budget, long seed, List<Candidate> carried, long firstRequestId,
    Task task) {

  public StrategyContext {
    Objects.requireNonNull(question, "question");
    Objects.requireNonNull(task, "task");
    carried = List.copyOf(carried);
    if (budget < 1 && !(budget == 0 && !carried.isEmpty())) {
      throw new IllegalArgumentException(
          "budget must be >= 1 generation (got " + budget + ")");
    }
  }

  /** A context for the {@link Tasks#ARITH} task. */
  public StrategyContext(
      Question question, int budget, long seed, List<Candidate> carried, long firstRequestId) {
    this(question, budget, seed, carried, firstRequestId, Tasks.ARITH);
  }

  public static StrategyContext of(Question question, int budget, long seed) {
    return new StrategyContext(question, budget, seed, List.of(), 0);
  }

  public static StrategyContext of(Question question, int budget, long seed, Task task) {
    return new StrategyContext(question, budget, seed, List.of(), 0, task);
  }
}
