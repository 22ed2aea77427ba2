package io.reckon.server;

import io.reckon.protocol.RunStatus;
import io.reckon.protocol.api.RunEvent;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * A run's live Server-Sent Events ({@code GET /v1/runs/{id}/events}): the journal's events with
 * their sequence numbers as ids, a {@code progress} event every second, comments to keep the
 * connection open, and the end after {@code finished} or {@code cancelled}.
 *
 * <p>A resumed stream ({@code Last-Event-ID}) starts after that id; an id at or past a finished
 * run's last event gets the run's progress and the end, at once, not a stream that waits forever
 * for events that will never come (what an EventSource's reconnect after {@code finished} sends).
 * Ids out of range (negative, beyond {@code Long.MAX_VALUE}'s neighbourhood) are clamped, never
 * overflow; an id that is not a whole number is a 400. At most {@code reckon.limits.max-event-streams}
 * streams are open at once, a burst of requests included (more: 503 with Retry-After); all end
 * when the server shuts down.
 */
final class EventStreams {
  private static final ByteString KEEP_ALIVE = ByteString.fromString(": keep-alive\n\n");
  /** After a running stream's run ends, how long the journal may take to show its end event. */
  private static final Duration END_GRACE = Duration.ofSeconds(3);
  /** How long a reserved place waits for its response's body to start before it is given back. */
  private static final Duration UNCLAIMED_GRACE = Duration.ofSeconds(10);

  private final RunsService runs;
  private final ServerSettings settings;
  private final int max;
  private final AtomicInteger open = new AtomicInteger();
  private final SharedKillSwitch shutdown = KillSwitches.shared("event-streams");
  private volatile boolean closed;

  EventStreams(RunsService runs, ServerSettings settings, int max) {
    this.runs = runs;
    this.settings = settings;
    this.max = max;
  }

  int open() {
    return open.get();
  }

  /** Ends every open stream and admits no new one (the server is shutting down). */
  void close() {
    closed = true;
    shutdown.shutdown();
  }

  /** The first sequence number to send after {@code Last-Event-ID}; saturating, never overflowing. */
  static long from(Optional<String> lastEventId) {
    if (lastEventId.isEmpty() || lastEventId.get().isBlank()) {
      return 1;
    }
    String v = lastEventId.get().strip();
    if (!v.matches("-?[0-9]{1,30}")) {
      throw ApiException.badRequest("Last-Event-ID", "Last-Event-ID must be the id of an event "
          + "of this stream (a whole number); got '" + (v.length() > 40 ? v.substring(0, 40)
          + "..." : v) + "'");
    }
    if (v.startsWith("-")) {
      return 1; // before the first event: everything
    }
    long last;
    try {
      last = Long.parseLong(v);
    } catch (NumberFormatException tooLarge) {
      return Long.MAX_VALUE;
    }
    return last >= Long.MAX_VALUE - 1 ? Long.MAX_VALUE : Math.max(1, last + 1);
  }

  CompletionStage<HttpResponse> events(String id, Optional<String> lastEventId) {
    long start = from(lastEventId);
    if (closed) {
      return CompletableFuture.completedFuture(refused(new ApiException(503, "server_error", null,
          "shutting_down", "the server is shutting down; reconnect to another instance")));
    }
    return runs.status(id).thenApply(s -> {
      // The place is taken here, atomically, so that a burst of requests cannot pass the check
      // together and overshoot the cap. The stream holds it from when its body starts running
      // until it ends; a response whose body never runs (its client gone before it was sent)
      // gives it back after UNCLAIMED_GRACE.
      Place place = reserve();
      if (place == null) {
        return refused(new ApiException(503, "server_error", null, "too_many_streams",
            max + " event streams are open on this server (reckon.limits.max-event-streams): "
                + "retry later"));
      }
      Source<ByteString, ?> stream;
      if (!RunStatus.RUNNING.equals(s.state())) {
        // Ended: what the journal holds from `start` on, then the end. Nothing live.
        stream = Source.single(progressEvent(s)).concat(runs.currentEvents(id, start).map(
            e -> event(e.sequenceNr(), e.event())));
      } else {
        Source<ByteString, ?> journal = runs.events(id, start)
            .map(e -> event(e.sequenceNr(), e.event()));
        // The progress ticks end a little after the run has: a stream resumed past the run's
        // last event never sees the end event and must not wait for it for ever.
        Source<ByteString, ?> progress = Source.tick(Duration.ofSeconds(1), Duration.ofSeconds(1), 0)
            .mapAsync(1, t -> runs.status(id).handle((st, err) -> Optional.ofNullable(st)))
            .filter(Optional::isPresent)
            .map(Optional::get)
            .takeWhile(st -> RunStatus.RUNNING.equals(st.state()), true)
            .map(EventStreams::progressEvent)
            .concat(Source.<ByteString>empty().initialDelay(END_GRACE));
        stream = Source.single(progressEvent(s)).concat(journal.merge(progress, true));
      }
      Source<ByteString, ?> bounded = stream
          .keepAlive(settings.keepAlive(), () -> KEEP_ALIVE)
          .via(shutdown.flow());
      Source<ByteString, ?> counted = Source.fromMaterializer((materializer, attributes) -> {
        place.claim();
        return bounded.watchTermination((m, done) -> {
          done.whenComplete((d, e) -> open.decrementAndGet());
          return m;
        });
      });
      return HttpSupport.eventStream(counted);
    });
  }

  /** A place under the cap, or null when all are taken. */
  private Place reserve() {
    while (true) {
      int n = open.get();
      if (n >= max) {
        return null;
      }
      if (open.compareAndSet(n, n + 1)) {
        Place place = new Place();
        CompletableFuture.delayedExecutor(UNCLAIMED_GRACE.toMillis(), TimeUnit.MILLISECONDS)
            .execute(place::releaseUnclaimed);
        return place;
      }
    }
  }

  /**
   * One reserved place: claimed by its stream's body, or given back unclaimed. A body that
   * starts after its place was given back takes a new one (past the cap if need be: it has
   * already been admitted), so the count never drifts.
   */
  private final class Place {
    private final AtomicInteger state = new AtomicInteger(); // 0 reserved, 1 claimed, 2 released

    void claim() {
      if (!state.compareAndSet(0, 1)) {
        open.incrementAndGet();
      }
    }

    void releaseUnclaimed() {
      if (state.compareAndSet(0, 2)) {
        open.decrementAndGet();
      }
    }
  }

  private HttpResponse refused(ApiException e) {
    return new Admission.Refusal(e, settings.retryAfter()).response();
  }

  private static ByteString event(long sequenceNr, Object journalEvent) {
    RunEvent event = RunsService.event(journalEvent);
    return ByteString.fromString("id: " + sequenceNr + "\nevent: " + RunsService.kind(event)
        + "\ndata: " + Json.writeString(event) + "\n\n");
  }

  static ByteString progressEvent(RunStatus s) {
    return ByteString.fromString("event: progress\ndata: " + Json.writeString(s) + "\n\n");
  }
}
