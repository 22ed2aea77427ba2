package io.reckon.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.reckon.actors.RunSupervisor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Writes each question's result as one JSON line and keeps the progress display current; runs on
 * the blocking dispatcher (it writes files). Completes {@code end} with the run's last event.
 */
final class ResultWriter {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ResultWriter() {}

  static Behavior<RunSupervisor.Event> create(
      Writer out, Progress progress, CompletableFuture<RunSupervisor.Event> end) {
    return Behaviors.receive(RunSupervisor.Event.class)
        .onMessage(RunSupervisor.QuestionFinished.class, f -> {
          try {
            out.write(JSON.writeValueAsString(f.result()));
            out.write('\n');
          } catch (IOException e) {
            end.completeExceptionally(new UncheckedIOException("writing results: " + e, e));
            return Behaviors.stopped();
          }
          progress.record(f.result());
          return Behaviors.same();
        })
        .onMessage(RunSupervisor.RunFinished.class, f -> finish(out, progress, end, f))
        .onMessage(RunSupervisor.RunFailed.class, f -> finish(out, progress, end, f))
        .build();
  }

  private static Behavior<RunSupervisor.Event> finish(
      Writer out, Progress progress, CompletableFuture<RunSupervisor.Event> end,
      RunSupervisor.Event last) {
    progress.done();
    try {
      out.flush();
      end.complete(last);
    } catch (IOException e) {
      end.completeExceptionally(new UncheckedIOException("writing results: " + e, e));
    }
    return Behaviors.stopped();
  }
}
