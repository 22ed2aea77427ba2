package io.reckon.protocol.openai;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Every token the search spent: the prompt once per sample (prefill) and every generated token,
 * over all samples. Verifier tokens are in {@link ReckonInfo}.
 */
public record Usage(
    @JsonProperty("prompt_tokens") long promptTokens,
    @JsonProperty("completion_tokens") long completionTokens,
    @JsonProperty("total_tokens") long totalTokens) {}
