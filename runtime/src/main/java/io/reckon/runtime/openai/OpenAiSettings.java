package io.reckon.runtime.openai;

import io.reckon.runtime.PromptFormat;
import io.reckon.runtime.SettingValues;
import io.reckon.runtime.format.TaskFormat;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * How to reach an OpenAI-compatible server (vLLM, SGLang, llama.cpp server) as the policy, and
 * what to ask it for. Read once from configuration ({@code reckon.models.openai}) through {@link
 * #fromMap}.
 *
 * @param server where the server is, its key, timeouts, retries and concurrency limit
 * @param model the model name the server expects in {@code "model"}
 * @param parameters the model's parameter count, for FLOPs; 0 when unknown (FLOPs are then
 *     reported as 0, and the backend says so at start-up)
 * @param api {@code completions} ({@code /v1/completions}, the prompt continued as text) or
 *     {@code chat} ({@code /v1/chat/completions}, for chat-only servers: the question as the user
 *     message, the steps so far as an assistant message the server continues)
 * @param maxTokens {@code max_tokens} of each request
 * @param topP {@code top_p} for sampled requests
 * @param format the shipped models' text format (prompt, step delimiter, answer marker), used
 *     when {@code rendering} is null: the arith default, byte for byte as before tasks
 * @param rendering the run's task rendered for this model family (system prompt, chat template,
 *     stop strings, step delimiter, answer extraction); null for the shipped format
 * @param chatTemplate {@code reckon.models.openai.chat-template} as configured ("" = none): a
 *     shipped template's name, a model folder or a .jinja file, for {@code api = completions}
 */
