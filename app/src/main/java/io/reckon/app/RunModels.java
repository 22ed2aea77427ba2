package io.reckon.app;

import com.typesafe.config.Config;
import io.reckon.actors.store.Digests;
import io.reckon.protocol.RunSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The models of a durable run as its spec records them (name, folder, digest of the folder's
 * files), and the way back: the backend and folders a resumed run must load.
 */
final class RunModels {
  private RunModels() {}

  /** The refs of the models that {@code options} and the configuration choose, now loaded. */
  static List<RunSpec.ModelRef> of(Backends models, Config hocon, BackendOptions options) {
    String kind = (options.backend != null ? options.backend
        : hocon.getString("reckon.models.backend")).strip().toLowerCase(Locale.ROOT);
    if (kind.equals("synthetic")) {
      return List.of(
          new RunSpec.ModelRef("proposer", models.proposer().name(), null,
              Digests.text(models.proposer().name())),
          new RunSpec.ModelRef("verifier", models.verifier().name(), null,
              Digests.text(models.verifier().name())));
    }
    Path policy = Path.of(options.model != null ? options.model
        : hocon.getString("reckon.models.policy"));
    Path prm = Path.of(options.prm != null ? options.prm : hocon.getString("reckon.models.prm"));
    return List.of(folder("proposer", models.proposer().name(), policy),
        folder("verifier", models.verifier().name(), prm));
  }

  private static RunSpec.ModelRef folder(String role, String name, Path dir) {
    Path abs = dir.toAbsolutePath().normalize();
    return new RunSpec.ModelRef(role, name, abs.toString(), Digests.folder(abs));
  }

  /** The backend options that load a spec's models again (from the folders it recorded). */
  static BackendOptions options(List<RunSpec.ModelRef> refs) {
    BackendOptions o = new BackendOptions();
    RunSpec.ModelRef proposer = role(refs, "proposer");
    RunSpec.ModelRef verifier = role(refs, "verifier");
    if (proposer.path() == null) {
      o.backend = "synthetic";
      return o;
    }
    o.backend = "onnx";
    o.model = proposer.path();
    o.prm = verifier.path();
    for (Path dir : List.of(Path.of(o.model), Path.of(o.prm))) {
      if (!Files.isDirectory(dir)) {
        throw new Main.BadInput("the run's model folder " + dir + " is gone");
      }
    }
    return o;
  }

  private static RunSpec.ModelRef role(List<RunSpec.ModelRef> refs, String role) {
    return refs.stream().filter(r -> r.role().equals(role)).findFirst()
        .orElseThrow(() -> new Main.BadInput("the run's spec names no " + role + " model"));
  }
}
