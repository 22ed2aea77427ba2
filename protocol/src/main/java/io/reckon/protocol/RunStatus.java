package io.reckon.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * Where a durable run stands, as its journal tells it (what {@code reckon runs} lists).
 *
 * @param runId the run's id
 * @param startedAt when it started
 * @param state {@code running} (started, no end event yet: executing somewhere, or waiting for a
 *     resume), {@code finished} or {@code cancelled}
 * @param executing whether it is executing on the node that answered
 * @param strategy the spec's strategy ({@code compute-optimal} under a policy)
 * @param budget generations per question on average
 * @param questions questions in the run
 * @param done questions finished (answered or failed)
 * @param failed finished questions that gave up
 * @param graded finished questions with a known ground truth
 * @param correct graded questions answered correctly
 * @param generations generations the finished questions spent
 * @param endedAt when it finished or was cancelled; {@code null} while running
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunStatus(
    String runId,
    Instant startedAt,
    String state,
    boolean executing,
    String strategy,
    int budget,
    int questions,
    int done,
    int failed,
    int graded,
    int correct,
    long generations,
    Instant endedAt)
    implements CborSerializable {

  public static final String RUNNING = "running";
  public static final String FINISHED = "finished";
  public static final String CANCELLED = "cancelled";

  /** Accuracy over the graded questions so far; {@code NaN} when none is graded. */
  public double accuracy() {
    return graded == 0 ? Double.NaN : (double) correct / graded;
  }

  public boolean ended() {
    return !RUNNING.equals(state);
  }
}
