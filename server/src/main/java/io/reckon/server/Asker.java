package io.reckon.server;

import io.reckon.actors.ModelWorker;
import io.reckon.actors.ServiceRun;
import io.reckon.protocol.Question;
import io.reckon.protocol.RunSummary;
import io.reckon.search.Seeds;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * Sends single questions to the {@link ServiceRun} and hands back its answer; asks it and the
 * workers how they stand. Requests without a
 * seed get the next of a seeded sequence, so a server's answers reproduce in arrival order.
 */
public final class Asker {
  private final ActorSystem<?> system;
  private final ActorRef<ServiceRun.Command> service;
  private final List<ActorRef<ModelWorker.Command>> workers;
  private final long seed;
  private final AtomicLong next = new AtomicLong();

  public Asker(ActorSystem<?> system, ActorRef<ServiceRun.Command> service,
      List<ActorRef<ModelWorker.Command>> workers, long seed) {
    this.system = system;
    this.service = service;
    this.workers = List.copyOf(workers);
    this.seed = seed;
  }

  /**
   * The answer, always within the deadline plus a margin: the service answers every question it
   * receives by its deadline (cut short or failed), so the ask's own timeout is only a backstop.
   */
  public CompletionStage<ServiceRun.Answer> ask(
      String id, String text, SearchChoice choice, Long requestSeed, Duration deadline) {
    long s = requestSeed != null ? requestSeed : Seeds.mix(seed, next.getAndIncrement());
    Question q = new Question(id, text, null, null);
    return AskPattern.ask(service,
        replyTo -> new ServiceRun.Ask(q, choice.strategy(), choice.policy(), choice.budget(), s,
            deadline, replyTo, choice.task()),
        deadline.plusSeconds(30), system.scheduler());
  }

  /** The client of request {@code id} went away: stop its search (see {@link ServiceRun.Cancel}). */
  public void cancel(String id) {
    service.tell(new ServiceRun.Cancel(id));
  }

  /** Every worker's ledger; a worker that does not answer in 2 s is left out. */
  public CompletionStage<List<RunSummary.WorkerStats>> workerStats() {
    List<CompletableFuture<RunSummary.WorkerStats>> asks = new ArrayList<>();
    for (ActorRef<ModelWorker.Command> w : workers) {
      asks.add(AskPattern.<ModelWorker.Command, RunSummary.WorkerStats>ask(w,
              ModelWorker.GetStats::new, Duration.ofSeconds(2), system.scheduler())
          .toCompletableFuture().exceptionally(e -> null));
    }
    return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new))
        .thenApply(v -> asks.stream().map(CompletableFuture::join)
            .filter(java.util.Objects::nonNull).toList());
  }

  public CompletionStage<ServiceRun.Status> status() {
    return AskPattern.ask(service, ServiceRun.GetStatus::new, Duration.ofSeconds(5),
        system.scheduler());
  }
}
