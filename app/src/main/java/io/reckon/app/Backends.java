package io.reckon.app;

import io.reckon.runtime.Proposer;
import io.reckon.runtime.Verifier;
import io.reckon.runtime.synthetic.SyntheticReasoner;
import java.util.List;

/**
 * The models a command runs on: one proposer and one verifier, shared by every worker of this
 * node (their calls are thread-safe). Commands get them from here so that choosing a backend is
 * one decision in one place.
 */
record Backends(Proposer proposer, Verifier verifier) implements AutoCloseable {

  /** The seeded stand-in for a policy model and a PRM; it solves only the arithmetic task. */
  static Backends synthetic() {
    SyntheticReasoner model = new SyntheticReasoner();
    return new Backends(model, model);
  }

  /** Names of the models, as a learned policy records them (a policy is only valid for them). */
  List<String> names() {
    return List.of(proposer.name(), verifier.name());
  }

  @Override
  public void close() {
    proposer.close();
    if (verifier != proposer) {
      verifier.close();
    }
  }
}
