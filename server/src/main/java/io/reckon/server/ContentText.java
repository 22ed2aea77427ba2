package io.reckon.server;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.io.IOException;

/**
 * A chat message's {@code content} in a request ({@link Json}'s request mapper reads
 * {@code ChatMessage.content} with it): a string, or OpenAI's array of content parts of which only
 * text parts ({@code {"type": "text", "text": "..."}}) are read, joined by newlines. Any other
 * part is an input mismatch whose message names the part's index and type.
 */
public final class ContentText extends JsonDeserializer<String> {
  /** Jackson mix-in: {@code ChatMessage.content} read by {@link ContentText}. */
  abstract static class ChatMessageMixin {
    @JsonDeserialize(using = ContentText.class)
    String content;

    @JsonDeserialize(using = ContentText.class)
    abstract String content();
  }

  @Override
  public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_STRING) {
      return p.getText();
    }
    if (t != JsonToken.START_ARRAY) {
      return (String) ctxt.handleUnexpectedToken(String.class, p);
    }
    JsonNode parts = ctxt.readTree(p);
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < parts.size(); i++) {
      JsonNode part = parts.get(i);
      JsonNode type = part.get("type");
      if (!part.isObject() || type == null || !type.isTextual()) {
        return ctxt.reportInputMismatch(String.class, "content part " + i + " is not an object "
            + "with a type: send {\"type\": \"text\", \"text\": \"...\"}");
      }
      if (!type.asText().equals("text")) {
        return ctxt.reportInputMismatch(String.class, "content part " + i + " has type '"
            + printable(type.asText()) + "': this server reads text parts only");
      }
      JsonNode value = part.get("text");
      if (value == null || !value.isTextual()) {
        return ctxt.reportInputMismatch(String.class, "content part " + i + " (type 'text') "
            + "has no string 'text'");
      }
      if (text.length() > 0) {
        text.append('\n');
      }
      text.append(value.asText());
    }
    return text.toString();
  }

  private static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && b.length() < 40; i++) {
      char c = s.charAt(i);
      b.append(c >= 0x20 && c < 0x7f && c != '\'' ? c : '?');
    }
    return b.toString();
  }
}