public record OpenAiSettings(
    ServerSettings server,
    String model,
    long parameters,
    Api api,
    int maxTokens,
    double topP,
    PromptFormat format,
    TaskFormat rendering,
    String chatTemplate) {

  /** Which endpoint generates. */
  public enum Api {
    COMPLETIONS,
    CHAT
  }

  public OpenAiSettings {
    if (server == null) {
      throw new IllegalArgumentException("openai server settings are required");
    }
    if (model == null || model.isBlank()) {
      throw new IllegalArgumentException(
          "openai model is required (the name the server serves, e.g. --model Qwen/Qwen2.5-Math-1.5B-Instruct)");
    }
    if (parameters < 0) {
      throw new IllegalArgumentException(
          "openai parameters must be >= 0 (the model's parameter count for FLOPs; 0 = unknown), was "
              + parameters);
    }
    if (api == null) {
      throw new IllegalArgumentException("openai api is required (completions or chat)");
    }
    if (maxTokens < 1) {
      throw new IllegalArgumentException("openai max-tokens must be >= 1, was " + maxTokens);
    }
    if (!(topP > 0 && topP <= 1)) {
      throw new IllegalArgumentException("openai top-p must be in (0, 1], was " + topP);
    }
    if (format == null) {
      throw new IllegalArgumentException("openai format is required");
    }
    chatTemplate = chatTemplate == null ? "" : chatTemplate.strip();
  }

  /** Defaults for everything but where the server is and what it serves. */
  public static OpenAiSettings of(String baseUrl, String model, long parameters) {
    return new OpenAiSettings(
        ServerSettings.of(baseUrl), model, parameters, Api.COMPLETIONS, 256, 1.0, PromptFormat.ARITH, null, "");
  }

  public String baseUrl() {
    return server.baseUrl();
  }

  public String apiKey() {
    return server.apiKey();
  }

  public Duration connectTimeout() {
    return server.connectTimeout();
  }

  public Duration requestTimeout() {
    return server.requestTimeout();
  }

  public int maxRetries() {
    return server.maxRetries();
  }

  public Duration initialBackoff() {
    return server.initialBackoff();
  }

  public Duration maxBackoff() {
    return server.maxBackoff();
  }

  public int maxConcurrentRequests() {
    return server.maxConcurrentRequests();
  }

  /** Whether FLOPs can be counted: the parameter count was configured. */
  public boolean parametersKnown() {
    return parameters > 0;
  }

  /** The endpoint that generates: {@code /v1/completions} or {@code /v1/chat/completions}. */
  public URI completionsUri() {
    return server.v1(api == Api.CHAT ? "chat/completions" : "completions");
  }

  public OpenAiSettings withServer(ServerSettings s) {
    return new OpenAiSettings(s, model, parameters, api, maxTokens, topP, format, rendering, chatTemplate);
  }

  public OpenAiSettings withTimeouts(Duration connect, Duration request) {
    return withServer(server.withTimeouts(connect, request));
  }

  public OpenAiSettings withRetries(int retries, Duration initial, Duration max) {
    return withServer(server.withRetries(retries, initial, max));
  }

  public OpenAiSettings withApiKey(String key) {
    return withServer(server.withApiKey(key));
  }

  public OpenAiSettings withMaxTokens(int tokens) {
    return new OpenAiSettings(server, model, parameters, api, tokens, topP, format, rendering, chatTemplate);
  }

  public OpenAiSettings withApi(Api a) {
    return new OpenAiSettings(server, model, parameters, a, maxTokens, topP, format, rendering, chatTemplate);
  }

  public OpenAiSettings withModel(String m) {
    return new OpenAiSettings(server, m, parameters, api, maxTokens, topP, format, rendering, chatTemplate);
  }

  public OpenAiSettings withFormat(PromptFormat f) {
    return new OpenAiSettings(server, model, parameters, api, maxTokens, topP, f, rendering, chatTemplate);
  }

  /** The run's task rendered for this model (null: the shipped arith format). */
  public OpenAiSettings withRendering(TaskFormat r) {
    return new OpenAiSettings(server, model, parameters, api, maxTokens, topP, format, r, chatTemplate);
  }

  /** The step delimiter the proposer cuts at: the task's, else the shipped format's. */
  public String stepDelimiter() {
    return rendering != null ? rendering.stepDelimiter() : format.stepDelimiter();
  }

  /** As {@link #fromMap(Map, UnaryOperator)}, with the key read from the process environment. */
  public static OpenAiSettings fromMap(Map<String, ?> values) {
    return fromMap(values, System::getenv);
  }

  /**
   * Reads settings from plain values. Required: {@code base-url}, {@code model}. Optional: {@code
   * parameters} (0 = unknown), {@code api} ({@code completions} or {@code chat}), {@code
   * max-tokens}, {@code top-p}, and the server keys of {@link ServerSettings} ({@code
   * api-key-env}, timeouts, retries, {@code max-concurrent-requests}). Durations are milliseconds
   * as a number or a string such as {@code 500ms}, {@code 30s}, {@code 2m}. The text format is
   * the shipped models' unless the caller sets another with {@link #withFormat}.
   */
  public static OpenAiSettings fromMap(Map<String, ?> values, UnaryOperator<String> env) {
    String scope = "reckon.models.openai";
    ServerSettings server = ServerSettings.read(scope, values, env);
    String model = ServerSettings.model(scope, values, "--model");
    OpenAiSettings d = of(server.baseUrl(), model, 0).withServer(server);
    long parameters = 0;
    Api api = d.api;
    int maxTokens = d.maxTokens;
    double topP = d.topP;
    String chatTemplate = "";
    for (Map.Entry<String, ?> e : ServerSettings.others(values)) {
      String key = e.getKey();
      Object v = e.getValue();
      switch (SettingValues.normalize(key)) {
        case "parameters" -> parameters = SettingValues.integer(scope, key, v);
        case "api" -> api = api(scope, v);
        case "maxtokens" -> maxTokens = (int) SettingValues.integer(scope, key, v);
        case "topp" -> topP = SettingValues.number(scope, key, v);
        case "chattemplate" -> chatTemplate = String.valueOf(v);
        default -> throw new IllegalArgumentException(
            "unknown setting " + scope + "." + key + " (known: model, parameters, api, max-tokens, "
                + "top-p, chat-template, " + ServerSettings.KEY_NAMES + ")");
      }
    }
    try {
      return new OpenAiSettings(server, d.model, parameters, api, maxTokens, topP, d.format, null,
          chatTemplate);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(scope + ": " + e.getMessage());
    }
  }

  private static Api api(String scope, Object v) {
    String s = String.valueOf(v).strip().toLowerCase(Locale.ROOT);
    return switch (s) {
      case "completions" -> Api.COMPLETIONS;
      case "chat" -> Api.CHAT;
      default -> throw new IllegalArgumentException(
          scope + ".api must be completions or chat (for chat-only servers), was '" + v + "'");
    };
  }
}
