package io.reckon.runtime.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;

/**
 * Opens ONNX Runtime sessions on the configured device and checks their inputs and outputs.
 * Public so that benchmarks time the raw session with exactly the options the backends use.
 */
public final class OnnxSessions {
  private OnnxSessions() {}

  public static OrtEnvironment environment() {
    return OrtEnvironment.getEnvironment();
  }

  /**
   * Opens {@code file} on the device of {@code settings}. A CUDA device that cannot be used is an
   * error here, at start-up: running a GPU configuration on the CPU would be silently slow.
   */
  public static OrtSession open(Path file, OnnxSettings settings) {
    if (!Files.isRegularFile(file)) {
      throw new ModelLoadException(
          "model file not found: " + file + " (expected an ONNX model exported in the Hugging "
              + "Face Optimum layout)");
    }
    OrtEnvironment env = environment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      options.setIntraOpNumThreads(settings.intraOpThreads());
      options.setInterOpNumThreads(1);
      if (settings.isCuda()) {
        addCuda(options, settings, file);
      }
      return env.createSession(file.toString(), options);
    } catch (OrtException e) {
      throw new ModelLoadException(
          "cannot load ONNX model " + file + " (expected a valid ONNX model file): "
              + e.getMessage(), e);
    }
  }

  private static void addCuda(OrtSession.SessionOptions options, OnnxSettings settings, Path file) {
    EnumSet<OrtProvider> available = OrtEnvironment.getAvailableProviders();
    if (!available.contains(OrtProvider.CUDA)) {
      throw new ModelLoadException(
          "device = " + settings.device() + " for " + file + " needs ONNX Runtime's CUDA "
              + "execution provider, but this build has only " + available + ": build with "
              + "`mvn -Pcuda` (the onnxruntime_gpu artifact) and run where a GPU, CUDA 12 and "
              + "cuDNN 9 are present, or set device = cpu");
    }
    try {
      options.addCUDA(settings.cudaDeviceId());
    } catch (OrtException | RuntimeException e) {
      throw new ModelLoadException(
          "cannot start the CUDA execution provider on " + settings.device() + " for " + file
              + " (is a GPU with that index there, and are the CUDA 12 and cuDNN 9 libraries on "
              + "the library path?): " + e.getMessage(), e);
    }
  }

  static void close(OrtSession session) {
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException("cannot close ONNX session: " + e.getMessage(), e);
    }
  }

  static Map<String, NodeInfo> inputs(OrtSession session, Path file) {
    try {
      return session.getInputInfo();
    } catch (OrtException e) {
      throw new ModelLoadException("cannot read the inputs of " + file + ": " + e.getMessage(), e);
    }
  }

  static Map<String, NodeInfo> outputs(OrtSession session, Path file) {
    try {
      return session.getOutputInfo();
    } catch (OrtException e) {
      throw new ModelLoadException("cannot read the outputs of " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Checks that {@code name} is a tensor of {@code type} with {@code rank} dimensions; returns
   * its shape (-1 where a dimension is symbolic).
   */
  static long[] expectTensor(
      Map<String, NodeInfo> nodes, String name, OnnxJavaType type, int rank, Path file, String what) {
    NodeInfo node = nodes.get(name);
    if (node == null) {
      throw new ModelLoadException(
          file + ": missing " + what + " '" + name + "' (" + type.name().toLowerCase(Locale.ROOT)
              + ", rank " + rank + "); the model has " + what + "s " + nodes.keySet()
              + ". Expected the Hugging Face Optimum layout.");
    }
    if (!(node.getInfo() instanceof TensorInfo t) || t.type != type || t.getShape().length != rank) {
      throw new ModelLoadException(
          file + ": " + what + " '" + name + "' must be a " + type + " tensor of rank " + rank
              + ", is " + node.getInfo());
    }
    return t.getShape();
  }
}
