package io.reckon.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.reckon.runtime.Proposer;
import io.reckon.runtime.Verifier;
import io.reckon.runtime.onnx.ModelLoadException;
import io.reckon.runtime.onnx.OnnxModels;
import io.reckon.runtime.onnx.OnnxSettings;
import io.reckon.runtime.synthetic.SyntheticReasoner;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The models a command runs on: one proposer and one verifier, shared by every worker of this
 * node (their calls are thread-safe). Commands get them from here so that choosing a backend is
 * one decision in one place: {@code reckon.models} in the configuration, or {@code --backend}.
 */
record Backends(Proposer proposer, Verifier verifier) implements AutoCloseable {

  static final List<String> KINDS = List.of("onnx", "synthetic");

  /** The seeded stand-in for a policy model and a PRM; it solves only the arithmetic task. */
  static Backends synthetic() {
    SyntheticReasoner model = new SyntheticReasoner();
    return new Backends(model, model);
  }

  /**
   * The backend the configuration names ({@code override}, when not null, wins). Missing or
   * broken model files are bad input: the message names the file and what was expected.
   */
  static Backends load(Config hocon, String override) {
    return load(hocon, override, null, null);
  }

  /** As {@link #load(Config, String)}, with model folders that win over the configuration's. */
  static Backends load(Config hocon, String override, Path policyDir, Path prmDir) {
    String kind;
    Config models;
    try {
      models = hocon.getConfig("reckon.models");
      kind = (override != null ? override : models.getString("backend")).strip().toLowerCase(Locale.ROOT);
    } catch (ConfigException e) {
      throw new Main.BadInput("configuration: " + e.getMessage());
    }
    switch (kind) {
      case "synthetic":
        return synthetic();
      case "onnx":
        break;
      default:
        throw new Main.BadInput(
            "unknown backend '" + kind + "': allowed are " + String.join(", ", KINDS));
    }
    OnnxSettings settings;
    try {
      settings = OnnxSettings.fromMap(models.getConfig("onnx").root().unwrapped());
    } catch (ConfigException | IllegalArgumentException e) {
      throw new Main.BadInput("configuration reckon.models.onnx: " + e.getMessage());
    }
    Proposer proposer = null;
    try {
      proposer = OnnxModels.loadProposer(
          policyDir != null ? policyDir : Path.of(models.getString("policy")), settings);
      Verifier verifier = OnnxModels.loadVerifier(
          prmDir != null ? prmDir : Path.of(models.getString("prm")), settings);
      return new Backends(proposer, verifier);
    } catch (ModelLoadException e) {
      if (proposer != null) {
        proposer.close();
      }
      throw new Main.BadInput(e.getMessage());
    }
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
