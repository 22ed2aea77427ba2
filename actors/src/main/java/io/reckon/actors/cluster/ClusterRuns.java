package io.reckon.actors.cluster;

import io.reckon.actors.ReckonSettings;
import io.reckon.actors.RunEntity;
import io.reckon.actors.RunEnvironment;
import io.reckon.actors.RunIds;
import io.reckon.actors.Runs;
import io.reckon.actors.store.StoreSettings;
import java.time.Instant;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * The cluster's {@link Runs}: the same protocol, but each {@link RunEntity} lives on exactly one
 * coordinator, chosen by cluster sharding from its run id. When that coordinator leaves or dies,
 * the entity's shard moves to another coordinator on its next message, which recovers it from the
 * shared journal; {@link RunKeeper} sends that message (Resume) for every unfinished run.
 */
public final class ClusterRuns {
  public static final EntityTypeKey<RunEntity.Command> TYPE_KEY =
      EntityTypeKey.create(RunEntity.Command.class, RunEntity.ENTITY_TYPE);

  private ClusterRuns() {}

  /**
   * Starts this node's part of the sharding of runs: on a coordinator it hosts entities, on any
   * other node it is a proxy. Call once per node before {@link #create}.
   */
  public static void init(ActorSystem<?> system, RunEnvironment environment,
      ReckonSettings settings, StoreSettings store) {
    ClusterSharding.get(system).init(
        Entity.of(TYPE_KEY, ctx -> RunEntity.create(ctx.getEntityId(), environment, settings,
                store, ctx.getShard()))
            .withStopMessage(RunEntity.stopMessage())
            .withRole(ClusterSettings.COORDINATOR));
  }

  /** A run by id, wherever it lives. */
  public static EntityRef<RunEntity.Command> run(ActorSystem<?> system, String runId) {
    return ClusterSharding.get(system).entityRefFor(TYPE_KEY, runId);
  }

  /** {@link Runs}' protocol, each command sent to the run's entity through sharding. */
  public static Behavior<Runs.Command> create() {
    return Behaviors.setup(ctx -> {
      ActorSystem<?> system = ctx.getSystem();
      return Behaviors.receive(Runs.Command.class)
          .onMessage(Runs.StartRun.class, start -> {
            EntityRef<RunEntity.Command> entity = run(system, RunIds.next(Instant.now()));
            if (start.subscriber() != null) {
              entity.tell(new RunEntity.Subscribe(start.subscriber()));
            }
            entity.tell(new RunEntity.Start(start.spec(), start.replyTo()));
            return Behaviors.same();
          })
          .onMessage(Runs.ToRun.class, to -> {
            run(system, to.runId()).tell(to.command());
            return Behaviors.same();
          })
          .build();
    });
  }
}
