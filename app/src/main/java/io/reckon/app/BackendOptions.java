package io.reckon.app;

import com.typesafe.config.Config;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options that choose the models, shared (as a picocli mixin) by every command that runs them. */
final class BackendOptions {
  @Option(names = "--backend", paramLabel = "KIND",
      description = "onnx: the models named in reckon.models (the shipped ones by default); "
          + "synthetic: the seeded stand-in (default: reckon.models.backend)")
  String backend;

  @Option(names = "--model", paramLabel = "DIR",
      description = "Policy model folder for the onnx backend (default: reckon.models.policy)")
  Path modelDir;

  @Option(names = "--prm", paramLabel = "DIR",
      description = "Process reward model folder for the onnx backend (default: reckon.models.prm)")
  Path prmDir;

  Backends load(Config hocon) {
    return Backends.load(hocon, backend, modelDir, prmDir);
  }

  /** True when the chosen backend is the synthetic stand-in (it only solves arithmetic). */
  boolean synthetic(Config hocon) {
    String kind = backend != null ? backend : hocon.getString("reckon.models.backend");
    return "synthetic".equalsIgnoreCase(kind.strip());
  }
}
