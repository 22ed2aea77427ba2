package io.reckon.actors;

import io.reckon.protocol.ModelRequest;
import io.reckon.protocol.RunSpec;
import io.reckon.protocol.ScoreRequest;
import io.reckon.runtime.Verifier;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * A {@link ModelWorker} for a process reward model, registered under {@link #KEY} and, when it
 * knows its model, under that model's {@link #key}.
 */
public final class VerifierWorker {
  public static final String KIND = "verifier";
  public static final ServiceKey<ModelWorker.Command> KEY =
      ServiceKey.create(ModelWorker.Command.class, "reckon-verifier");

  private VerifierWorker() {}

  /** The key of the verifier workers that run the model with this digest. */
  public static ServiceKey<ModelWorker.Command> key(String sha256) {
    return WorkerKeys.key(KIND, sha256);
  }

  /** A worker found by kind only: for runs that name no models (a plain one-JVM run). */
  public static Behavior<ModelWorker.Command> create(
      Verifier verifier, ReckonSettings.WorkerSettings settings) {
    return create(verifier, settings, null);
  }

  /**
   * A worker found by kind and by {@code model}, the model {@code verifier} runs ({@code null}:
   * by kind only).
   */
  public static Behavior<ModelWorker.Command> create(
      Verifier verifier, ReckonSettings.WorkerSettings settings, RunSpec.ModelRef model) {
    int inFlight = verifier.takesConcurrentCalls() ? settings.maxInFlight() : 1;
    return ModelWorker.create(WorkerKeys.registered(KIND, model), KIND,
        batch -> verifier.score(cast(batch)), settings, inFlight);
  }

  private static List<ScoreRequest> cast(List<ModelRequest> batch) {
    List<ScoreRequest> out = new ArrayList<>(batch.size());
    for (ModelRequest r : batch) {
      out.add((ScoreRequest) r);
    }
    return out;
  }
}
