package io.reckon.runtime.onnx;

/**
 * A model directory that cannot be used: a missing or malformed file, inputs of the wrong
 * layout, a device that is not there. Thrown at start-up, never later; the message names the
 * file and what was expected, and is meant for the user as it is.
 */
public final class ModelLoadException extends RuntimeException {
  public ModelLoadException(String message) {
    super(message);
  }

  public ModelLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
