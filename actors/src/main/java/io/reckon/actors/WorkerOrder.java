package io.reckon.actors;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;

/** The workers of a Receptionist listing in a stable order (by path). */
final class WorkerOrder {
  private WorkerOrder() {}

  /** So that question i's first worker does not depend on the order the listing came in. */
  static List<ActorRef<ModelWorker.Command>> sorted(Set<ActorRef<ModelWorker.Command>> refs) {
    List<ActorRef<ModelWorker.Command>> list = new ArrayList<>(refs);
    list.sort((a, b) -> a.path().toString().compareTo(b.path().toString()));
    return list;
  }
}
