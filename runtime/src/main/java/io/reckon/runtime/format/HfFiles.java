package io.reckon.runtime.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a Hugging Face model folder says about its format, read when the files are there (an
 * Optimum export keeps them next to {@code model.onnx}): the chat template ({@code
 * chat_template.jinja}, else {@code tokenizer_config.json}'s {@code chat_template}, a string or a
 * list of named templates of which {@code default} is taken), its BOS and EOS tokens, and {@code
 * generation_config.json}'s end-of-sequence ids and stop strings. A folder without them (the
 * shipped arithmetic models) has no template, and its models keep their own format.
 *
 * @param template the model's chat template, or null when it ships none
 * @param eosTokenIds ids that end a generation besides the tokenizer's EOS (may be empty)
 * @param stopStrings texts that end a generation (may be empty)
 */
public record HfFiles(ChatTemplate template, List<Long> eosTokenIds, List<String> stopStrings) {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long MAX_FILE_BYTES = 16L << 20;

  public HfFiles {
    eosTokenIds = List.copyOf(eosTokenIds);
    stopStrings = List.copyOf(stopStrings);
  }

  public static final HfFiles NONE = new HfFiles(null, List.of(), List.of());

  /**
   * Reads {@code dir}'s files; missing files are simply absent.
   *
   * @throws IllegalArgumentException when a file is there but unreadable or malformed, naming it
   */
  public static HfFiles read(Path dir) {
    JsonNode tokenizer = json(dir.resolve("tokenizer_config.json"));
    JsonNode generation = json(dir.resolve("generation_config.json"));
    String source = null;
    Path jinja = dir.resolve("chat_template.jinja");
    if (Files.isRegularFile(jinja)) {
      source = text(jinja);
    } else if (tokenizer != null) {
      source = templateOf(tokenizer.get("chat_template"), dir.resolve("tokenizer_config.json"));
    }
    ChatTemplate template = null;
    if (source != null) {
      template = new ChatTemplate(dir.getFileName() + "/chat_template", source,
          token(tokenizer, "bos_token"), token(tokenizer, "eos_token"));
    }
    List<Long> eos = new ArrayList<>();
    List<String> stops = new ArrayList<>();
    if (generation != null) {
      JsonNode ids = generation.get("eos_token_id");
      if (ids != null && ids.isIntegralNumber()) {
        eos.add(ids.asLong());
      } else if (ids != null && ids.isArray()) {
        ids.forEach(id -> eos.add(id.asLong()));
      }
      JsonNode strings = generation.get("stop_strings");
      if (strings != null && strings.isTextual()) {
        stops.add(strings.asText());
      } else if (strings != null && strings.isArray()) {
        strings.forEach(s -> stops.add(s.asText()));
      }
    }
    return new HfFiles(template, eos, stops);
  }

  public boolean hasTemplate() {
    return template != null;
  }

  private static String templateOf(JsonNode node, Path file) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isTextual()) {
      return node.asText();
    }
    if (node.isArray()) {
      for (JsonNode named : node) {
        if ("default".equals(named.path("name").asText())) {
          return named.path("template").asText();
        }
      }
    }
    throw new IllegalArgumentException(file + ": chat_template must be a string or a list of "
        + "{name, template} with one named 'default'");
  }

  /** {@code "bos_token": "<s>"} or {@code {"content": "<s>", ...}}; "" when absent. */
  private static String token(JsonNode tokenizer, String key) {
    if (tokenizer == null) {
      return "";
    }
    JsonNode t = tokenizer.get(key);
    if (t == null || t.isNull()) {
      return "";
    }
    return t.isTextual() ? t.asText() : t.path("content").asText("");
  }

  private static JsonNode json(Path file) {
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try {
      JsonNode node = JSON.readTree(text(file));
      if (node == null || !node.isObject()) {
        throw new IllegalArgumentException(file + ": expected a JSON object");
      }
      return node;
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": not valid JSON: " + e.getMessage());
    }
  }

  private static String text(Path file) {
    try {
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw new IllegalArgumentException(file + " is larger than " + MAX_FILE_BYTES + " bytes");
      }
      return Files.readString(file);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
    }
  }
}
