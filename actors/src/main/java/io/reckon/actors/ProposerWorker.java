package io.reckon.actors;

import io.reckon.protocol.GenerateRequest;
import io.reckon.protocol.ModelRequest;
import io.reckon.protocol.RunSpec;
import io.reckon.runtime.Proposer;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * A {@link ModelWorker} for a policy model, registered under {@link #KEY} and, when it knows its
 * model, under that model's {@link #key}.
 */
public final class ProposerWorker {
  public static final String KIND = "proposer";
  public static final ServiceKey<ModelWorker.Command> KEY =
      ServiceKey.create(ModelWorker.Command.class, "reckon-proposer");

  private ProposerWorker() {}

  /** The key of the proposer workers that run the model with this digest. */
  public static ServiceKey<ModelWorker.Command> key(String sha256) {
    return WorkerKeys.key(KIND, sha256);
  }

  /** A worker found by kind only: for runs that name no models (a plain one-JVM run). */
  public static Behavior<ModelWorker.Command> create(
      Proposer proposer, ReckonSettings.WorkerSettings settings) {
    return create(proposer, settings, null);
  }

  /**
   * A worker found by kind and by {@code model}, the model {@code proposer} runs ({@code null}:
   * by kind only).
   */
  public static Behavior<ModelWorker.Command> create(
      Proposer proposer, ReckonSettings.WorkerSettings settings, RunSpec.ModelRef model) {
    int inFlight = proposer.batchesContinuously() ? settings.maxInFlight() : 1;
    return ModelWorker.create(WorkerKeys.registered(KIND, model), KIND,
        batch -> proposer.generate(cast(batch)), settings, inFlight);
  }

  private static List<GenerateRequest> cast(List<ModelRequest> batch) {
    List<GenerateRequest> out = new ArrayList<>(batch.size());
    for (ModelRequest r : batch) {
      out.add((GenerateRequest) r);
    }
    return out;
  }
}
