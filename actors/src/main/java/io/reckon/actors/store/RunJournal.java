package io.reckon.actors.store;

import io.reckon.actors.RunEntity;
import io.reckon.protocol.QuestionResult;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Reads runs from the journal, with no actor involved: a run's events (live, or up to now), its
 * results, and the ids of every run in the store. The results file of {@code reckon run}, {@code
 * reckon results} and the HTTP results and event streams are views of these.
 */
public final class RunJournal {
  private static final String PREFIX = RunEntity.ENTITY_TYPE + "|";

  private final JdbcReadJournal journal;
  private final ActorSystem<?> system;

  public RunJournal(ActorSystem<?> system) {
    this.system = system;
    this.journal = PersistenceQuery.get(system)
        .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
  }

  /** Every event of the run from {@code fromSequenceNr} on, then live ones as they are written. */
  public Source<EventEnvelope, NotUsed> events(String runId, long fromSequenceNr) {
    return journal.eventsByPersistenceId(pid(runId), fromSequenceNr, Long.MAX_VALUE);
  }

  /** The run's events from {@code fromSequenceNr} up to the last one written now. */
  public Source<EventEnvelope, NotUsed> currentEvents(String runId, long fromSequenceNr) {
    return journal.currentEventsByPersistenceId(pid(runId), fromSequenceNr, Long.MAX_VALUE);
  }

  /** The results written so far, in the order the questions finished. */
  public Source<QuestionResult, NotUsed> currentResults(String runId) {
    return currentEvents(runId, 1)
        .map(EventEnvelope::event)
        .filter(e -> e instanceof RunEntity.QuestionFinished)
        .map(e -> ((RunEntity.QuestionFinished) e).result());
  }

  /** The ids of every run in the store, sorted (which sorts them by start time). */
  public CompletionStage<List<String>> runIds() {
    return journal.currentPersistenceIds()
        .filter(id -> id.startsWith(PREFIX))
        .map(id -> id.substring(PREFIX.length()))
        .runWith(Sink.seq(), system)
        .thenApply(ids -> ids.stream().sorted().toList());
  }

  private static String pid(String runId) {
    return RunEntity.persistenceId(runId).id();
  }
}
