package io.reckon.protocol.openai;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Every error, on every route, in OpenAI's shape: {@code {"error": {message, type, param, code}}}. */
public record ErrorResponse(Detail error) {

  /** {@code param} names the offending request field; {@code null} when none. */
  public record Detail(
      String message,
      String type,
      @JsonInclude(JsonInclude.Include.ALWAYS) String param,
      @JsonInclude(JsonInclude.Include.ALWAYS) String code) {}
}
