package io.reckon.runtime.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OpenAiSettingsTest {

  @Test
  void readsPlainValuesWithDurationsInAnyUnit() {
    OpenAiSettings s =
        OpenAiSettings.fromMap(
            Map.of(
                "base-url", "http://127.0.0.1:8000/",
                "model", "qwen",
                "parameters", "500000000",
                "request-timeout", "30s",
                "connect_timeout", 750,
                "max-backoff", "2m",
                "max-retries", 2,
                "top-p", 0.9,
                "api", "chat",
                "api-key-env", "MY_KEY"),
            name -> name.equals("MY_KEY") ? "k" : null);
    assertThat(s.completionsUri().toString()).isEqualTo("http://127.0.0.1:8000/v1/chat/completions");
    assertThat(s.requestTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.connectTimeout()).isEqualTo(Duration.ofMillis(750));
    assertThat(s.maxBackoff()).isEqualTo(Duration.ofMinutes(2));
    assertThat(s.maxRetries()).isEqualTo(2);
    assertThat(s.parameters()).isEqualTo(500_000_000L);
    assertThat(s.apiKey()).isEqualTo("k");
    assertThat(OpenAiSettings.of("https://h/v1", "m", 1).completionsUri().toString())
        .isEqualTo("https://h/v1/completions");
    assertThat(OpenAiSettings.fromMap(Map.of("base-url", "http://h", "model", "m"), n -> null).parametersKnown())
        .as("parameters default to unknown")
        .isFalse();
  }

  @Test
  void rejectsWhatCannotWork() {
    assertThatThrownBy(() -> OpenAiSettings.fromMap(Map.of("model", "m", "parameters", 1)))
        .hasMessageContaining("reckon.models.openai.base-url is required");
    assertThatThrownBy(() -> OpenAiSettings.fromMap(Map.of("base-url", "http://h"), n -> null))
        .hasMessageContaining("reckon.models.openai.model is required");
    assertThatThrownBy(
            () -> OpenAiSettings.fromMap(
                Map.of("base-url", "http://h", "model", "m", "api-key-env", "NOPE"), n -> null))
        .hasMessageContaining("api-key-env names NOPE, which is not set");
    assertThatThrownBy(
            () -> OpenAiSettings.fromMap(Map.of("base-url", "http://h", "model", "m", "api", "rpc"), n -> null))
        .hasMessageContaining("completions or chat");
    assertThatThrownBy(() -> OpenAiSettings.of("ftp://h", "m", 1)).hasMessageContaining("http(s) URL");
    assertThatThrownBy(() -> OpenAiSettings.of("http://h", "m", -1)).hasMessageContaining("parameters must be >= 0");
    assertThatThrownBy(
            () -> OpenAiSettings.fromMap(Map.of("base-url", "http://h", "model", "m", "parameters", 1, "retries", 3)))
        .hasMessageContaining("unknown setting reckon.models.openai.retries");
    assertThatThrownBy(
            () -> OpenAiSettings.fromMap(
                Map.of("base-url", "http://h", "model", "m", "parameters", 1, "request-timeout", "soon")))
        .hasMessageContaining("must be a duration");
  }
}
