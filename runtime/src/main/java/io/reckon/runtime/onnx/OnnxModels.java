package io.reckon.runtime.onnx;

import io.reckon.runtime.format.TaskFormat;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the app loads ONNX models. A model directory holds {@code model.onnx}, {@code
 * tokenizer.json} and {@code config.json} (the shipped ones live in {@code models/}). Every
 * problem (a missing or malformed file, the wrong input layout, an unusable device) is a {@link
 * ModelLoadException} thrown here, at start-up, with a message that names the file.
 */
public final class OnnxModels {
  private OnnxModels() {}

  /** A policy model ({@code kind = causal-lm}). */
  public static OnnxCausalLm loadProposer(Path modelDir, OnnxSettings settings) {
    return OnnxCausalLm.load(checkDir(modelDir), settings);
  }

  /**
   * A policy model answering a task in its own chat format ({@code rendering}: the task through
   * the folder's chat template, see {@code HfFiles}); null keeps config.json's format.
   */
  public static OnnxCausalLm loadProposer(Path modelDir, OnnxSettings settings, TaskFormat rendering) {
    return OnnxCausalLm.load(checkDir(modelDir), settings, rendering);
  }

  /** A process reward model ({@code kind = prm}). */
  public static OnnxPrm loadVerifier(Path modelDir, OnnxSettings settings) {
    return OnnxPrm.load(checkDir(modelDir), settings);
  }

  /** Reads only {@code config.json}: parameters and training tokens for reports, no session. */
  public static ModelConfig readConfig(Path modelDir) {
    return ModelConfig.read(checkDir(modelDir).resolve("config.json"));
  }

  private static Path checkDir(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new ModelLoadException(
          "model directory not found: " + dir.toAbsolutePath()
              + " (expected a folder with model.onnx, tokenizer.json and config.json)");
    }
    return dir;
  }
}
