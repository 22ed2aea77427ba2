package io.reckon.actors;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * This node's view of every model worker's load, for load-aware routing: the queue depth each
 * worker last published on {@link WorkerLoad#TOPIC}, and the requests this node's questions have
 * sent to it and not yet heard back from. A question supervisor picks the worker with the least
 * of the larger of the two (the published depth covers other coordinators' requests; the local
 * count is exact between publications).
 *
 * <p>An extension rather than an actor's state because every question supervisor of the node
 * reads it on every send; only the subscriber actor writes the published depths, and the
 * outstanding counts are atomic.
 */
public final class WorkerLoads implements Extension {

  private static final ExtensionId<WorkerLoads> ID = new ExtensionId<>() {
    @Override
    public WorkerLoads createExtension(ActorSystem<?> system) {
      return new WorkerLoads(system);
    }
  };

  public static WorkerLoads get(ActorSystem<?> system) {
    return system.registerExtension(ID);
  }

  private final Map<ActorRef<ModelWorker.Command>, Integer> published = new ConcurrentHashMap<>();
  private final Map<ActorRef<ModelWorker.Command>, AtomicInteger> outstanding =
      new ConcurrentHashMap<>();

  private WorkerLoads(ActorSystem<?> system) {
    system.systemActorOf(
        Behaviors.<WorkerLoad>setup(ctx -> {
          ActorRef<Topic.Command<WorkerLoad>> topic =
              ctx.spawn(Topic.create(WorkerLoad.class, WorkerLoad.TOPIC), "topic");
          topic.tell(Topic.subscribe(ctx.getSelf()));
          return Behaviors.receiveMessage(load -> {
            published.put(load.worker(), load.depth());
            return Behaviors.same();
          });
        }),
        "reckon-worker-loads", Props.empty());
  }

  /** The load a router sees for {@code worker}. */
  public int load(ActorRef<ModelWorker.Command> worker) {
    AtomicInteger mine = outstanding.get(worker);
    return Math.max(published.getOrDefault(worker, 0), mine == null ? 0 : mine.get());
  }

  /**
   * The least-loaded worker of {@code pool}, ties broken by rotating from {@code start} (so that
   * idle workers share the first requests), avoiding {@code avoid} when there is another.
   */
  public ActorRef<ModelWorker.Command> leastLoaded(
      List<ActorRef<ModelWorker.Command>> pool, int start, ActorRef<ModelWorker.Command> avoid) {
    ActorRef<ModelWorker.Command> best = null;
    int bestLoad = Integer.MAX_VALUE;
    int n = pool.size();
    for (int i = 0; i < n; i++) {
      ActorRef<ModelWorker.Command> w = pool.get(Math.floorMod(start + i, n));
      if (w.equals(avoid) && n > 1) {
        continue;
      }
      int load = load(w);
      if (load < bestLoad) {
        best = w;
        bestLoad = load;
      }
    }
    return best;
  }

  /** A request went to {@code worker}. */
  public void sent(ActorRef<ModelWorker.Command> worker) {
    outstanding.computeIfAbsent(worker, w -> new AtomicInteger()).incrementAndGet();
  }

  /** A request sent to {@code worker} was answered, failed, or given up on. */
  public void settled(ActorRef<ModelWorker.Command> worker) {
    AtomicInteger n = outstanding.get(worker);
    if (n != null) {
      n.updateAndGet(v -> Math.max(0, v - 1));
    }
  }
}
