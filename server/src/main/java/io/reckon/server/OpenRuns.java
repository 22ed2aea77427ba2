package io.reckon.server;

import io.reckon.protocol.RunStatus;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Runs that are not {@code RunEntity}s but are shown by the runs API and the dashboard like any
 * other: open-ended runs fed by a stream (the Kafka front door's). Their events come as
 * {@code RunEntity} events ({@code QuestionFinished}), so every view of a run reads them as is.
 */
public interface OpenRuns {
  OpenRuns NONE = new OpenRuns() {
    @Override
    public boolean owns(String runId) {
      return false;
    }

    @Override
    public CompletionStage<List<RunStatus>> list() {
      return CompletableFuture.completedFuture(List.of());
    }

    @Override
    public CompletionStage<RunStatus> status(String runId) {
      return CompletableFuture.failedFuture(new IllegalStateException("no open runs"));
    }

    @Override
    public Source<EventEnvelope, NotUsed> events(String runId, long from, boolean live) {
      return Source.empty();
    }
  };

  /** Whether {@code runId} names one of these runs (by its form, without a lookup). */
  boolean owns(String runId);

  CompletionStage<List<RunStatus>> list();

  /** Fails with a 404 {@link ApiException} for an id it owns but does not know. */
  CompletionStage<RunStatus> status(String runId);

  /** The run's events from {@code from} on: up to now, or live. */
  Source<EventEnvelope, NotUsed> events(String runId, long from, boolean live);
}
