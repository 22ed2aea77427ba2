package io.reckon.runtime.onnx;

import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the shipped models under the repository root that surefire names in reckon.root. */
final class ShippedModels {
  static final String POLICY = "arith-policy";
  static final String PRM = "arith-prm";

  private ShippedModels() {}

  static Path root() {
    String root = System.getProperty("reckon.root");
    return root == null ? Path.of("..").toAbsolutePath().normalize() : Path.of(root);
  }

  /** The model folder, or a failure that says what is missing and where it was looked for. */
  static Path dir(String name) {
    Path dir = root().resolve("models").resolve(name);
    for (String f : new String[] {"model.onnx", "tokenizer.json", "config.json"}) {
      if (!Files.isRegularFile(dir.resolve(f))) {
        fail(
            "shipped model file missing: " + dir.resolve(f) + " (the ONNX tests run on the shipped "
                + "models; regenerate them with models/train.sh, or set -Dreckon.root to a checkout "
                + "that has them)");
      }
    }
    return dir;
  }
}
