package io.reckon.actors;

import io.reckon.protocol.CborSerializable;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What a model worker publishes on the {@value #TOPIC} topic (cluster-wide when the node is in a
 * cluster): how many requests wait in it or run in its model now. {@link WorkerLoads} keeps the
 * latest of each worker for the question supervisors of its node to route by.
 *
 * @param depth requests queued plus requests in the batches running now
 */
public record WorkerLoad(ActorRef<ModelWorker.Command> worker, String kind, int depth)
    implements CborSerializable {
  public static final String TOPIC = "reckon-worker-load";
}
