package io.reckon.runtime.format;

import java.util.Map;
import java.util.Objects;

/**
 * One message of a chat: what a chat template renders and what the chat API sends.
 *
 * @param role {@code system}, {@code user} or {@code assistant}
 * @param content the message's text
 */
public record ChatMessage(String role, String content) {
  public ChatMessage {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(content, "content");
  }

  public static ChatMessage system(String content) {
    return new ChatMessage("system", content);
  }

  public static ChatMessage user(String content) {
    return new ChatMessage("user", content);
  }

  public static ChatMessage assistant(String content) {
    return new ChatMessage("assistant", content);
  }

  /** The shape templates read ({@code message.role}, {@code message['content']}). */
  Map<String, Object> asMap() {
    return Map.of("role", role, "content", content);
  }
}
