package io.reckon.protocol.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** The reply of {@code /v1/chat/completions} ({@code object} = {@code chat.completion}). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChatCompletionResponse(
    String id, String object, long created, String model, List<Choice> choices, Usage usage,
    ReckonInfo reckon) {

  public record Choice(
      int index,
      ChatMessage message,
      @JsonInclude(JsonInclude.Include.ALWAYS) Object logprobs,
      @JsonProperty("finish_reason") String finishReason) {}
}
