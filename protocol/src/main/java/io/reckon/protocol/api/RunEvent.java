package io.reckon.protocol.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.reckon.protocol.RunSummary;
import java.time.Instant;

/**
 * The data of the Server-Sent Events of {@code GET /v1/runs/{id}/events}; the SSE event name is
 * the record's kind. Journal events carry their sequence number as the SSE id (what
 * {@code Last-Event-ID} resumes from); {@code progress} events carry none.
 */
public sealed interface RunEvent {

  /** {@code started}. */
  record Started(String runId, Instant at, String strategy, int budget, int questions)
      implements RunEvent {}

  /** {@code question}: one finished question. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Question(int index, String id, Integer level, String answer, String expected,
      Boolean correct, String status, long granted, long spent, Integer bin)
      implements RunEvent {}

  /** {@code resumed}: a process continued the run. */
  record Resumed(Instant at, int finished, int restarted) implements RunEvent {}

  /** {@code finished}: the run's summary; the stream ends after it. */
  record Finished(Instant at, RunSummary summary) implements RunEvent {}

  /** {@code cancelled}: the stream ends after it. */
  record Cancelled(Instant at, String reason) implements RunEvent {}
}
