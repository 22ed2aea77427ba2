package io.reckon.runtime.onnx;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.reckon.runtime.PromptFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A model directory's {@code config.json}: what the ONNX graph does not say (parameter count for
 * FLOPs, the special tokens, the text format) and what it should agree with (layers, heads).
 *
 * @param kind {@code causal-lm} for a policy, {@code prm} for a process reward model
 * @param trainingTokens tokens seen in pretraining, for the FLOPs-matched comparison; 0 if unknown
 * @param canRevise whether the format names a revision template (earlier attempts in the prompt)
 */
public record ModelConfig(
    String name,
    String kind,
    long parameters,
    long trainingTokens,
    int layers,
    int heads,
    int hidden,
    int headDim,
    int vocabSize,
    int maxPositions,
    long padTokenId,
    long eosTokenId,
    PromptFormat format,
    boolean canRevise) {

  public static final String CAUSAL_LM = "causal-lm";

  /** The same model answering in another text format (a task rendered through its template). */
  public ModelConfig withFormat(PromptFormat f) {
    return new ModelConfig(name, kind, parameters, trainingTokens, layers, heads, hidden, headDim,
        vocabSize, maxPositions, padTokenId, eosTokenId, f, canRevise || f.rendering() != null);
  }

  public static final String PRM = "prm";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Reads and checks {@code file}; every problem names the file and the field. */
  public static ModelConfig read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ModelLoadException(
          "model config not found: " + file + " (expected a config.json beside model.onnx)");
    } catch (IOException e) {
      throw new ModelLoadException("cannot read model config " + file + ": " + e.getMessage(), e);
    }
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new ModelLoadException(
          "model config " + file + " is not valid JSON (" + e.getOriginalMessage() + ")", e);
    }
    if (root == null || !root.isObject()) {
      throw new ModelLoadException("model config " + file + " must hold a JSON object");
    }
    Fields f = new Fields(file, root, "");
    String kind = f.text("kind");
    if (!kind.equals(CAUSAL_LM) && !kind.equals(PRM)) {
      throw new ModelLoadException(
          "model config " + file + ": field 'kind' must be \"" + CAUSAL_LM + "\" or \"" + PRM
              + "\", was \"" + kind + "\"");
    }
    int layers = f.positiveInt("layers");
    int heads = f.positiveInt("heads");
    int headDim = f.positiveInt("head_dim");
    int hidden = root.has("hidden") ? f.positiveInt("hidden") : heads * headDim;
    JsonNode fmt = root.get("format");
    if (fmt == null || !fmt.isObject()) {
      throw new ModelLoadException(
          "model config " + file + ": missing required object 'format' (prompt_template, "
              + "step_delimiter, answer_marker, and for revisions revision_attempt_template, "
              + "revision_attempt_joiner, max_revision_attempts)");
    }
    Fields ff = new Fields(file, fmt, "format.");
    String promptTemplate = ff.text("prompt_template");
    if (!promptTemplate.contains("{question}")) {
      throw new ModelLoadException(
          "model config " + file + ": format.prompt_template must contain {question}, was \""
              + promptTemplate + "\"");
    }
    String delimiter = ff.text("step_delimiter");
    String answerMarker = ff.text("answer_marker");
    boolean canRevise = fmt.has("revision_attempt_template");
    PromptFormat format =
        canRevise
            ? new PromptFormat(
                promptTemplate,
                ff.text("revision_attempt_template"),
                ff.rawText("revision_attempt_joiner"),
                ff.positiveInt("max_revision_attempts"),
                delimiter,
                answerMarker)
            : new PromptFormat(promptTemplate, "", "", 0, delimiter, answerMarker);
    long trainingTokens = root.has("training_tokens") ? f.nonNegativeLong("training_tokens") : 0;
    return new ModelConfig(
        f.text("name"),
        kind,
        f.positiveLong("parameters"),
        trainingTokens,
        layers,
        heads,
        hidden,
        headDim,
        f.positiveInt("vocab_size"),
        f.positiveInt("max_positions"),
        f.nonNegativeLong("pad_token_id"),
        f.nonNegativeLong("eos_token_id"),
        format,
        canRevise);
  }

  /** Field access that names the file and the field in every error. */
  private record Fields(Path file, JsonNode node, String prefix) {
    private JsonNode required(String field, String expected) {
      JsonNode v = node.get(field);
      if (v == null || v.isNull()) {
        throw new ModelLoadException(
            "model config " + file + ": missing required field '" + prefix + field + "' ("
                + expected + ")");
      }
      return v;
    }

    String rawText(String field) {
      JsonNode v = required(field, "a string");
      if (!v.isTextual()) {
        throw new ModelLoadException(
            "model config " + file + ": field '" + prefix + field + "' must be a string, was " + v);
      }
      return v.asText();
    }

    String text(String field) {
      String s = rawText(field);
      if (s.isEmpty()) {
        throw new ModelLoadException(
            "model config " + file + ": field '" + prefix + field + "' must not be empty");
      }
      return s;
    }

    long nonNegativeLong(String field) {
      JsonNode v = required(field, "an integer >= 0");
      if (!v.isIntegralNumber() || v.asLong() < 0) {
        throw new ModelLoadException(
            "model config " + file + ": field '" + prefix + field + "' must be an integer >= 0, was "
                + v);
      }
      return v.asLong();
    }

    long positiveLong(String field) {
      JsonNode v = required(field, "an integer > 0");
      if (!v.isIntegralNumber() || v.asLong() <= 0) {
        throw new ModelLoadException(
            "model config " + file + ": field '" + prefix + field + "' must be an integer > 0, was "
                + v);
      }
      return v.asLong();
    }

    int positiveInt(String field) {
      long v = positiveLong(field);
      if (v > Integer.MAX_VALUE) {
        throw new ModelLoadException(
            "model config " + file + ": field '" + prefix + field + "' is too large: " + v);
      }
      return (int) v;
    }
  }
}
