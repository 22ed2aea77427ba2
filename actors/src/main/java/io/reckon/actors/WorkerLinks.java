package io.reckon.actors;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import io.reckon.actors.cluster.ClusterSettings;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.Props;

/**
 * This node's {@link WorkerLink}s, one per model worker on another node, started when a question
 * first sends to that worker and stopped when the worker leaves. Workers on this node are told
 * directly: a local message costs no serialization, and a link would only add a hop.
 *
 * <p>An extension, as {@link WorkerLoads} is, because every question supervisor of the node looks
 * its worker's link up on every send.
 */
public final class WorkerLinks implements Extension {

  private static final ExtensionId<WorkerLinks> ID = new ExtensionId<>() {
    @Override
    public WorkerLinks createExtension(ActorSystem<?> system) {
      return new WorkerLinks(system);
    }
  };

  public static WorkerLinks get(ActorSystem<?> system) {
    return system.registerExtension(ID);
  }

  private final ActorSystem<?> system;
  private final boolean enabled;
  private final ConcurrentHashMap<ActorRef<ModelWorker.Command>, ActorRef<WorkerLink.Command>>
      links = new ConcurrentHashMap<>();
  private final AtomicLong started = new AtomicLong();

  private WorkerLinks(ActorSystem<?> system) {
    this.system = system;
    this.enabled = ClusterSettings.from(system.settings().config()).batchWork();
  }

  /**
   * Whether requests to {@code worker} go through its link: it lives on another node, and
   * reckon.cluster.batch-work is on.
   */
  public boolean linked(ActorRef<?> worker) {
    return enabled && worker.path().address().hasGlobalScope();
  }

  /**
   * The link to {@code worker}, started on first use; {@code expireAfter}: how long it keeps an
   * unanswered request's reply address (a question's timeout: nobody waits longer).
   */
  public ActorRef<WorkerLink.Command> linkTo(
      ActorRef<ModelWorker.Command> worker, Duration expireAfter) {
    ActorRef<WorkerLink.Command> link = links.get(worker);
    if (link != null) {
      return link;
    }
    return links.computeIfAbsent(worker, w -> {
      String name = "reckon-worker-link-" + started.incrementAndGet();
      @SuppressWarnings("unchecked")
      ActorRef<WorkerLink.Command>[] self = new ActorRef[1];
      self[0] = system.systemActorOf(
          WorkerLink.create(w, expireAfter,
              () -> links.computeIfPresent(w, (k, v) -> self[0] == null || v.equals(self[0]) ? null : v)),
          name, Props.empty());
      return self[0];
    });
  }
}
