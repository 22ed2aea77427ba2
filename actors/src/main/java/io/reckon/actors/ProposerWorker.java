package io.reckon.actors;

import io.reckon.protocol.GenerateRequest;
import io.reckon.protocol.ModelRequest;
import io.reckon.runtime.Proposer;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/** A {@link ModelWorker} for a policy model, registered under {@link #KEY}. */
public final class ProposerWorker {
  public static final String KIND = "proposer";
  public static final ServiceKey<ModelWorker.Command> KEY =
      ServiceKey.create(ModelWorker.Command.class, "reckon-proposer");

  private ProposerWorker() {}

  public static Behavior<ModelWorker.Command> create(
      Proposer proposer, ReckonSettings.WorkerSettings settings) {
    int inFlight = proposer.batchesContinuously() ? settings.maxInFlight() : 1;
    return ModelWorker.create(KEY, KIND, batch -> proposer.generate(cast(batch)), settings, inFlight);
  }

  private static List<GenerateRequest> cast(List<ModelRequest> batch) {
    List<GenerateRequest> out = new ArrayList<>(batch.size());
    for (ModelRequest r : batch) {
      out.add((GenerateRequest) r);
    }
    return out;
  }
}
