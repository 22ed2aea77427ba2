package io.reckon.protocol.openai;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * {@code POST /v1/chat/completions}: the question is the last user message. Sampling fields are
 * accepted and ignored, as for {@link CompletionRequest}.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ChatCompletionRequest(
    String model,
    List<ChatMessage> messages,
    Integer n,
    @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> stop,
    Boolean stream,
    @JsonProperty("stream_options") StreamOptions streamOptions,
    ReckonOptions reckon) {}
