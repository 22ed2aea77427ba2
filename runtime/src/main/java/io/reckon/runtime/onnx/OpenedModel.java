package io.reckon.runtime.onnx;

import ai.onnxruntime.OrtSession;
import java.nio.file.Path;

/**
 * What every ONNX model folder opens the same way: {@code config.json} of the expected kind, the
 * tokenizer and a session on {@code model.onnx}. If any part fails, what was already opened is
 * closed again, so a failed load leaks no native memory.
 */
record OpenedModel(Path modelFile, ModelConfig config, HfTokenizer tokenizer, OrtSession session) {

  /**
   * @param kind the {@code kind} config.json must declare
   * @param role what needs it, for the message (e.g. "a verifier")
   */
  static OpenedModel open(Path dir, OnnxSettings settings, String kind, String role) {
    Path configFile = dir.resolve("config.json");
    ModelConfig config = ModelConfig.read(configFile);
    if (!config.kind().equals(kind)) {
      throw new ModelLoadException(
          configFile + ": kind is \"" + config.kind() + "\", but " + role + " needs \"" + kind + "\"");
    }
    Path modelFile = dir.resolve("model.onnx");
    HfTokenizer tokenizer = HfTokenizer.load(dir.resolve("tokenizer.json"));
    try {
      return new OpenedModel(modelFile, config, tokenizer, OnnxSessions.open(modelFile, settings));
    } catch (RuntimeException e) {
      tokenizer.close();
      throw e;
    }
  }

  void close() {
    OnnxSessions.close(session);
    tokenizer.close();
  }
}
