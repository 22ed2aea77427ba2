package io.reckon.protocol.openai;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * {@code POST /v1/completions}. Sampling fields OpenAI clients send (temperature, top_p,
 * max_tokens, ...) are accepted and ignored: the search decides how to sample.
 *
 * @param prompt the question; a one-element array is accepted too
 * @param n how many distinct answers of the final vote to return (1)
 * @param stop sequences that cut the returned text (a string or up to 4 strings)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CompletionRequest(
    String model,
    @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> prompt,
    Integer n,
    @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> stop,
    Boolean stream,
    @JsonProperty("stream_options") StreamOptions streamOptions,
    ReckonOptions reckon) {}
