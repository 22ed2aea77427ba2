package io.reckon.server;

import io.reckon.actors.ServiceRun;
import io.reckon.protocol.Question;
import io.reckon.search.Seeds;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * Sends single questions to the {@link ServiceRun} and hands back its answer. Requests without a
 * seed get the next of a seeded sequence, so a server's answers reproduce in arrival order.
 */
public final class Asker {
  private final ActorSystem<?> system;
  private final ActorRef<ServiceRun.Command> service;
  private final long seed;
  private final AtomicLong next = new AtomicLong();

  public Asker(ActorSystem<?> system, ActorRef<ServiceRun.Command> service, long seed) {
    this.system = system;
    this.service = service;
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
            deadline, replyTo),
        deadline.plusSeconds(30), system.scheduler());
  }

  public CompletionStage<ServiceRun.Status> status() {
    return AskPattern.ask(service, ServiceRun.GetStatus::new, Duration.ofSeconds(5),
        system.scheduler());
  }
}
