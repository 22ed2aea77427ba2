package io.reckon.runtime.format;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A model's chat template: the Jinja text that turns chat messages into the exact string the
 * model was trained on, rendered with HubSpot's jinjava the way Hugging Face's tokenizers render
 * it ({@code trim_blocks} and {@code lstrip_blocks} on; {@code messages}, {@code
 * add_generation_prompt}, {@code bos_token}, {@code eos_token} bound; {@code raise_exception}
 * defined). Two templates ship ({@link #named}): {@code llama-3} (Llama 3.1/3.2 Instruct as
 * search-and-learn renders it) and {@code chatml} (Qwen2.5 and Qwen2.5-Math Instruct); any other
 * comes from a model's own files ({@link HfFiles}).
 *
 * <p>Rendering is bounded (output size, nesting): a template read from a model folder is input.
 * Instances are immutable and safe to share between threads.
 */
public final class ChatTemplate {
  /** The templates shipped with Reckon, by the names presets use. */
  public static final List<String> BUILTIN = List.of("llama-3", "chatml");

  private static final long MAX_OUTPUT_CHARS = 4L << 20;
  private static final Jinjava JINJAVA = engine();
  // jinjava reports a failing function by its name only: the template's own words are kept here.
  private static final ThreadLocal<String> RAISED = new ThreadLocal<>();

  private final String name;
  private final String source;
  private final String bosToken;
  private final String eosToken;

  public ChatTemplate(String name, String source, String bosToken, String eosToken) {
    this.name = Objects.requireNonNull(name, "name");
    this.source = Objects.requireNonNull(source, "source");
    this.bosToken = bosToken == null ? "" : bosToken;
    this.eosToken = eosToken == null ? "" : eosToken;
  }

  /**
   * A shipped template by name.
   *
   * @throws IllegalArgumentException naming the shipped ones
   */
  public static ChatTemplate named(String name) {
    if (!BUILTIN.contains(name)) {
      throw new IllegalArgumentException("unknown chat template '" + name + "': shipped are "
          + String.join(", ", BUILTIN) + " (or give a model folder with tokenizer_config.json, "
          + "or a .jinja file)");
    }
    try (InputStream in = ChatTemplate.class.getResourceAsStream(name + ".jinja")) {
      if (in == null) {
        throw new IllegalStateException("the shipped chat template " + name + " is missing from the jar");
      }
      String source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return switch (name) {
        case "llama-3" -> new ChatTemplate(name, source, "<|begin_of_text|>", "<|eot_id|>");
        default -> new ChatTemplate(name, source, "", "<|im_end|>");
      };
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the shipped chat template " + name, e);
    }
  }

  /**
   * The template a setting names: a shipped name ({@link #BUILTIN}), a model folder whose
   * Hugging Face files carry one ({@link HfFiles}), or a {@code .jinja} file.
   *
   * @throws IllegalArgumentException saying which of these was expected
   */
  public static ChatTemplate resolve(String spec) {
    String s = spec == null ? "" : spec.strip();
    if (BUILTIN.contains(s)) {
      return named(s);
    }
    java.nio.file.Path path = java.nio.file.Path.of(s);
    if (java.nio.file.Files.isDirectory(path)) {
      HfFiles files = HfFiles.read(path);
      if (!files.hasTemplate()) {
        throw new IllegalArgumentException("chat template '" + spec + "': the folder has no "
            + "chat_template.jinja and no chat_template in tokenizer_config.json");
      }
      return files.template();
    }
    if (java.nio.file.Files.isRegularFile(path)) {
      try {
        return new ChatTemplate(path.getFileName().toString(), java.nio.file.Files.readString(path), "", "");
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read chat template " + path + ": " + e.getMessage());
      }
    }
    return named(s);
  }

  public String name() {
    return name;
  }

  public String source() {
    return source;
  }

  /**
   * The text of {@code messages}; with {@code addGenerationPrompt} it ends where the assistant's
   * reply starts (the header of a new assistant turn).
   *
   * @throws IllegalArgumentException when the template fails (a syntax error, {@code
   *     raise_exception}, output past the bound), with the template's name and the error
   */
  public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
    List<Map<String, Object>> list = new ArrayList<>(messages.size());
    for (ChatMessage m : messages) {
      list.add(m.asMap());
    }
    Map<String, Object> bindings = new HashMap<>();
    bindings.put("messages", list);
    bindings.put("add_generation_prompt", addGenerationPrompt);
    bindings.put("bos_token", bosToken);
    bindings.put("eos_token", eosToken);
    RenderResult result;
    RAISED.remove();
    try {
      result = JINJAVA.renderForResult(source, bindings);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("chat template " + name + " failed: " + e.getMessage()
          + raised(), e);
    }
    for (TemplateError error : result.getErrors()) {
      if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
        throw new IllegalArgumentException(
            "chat template " + name + " failed: " + error.getMessage()
                + (error.getLineno() > 0 ? " (line " + error.getLineno() + ")" : "") + raised());
      }
    }
    return result.getOutput();
  }

  /** Called by templates as {@code raise_exception('...')}: the template refuses its messages. */
  public static String raiseException(String message) {
    RAISED.set(message);
    throw new IllegalArgumentException("the template raised: " + message);
  }

  private static String raised() {
    String message = RAISED.get();
    RAISED.remove();
    return message == null ? "" : ": " + message;
  }

  private static Jinjava engine() {
    JinjavaConfig config = JinjavaConfig.newBuilder()
        .withTrimBlocks(true)
        .withLstripBlocks(true)
        .withMaxOutputSize(MAX_OUTPUT_CHARS)
        .withMaxRenderDepth(16)
        // Jinja2's (Python's) semantics, which Hugging Face templates are written for: {{- -}}
        // and {#- -#} trim, operators bind as in Python, backslashes only escape inside quotes,
        // one trailing newline of the template is dropped.
        .withLegacyOverrides(LegacyOverrides.newBuilder()
            .withUseTrimmingForNotesAndExpressions(true)
            .withParseWhitespaceControlStrictly(true)
            .withUseNaturalOperatorPrecedence(true)
            .withHandleBackslashInQuotesOnly(true)
            .withDefaultKeepTrailingNewlineBehavior(true)
            .build())
        .build();
    Jinjava jinjava = new Jinjava(config);
    jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition(
        "", "raise_exception", ChatTemplate.class, "raiseException", String.class));
    return jinjava;
  }

  @Override
  public String toString() {
    return name;
  }
}
