package io.reckon.server.kafka;

import io.reckon.actors.RunEntity;
import io.reckon.protocol.QuestionResult;
import io.reckon.protocol.RunStatus;
import io.reckon.server.ApiException;
import io.reckon.server.OpenRuns;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The stream runs as the runs API and the dashboard see them: run id {@code stream.<name>}, one
 * {@code QuestionFinished} per journaled answer, always running (a stream has no end).
 */
final class StreamRunsView implements OpenRuns {
  static final String ID_PREFIX = "stream.";

  private final ActorSystem<?> system;
  private final JdbcReadJournal journal;
  private final int budget;
  private final Predicate<String> live;

  /** @param live whether the run of this name is live on this node now */
  StreamRunsView(ActorSystem<?> system, int budget, Predicate<String> live) {
    this.system = system;
    this.journal = PersistenceQuery.get(system)
        .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    this.budget = budget;
    this.live = live;
  }

  @Override
  public boolean owns(String runId) {
    return runId.startsWith(ID_PREFIX);
  }

  @Override
  public CompletionStage<List<RunStatus>> list() {
    return journal.currentPersistenceIds()
        .filter(id -> id.startsWith(StreamRun.PREFIX))
        .mapAsync(4, id -> status(ID_PREFIX + id.substring(StreamRun.PREFIX.length())))
        .runWith(Sink.seq(), system);
  }

  @Override
  public CompletionStage<RunStatus> status(String runId) {
    String name = runId.substring(ID_PREFIX.length());
    return events(runId, 1, false).runWith(Sink.fold(new Tally(), Tally::add), system)
        .thenCompose(t -> t.done == 0
            ? CompletableFuture.failedFuture(
                ApiException.notFound("run_not_found", "unknown run id " + runId))
            : CompletableFuture.completedFuture(new RunStatus(runId, t.started, RunStatus.RUNNING,
                live.test(name), "stream", budget, t.done, t.done, t.failed, t.graded, t.correct,
                t.generations, null)));
  }

  @Override
  public Source<EventEnvelope, NotUsed> events(String runId, long from, boolean follow) {
    String pid = StreamRun.persistenceId(runId.substring(ID_PREFIX.length())).id();
    Source<EventEnvelope, NotUsed> source = follow
        ? journal.eventsByPersistenceId(pid, from, Long.MAX_VALUE)
        : journal.currentEventsByPersistenceId(pid, from, Long.MAX_VALUE);
    // The n-th answer is question n-1 of the run, as a RunEntity event, so that every view of a
    // durable run reads it unchanged.
    return source.map(e -> new EventEnvelope(e.offset(), e.persistenceId(), e.sequenceNr(),
        new RunEntity.QuestionFinished((int) e.sequenceNr() - 1,
            ((StreamRun.Answered) e.event()).result(), (int) e.sequenceNr()),
        e.timestamp()));
  }

  private static final class Tally {
    Instant started;
    int done;
    int failed;
    int graded;
    int correct;
    long generations;

    Tally add(EventEnvelope e) {
      if (started == null) {
        started = Instant.ofEpochMilli(e.timestamp());
      }
      QuestionResult r = ((RunEntity.QuestionFinished) e.event()).result();
      done++;
      failed += r.failed() ? 1 : 0;
      if (r.correct() != null) {
        graded++;
        correct += r.correct() ? 1 : 0;
      }
      generations += r.spent();
      return this;
    }
  }
}
