package io.reckon.server;

import io.reckon.protocol.openai.ErrorResponse;

/**
 * A request that cannot be answered, with what the client is told: an HTTP status and an
 * OpenAI-shaped error body. Only this message reaches a response; never a stack trace.
 */
public final class ApiException extends RuntimeException {
  private final int status;
  private final String type;
  private final String param;
  private final String code;

  public ApiException(int status, String type, String param, String code, String message) {
    super(message, null, false, false);
    this.status = status;
    this.type = type;
    this.param = param;
    this.code = code;
  }

  /** 400 naming the request field at fault and how to fix it. */
  public static ApiException badRequest(String param, String message) {
    return new ApiException(400, "invalid_request_error", param, "invalid_value", message);
  }

  public static ApiException notFound(String code, String message) {
    return new ApiException(404, "invalid_request_error", null, code, message);
  }

  public int status() {
    return status;
  }

  public ErrorResponse body() {
    return new ErrorResponse(new ErrorResponse.Detail(getMessage(), type, param, code));
  }
}
