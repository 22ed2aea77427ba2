package io.reckon.runtime.openai;

/** A completions server that could not be used; the message names the endpoint and the cause. */
public final class OpenAiException extends RuntimeException {
  public OpenAiException(String message) {
    super(message);
  }

  public OpenAiException(String message, Throwable cause) {
    super(message, cause);
  }
}
