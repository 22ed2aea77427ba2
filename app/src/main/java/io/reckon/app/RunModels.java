package io.reckon.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.reckon.actors.WorkerKeys;
import io.reckon.actors.store.Digests;
import io.reckon.protocol.RunSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The models of a durable run as its spec records them, and the way back: the backends a resumed
 * run must load. A local ONNX model is its folder with the digest of the folder's files; a model
 * behind an OpenAI-compatible or pooling server is its base URL (in the ref's path) and served
 * name, with the digest of both (the server's weights are out of reach); the synthetic stand-in
 * has no path. A preset ({@code --preset}, {@code --prm-preset}) changes what the model is sent
 * (system prompt, chat template, stop strings; a PRM's layout), so it is folded into its model's
 * digest: a resume, a server or a worker with another preset is refused rather than rendering the
 * run's remaining questions differently. Without a preset the digests are what they always were.
 */
final class RunModels {
  private RunModels() {}

  /** The refs of the models that {@code options} and the configuration choose, now loaded. */
  static List<RunSpec.ModelRef> of(Backends models, Config hocon, BackendOptions options) {
    Backends.Kinds kinds = Backends.kinds(hocon, options.choice());
    try {
      Config m = hocon.getConfig("reckon.models");
      if (kinds.policy().equals("replay")) {
        // The recorded samples are the model: the file and its digest.
        Path file = Path.of(options.samples != null ? options.samples : m.getString("replay.samples"))
            .toAbsolutePath().normalize();
        RunSpec.ModelRef proposer = new RunSpec.ModelRef(
            "proposer", models.proposer().name(), file.toString(), Digests.file(file));
        RunSpec.ModelRef verifier = kinds.verifier().equals("replay")
            ? new RunSpec.ModelRef("verifier", models.verifier().name(), file.toString(), Digests.file(file))
            : ref("verifier", kinds.verifier(), models.verifier().name(), options.prm, "prm",
                options.prmBaseUrl, "pooling", m);
        return List.of(proposer, verifier);
      }
      return withPresets(List.of(
          ref("proposer", kinds.policy(), models.proposer().name(), options.model, "policy",
              options.baseUrl, "openai", m),
          ref("verifier", kinds.verifier(), models.verifier().name(), options.prm, "prm",
              options.prmBaseUrl, "pooling", m)),
          options.preset(hocon),
          options.prmPreset != null ? Presets.prm(hocon, options.prmPreset) : null);
    } catch (ConfigException e) {
      throw new Main.BadInput("configuration: " + e.getMessage());
    }
  }

  /** The refs with the presets' content folded into the proposer's and the verifier's digests. */
  static List<RunSpec.ModelRef> withPresets(
      List<RunSpec.ModelRef> refs, Presets.Policy preset, Presets.Prm prmPreset) {
    return refs.stream().map(r -> {
      String folded = switch (r.role()) {
        case "proposer" -> preset == null ? null : String.join("\n", "preset " + preset.name(),
            preset.task(), String.valueOf(preset.system()), preset.chatTemplate(),
            String.join("\u0000", preset.stop()));
        case "verifier" -> prmPreset == null ? null : "prm-preset " + prmPreset.name() + "\n"
            + prmPreset.backend() + "\n"
            + prmPreset.settings().root().render(com.typesafe.config.ConfigRenderOptions.concise());
        default -> null;
      };
      return folded == null ? r
          : new RunSpec.ModelRef(r.role(), r.name(), r.path(), Digests.text(r.sha256() + "\n" + folded));
    }).toList();
  }

  private static RunSpec.ModelRef ref(String role, String kind, String name, String flag,
      String folderKey, String baseUrlFlag, String remoteSection, Config m) {
    return switch (kind) {
      case "synthetic" -> new RunSpec.ModelRef(role, name, null, Digests.text(name));
      case "onnx" -> folder(role, name, Path.of(flag != null ? flag : m.getString(folderKey)));
      default -> {
        String section = kind.equals("logprob") ? "logprob" : remoteSection;
        String url = baseUrlFlag != null ? baseUrlFlag : m.getString(section + ".base-url");
        yield new RunSpec.ModelRef(role, name, url, Digests.text(kind + " " + url + " " + name));
      }
    };
  }

  private static RunSpec.ModelRef folder(String role, String name, Path dir) {
    Path abs = dir.toAbsolutePath().normalize();
    return new RunSpec.ModelRef(role, name, abs.toString(), Digests.folder(abs));
  }

  /** The backend options that load a spec's models again (from the folders or servers it recorded). */
  static BackendOptions options(List<RunSpec.ModelRef> refs) {
    BackendOptions o = new BackendOptions();
    RunSpec.ModelRef proposer = role(refs, "proposer");
    RunSpec.ModelRef verifier = role(refs, "verifier");
    if (proposer.name().startsWith("replay:")) {
      o.backend = "replay";
      o.samples = proposer.path();
    } else if (proposer.path() == null) {
      o.backend = "synthetic";
    } else if (remote(proposer)) {
      o.backend = "openai";
      o.baseUrl = proposer.path();
      o.model = proposer.name();
    } else {
      o.backend = "onnx";
      o.model = existingFolder(proposer);
    }
    if (verifier.name().startsWith("replay:")) {
      o.prmBackend = "replay";
    } else if (verifier.path() == null) {
      o.prmBackend = "synthetic";
    } else if (remote(verifier)) {
      // The ref's digest names the kind of server (see ref): a logprob PRM, else pooling.
      o.prmBackend = verifier.sha256().equals(
          Digests.text("logprob " + verifier.path() + " " + verifier.name())) ? "logprob" : "pooling";
      o.prmBaseUrl = verifier.path();
      o.prm = verifier.name();
    } else {
      o.prmBackend = "onnx";
      o.prm = existingFolder(verifier);
    }
    return o;
  }

  private static boolean remote(RunSpec.ModelRef ref) {
    String p = ref.path().toLowerCase(Locale.ROOT);
    return p.startsWith("http://") || p.startsWith("https://");
  }

  private static String existingFolder(RunSpec.ModelRef ref) {
    Path dir = Path.of(ref.path());
    if (!Files.isDirectory(dir)) {
      throw new Main.BadInput("the run's model folder " + dir + " is gone");
    }
    return dir.toString();
  }

  private static RunSpec.ModelRef role(List<RunSpec.ModelRef> refs, String role) {
    RunSpec.ModelRef ref = WorkerKeys.model(refs, role);
    if (ref == null) {
      throw new Main.BadInput("the run's spec names no " + role + " model");
    }
    return ref;
  }
}
