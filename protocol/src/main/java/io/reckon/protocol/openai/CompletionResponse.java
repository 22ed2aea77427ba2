package io.reckon.protocol.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The reply of {@code /v1/completions} ({@code object} = {@code text_completion}), and with
 * {@code object} = {@code text_completion} and one choice each, its stream chunks.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CompletionResponse(
    String id, String object, long created, String model, List<Choice> choices, Usage usage,
    ReckonInfo reckon) {

  /** {@code logprobs} is always written (as null): clients expect the key. */
  public record Choice(
      String text,
      int index,
      @JsonInclude(JsonInclude.Include.ALWAYS) Object logprobs,
      @JsonInclude(JsonInclude.Include.ALWAYS) @JsonProperty("finish_reason") String finishReason) {}
}
