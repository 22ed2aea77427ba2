package io.reckon.actors;

import io.reckon.actors.store.Digests;
import io.reckon.protocol.RunSpec;
import java.util.List;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * The Receptionist keys under which a run finds its workers: one per kind and model. Every worker
 * registers under its kind's key ({@link ProposerWorker#KEY}, {@link VerifierWorker#KEY}) and,
 * when it knows the model it runs, under that model's key as well; a run whose spec names its
 * models sends requests only to workers of those models, so that a worker node started with
 * other models in the same cluster never answers for them.
 *
 * @param proposerModel how the proposer model is named in log lines; {@code null} = any model
 * @param verifierModel the same for the verifier
 */
public record WorkerKeys(
    ServiceKey<ModelWorker.Command> proposers, ServiceKey<ModelWorker.Command> verifiers,
    String proposerModel, String verifierModel) {

  /** Workers of either kind, whatever their model: a run that names no models (one JVM). */
  public static final WorkerKeys ANY =
      new WorkerKeys(ProposerWorker.KEY, VerifierWorker.KEY, null, null);

  /** The keys of the workers that run these models (by role; a role not named: any model). */
  public static WorkerKeys of(List<RunSpec.ModelRef> models) {
    RunSpec.ModelRef proposer = model(models, ProposerWorker.KIND);
    RunSpec.ModelRef verifier = model(models, VerifierWorker.KIND);
    return new WorkerKeys(
        proposer == null ? ProposerWorker.KEY : ProposerWorker.key(proposer.sha256()),
        verifier == null ? VerifierWorker.KEY : VerifierWorker.key(verifier.sha256()),
        describe(proposer), describe(verifier));
  }

  /** The key of {@code kind}'s workers that run the model with digest {@code sha256}. */
  static ServiceKey<ModelWorker.Command> key(String kind, String sha256) {
    if (sha256 == null || sha256.isBlank()) {
      throw new IllegalArgumentException("a " + kind + " model's key needs its sha256");
    }
    return ServiceKey.create(ModelWorker.Command.class, "reckon-" + kind + "-" + sha256);
  }

  /** The keys a worker of {@code kind} registers under: its kind's, and its model's if known. */
  static List<ServiceKey<ModelWorker.Command>> registered(String kind, RunSpec.ModelRef model) {
    ServiceKey<ModelWorker.Command> byKind =
        kind.equals(ProposerWorker.KIND) ? ProposerWorker.KEY : VerifierWorker.KEY;
    return model == null ? List.of(byKind) : List.of(byKind, key(kind, model.sha256()));
  }

  /** Whether these keys pick workers by model (not only by kind). */
  public boolean byModel() {
    return !proposers.equals(ProposerWorker.KEY) || !verifiers.equals(VerifierWorker.KEY);
  }

  /** The model of {@code role} ({@code proposer} or {@code verifier}); null when none is named. */
  public static RunSpec.ModelRef model(List<RunSpec.ModelRef> models, String role) {
    return models.stream().filter(m -> role.equals(m.role())).findFirst().orElse(null);
  }

  private static String describe(RunSpec.ModelRef m) {
    return m == null ? null : m.name() + " (sha256 " + Digests.shortForm(m.sha256()) + ")";
  }
}
