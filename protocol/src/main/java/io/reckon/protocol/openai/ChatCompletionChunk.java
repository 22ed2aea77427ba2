package io.reckon.protocol.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * One streamed piece of a chat completion ({@code object} = {@code chat.completion.chunk}): the
 * first carries the role, then content deltas, then one with the finish reason; with
 * {@code include_usage} a last chunk with no choices carries the usage.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChatCompletionChunk(
    String id, String object, long created, String model, List<Choice> choices, Usage usage,
    ReckonInfo reckon) {

  public record Choice(
      int index,
      ChatMessage delta,
      @JsonInclude(JsonInclude.Include.ALWAYS) Object logprobs,
      @JsonInclude(JsonInclude.Include.ALWAYS) @JsonProperty("finish_reason") String finishReason) {}
}
