package io.reckon.actors;

import io.reckon.protocol.ModelRequest;
import io.reckon.protocol.ScoreRequest;
import io.reckon.runtime.Verifier;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/** A {@link ModelWorker} for a process reward model, registered under {@link #KEY}. */
public final class VerifierWorker {
  public static final String KIND = "verifier";
  public static final ServiceKey<ModelWorker.Command> KEY =
      ServiceKey.create(ModelWorker.Command.class, "reckon-verifier");

  private VerifierWorker() {}

  public static Behavior<ModelWorker.Command> create(
      Verifier verifier, ReckonSettings.WorkerSettings settings) {
    int inFlight = verifier.takesConcurrentCalls() ? settings.maxInFlight() : 1;
    return ModelWorker.create(KEY, KIND, batch -> verifier.score(cast(batch)), settings, inFlight);
  }

  private static List<ScoreRequest> cast(List<ModelRequest> batch) {
    List<ScoreRequest> out = new ArrayList<>(batch.size());
    for (ModelRequest r : batch) {
      out.add((ScoreRequest) r);
    }
    return out;
  }
}
