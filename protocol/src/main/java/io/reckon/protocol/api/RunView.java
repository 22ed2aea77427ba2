package io.reckon.protocol.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.reckon.protocol.Compute;
import io.reckon.protocol.RunStatus;
import io.reckon.protocol.RunSummary;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/runs/{id}}: where the run stands, from its journal.
 *
 * @param status the run's status (state, done of questions, ...)
 * @param accuracy accuracy over the graded questions so far; {@code null} when none is graded
 * @param levels by data-set level ("0" = none): counts, accuracy, generations granted and spent
 * @param bins by predicted-difficulty bin ("0" = no policy): the same; where the scheduler put budget
 * @param compute compute the finished questions spent
 * @param pool the run's pool: {@code total} is budget x questions; granted and spent so far
 *     (once it has ended: the scheduler's own books)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunView(
    RunStatus status,
    Double accuracy,
    Map<String, Slice> levels,
    Map<String, Slice> bins,
    Compute compute,
    RunSummary.Pool pool) {

  /** Finished questions of one level or bin. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Slice(int done, int graded, int correct, Double accuracy, long granted, long spent) {}

  /** {@code GET /v1/runs}. */
  public record Listing(List<RunStatus> runs) {}
}
