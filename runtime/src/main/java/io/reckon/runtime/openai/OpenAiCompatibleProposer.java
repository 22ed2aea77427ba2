package io.reckon.runtime.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reckon.protocol.Continuation;
import io.reckon.protocol.GenerateReply;
import io.reckon.protocol.GenerateRequest;
import io.reckon.runtime.PromptFormat;
import io.reckon.runtime.Proposer;
import io.reckon.runtime.format.ChatMessage;
import io.reckon.runtime.format.TaskFormat;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A {@link Proposer} over an OpenAI-compatible {@code /v1/completions} endpoint (vLLM, SGLang,
 * llama.cpp server), or {@code /v1/chat/completions} for chat-only servers ({@code api = chat}).
 * Each request of a batch is one HTTP call with {@code n} = samples, sent concurrently through
 * {@link HttpJsonClient} (pooled connections, a per-server concurrency limit); a 429, a 5xx, a
 * timeout or a dropped connection is retried with exponential back-off (honouring {@code
 * Retry-After}), anything else fails at once with the server's answer in the message.
 *
 * <p>The prompt is the run's task rendered for the model family ({@link TaskFormat}: its system
 * prompt, as chat messages for {@code api = chat} or through the family's chat template for
 * {@code api = completions}), or the shipped arithmetic format when the settings carry no
 * rendering. Text is cut into steps here, as the ONNX backend does: at the task's step delimiter
 * (a step may span lines) once {@code maxSteps} steps are written, after the step that states the
 * answer (the task's extractor finds one), or where the server stopped. With {@code
 * maxSteps = 1} the delimiter is sent as a stop sequence so the server stops there itself. A
 * greedy request (temperature 0) asks for one completion and copies it to every sample.
 *
 * <p>Accounting: prompt tokens are the server's {@code usage.prompt_tokens} per returned row (as if
 * each row read the prompt, like the ONNX backend's rows), generated tokens its {@code
 * usage.completion_tokens}; a row's log-probability is the sum of the server's {@code
 * token_logprobs} (0 when the server returns none). FLOPs are 2 · the configured parameter count ·
 * tokens, 0 when the count is not configured. Seeds are passed on as {@code seed}; whether
 * samples reproduce is up to the server.
 */
public final class OpenAiCompatibleProposer implements Proposer {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final OpenAiSettings settings;
  private final HttpJsonClient http;
  private final URI endpoint;

  public OpenAiCompatibleProposer(OpenAiSettings settings) {
    this.settings = settings;
    this.endpoint = settings.completionsUri();
    // One client keeps its connections alive between calls: the pool the calls share.
    this.http = new HttpJsonClient(settings.server(), "openai-proposer");
  }

  public OpenAiSettings settings() {
    return settings;
  }

  @Override
  public long parameters() {
    return settings.parameters();
  }

  @Override
  public String name() {
    return settings.model();
  }

  /** Concurrent calls are merged: the decode loop (or the server) batches continuously. */
  @Override
  public boolean batchesContinuously() {
    return true;
  }

  @Override
  public void close() {
    http.close();
  }

  @Override
  public List<GenerateReply> generate(List<GenerateRequest> batch) {
    return http.map(batch, (GenerateRequest r) -> generate(r), endpoint);
  }

  private GenerateReply generate(GenerateRequest r) {
    PromptFormat format = settings.format();
    TaskFormat rendering = settings.rendering();
    boolean greedy = r.temperature() == 0;
    int n = greedy ? 1 : r.samples();
    boolean chat = settings.api() == OpenAiSettings.Api.CHAT;
    ObjectNode body = JSON.createObjectNode();
    body.put("model", settings.model());
    if (rendering != null) {
      if (chat) {
        messages(body, rendering, r);
      } else {
        body.put("prompt", rendering.completionPrompt(r.question(), r.attempts(), r.prefix()));
      }
    } else if (chat) {
      messages(body, format, r);
    } else {
      body.put("prompt", format.prompt(r.question(), r.attempts(), r.prefix()));
    }
    body.put("n", n);
    body.put("max_tokens", settings.maxTokens());
    body.put("temperature", r.temperature());
    if (!greedy && settings.topP() < 1) {
      body.put("top_p", settings.topP());
    }
    body.put("seed", r.seed());
    if (chat) {
      body.put("logprobs", true);
    } else {
      body.put("logprobs", 1);
    }
    List<String> stop = new ArrayList<>(rendering != null ? rendering.stop() : List.of());
    if (r.maxSteps() == 1) {
      stop.add(settings.stepDelimiter());
    }
    if (!stop.isEmpty()) {
      ArrayNode array = body.putArray("stop");
      stop.forEach(array::add);
    }
    JsonNode response = post(body, r);
    JsonNode usage = response.path("usage");
    List<Continuation> rows = parse(response, n, r, (int) (usage.path("completion_tokens").asLong(0) / n));
    long promptTokens = usage.path("prompt_tokens").asLong(0) * n;
    long generated =
        usage.has("completion_tokens")
            ? usage.path("completion_tokens").asLong(0)
            : rows.stream().mapToLong(Continuation::tokens).sum();
    if (greedy && r.samples() > 1) {
      rows = Collections.nCopies(r.samples(), rows.get(0));
    }
    return new GenerateReply(
        r.requestId(), rows, promptTokens, generated,
        2.0 * settings.parameters() * (promptTokens + generated));
  }

  /**
   * The chat form of the prompt: the question (and earlier attempts) as the user's message; the
   * steps already fixed, if any, as an assistant message that the server continues instead of
   * starting a new one ({@code continue_final_message}, {@code add_generation_prompt = false}:
   * vLLM's and SGLang's extensions of the chat API).
   */
  private static void messages(ObjectNode body, PromptFormat format, GenerateRequest r) {
    ArrayNode messages = body.putArray("messages");
    messages.addObject().put("role", "user").put("content", format.prompt(r.question(), r.attempts(), List.of()));
    if (!r.prefix().isEmpty()) {
      StringBuilder steps = new StringBuilder();
      for (String step : r.prefix()) {
        steps.append(step).append(format.stepDelimiter());
      }
      messages.addObject().put("role", "assistant").put("content", steps.toString());
      body.put("continue_final_message", true);
      body.put("add_generation_prompt", false);
    }
  }

  /**
   * A task's chat: its system prompt and examples, the question as the user's message, and the
   * steps so far as the assistant's message that the server continues.
   */
  private static void messages(ObjectNode body, TaskFormat rendering, GenerateRequest r) {
    ArrayNode messages = body.putArray("messages");
    for (ChatMessage m : rendering.messages(r.question(), r.attempts())) {
      messages.addObject().put("role", m.role()).put("content", m.content());
    }
    if (!r.prefix().isEmpty()) {
      messages.addObject().put("role", "assistant").put("content", rendering.assistantText(r.prefix()));
      body.put("continue_final_message", true);
      body.put("add_generation_prompt", false);
    }
  }

  private JsonNode post(ObjectNode body, GenerateRequest r) {
    String where = "request " + r.requestId() + " of question " + r.questionId() + " to " + endpoint;
    return http.post(endpoint, body, where, "a JSON object with 'choices'",
        node -> node.isObject() && node.path("choices").isArray());
  }

  /** initial · 2^attempt with jitter in [50 %, 100 %], never above max-backoff. */
  Duration backoff(int attempt, Duration retryAfter) {
    return http.backoff(attempt, retryAfter);
  }

  private static String excerpt(String s) {
    return HttpJsonClient.excerpt(s);
  }

  private List<Continuation> parse(JsonNode response, int n, GenerateRequest r, int tokensIfUnsaid) {
    String where = "request " + r.requestId() + " to " + endpoint;
    ArrayNode choices = (ArrayNode) response.get("choices");
    if (choices.size() != n) {
      throw new OpenAiException(
          where + " asked for n = " + n + " completions but got " + choices.size());
    }
    JsonNode[] ordered =
        HttpJsonClient.byIndex(choices, n, where, "choice", "a text", c -> text(c).isTextual());
    List<Continuation> rows = new ArrayList<>(n);
    for (JsonNode c : ordered) {
      rows.add(continuation(c, r, tokensIfUnsaid));
    }
    return rows;
  }

  private Continuation continuation(JsonNode choice, GenerateRequest r, int tokensIfUnsaid) {
    PromptFormat format = settings.format();
    TaskFormat rendering = settings.rendering();
    String text = text(choice).asText();
    String finish = choice.path("finish_reason").asText("");
    String delimiter = settings.stepDelimiter();
    List<String> steps = new ArrayList<>();
    boolean finished = false;
    boolean done = false;
    int from = 0;
    while (!done) {
      int at = text.indexOf(delimiter, from);
      String line;
      boolean complete;
      if (at >= 0) {
        line = text.substring(from, at);
        from = at + delimiter.length();
        complete = true;
      } else {
        line = text.substring(from);
        done = true;
        // The server stopped by itself ("stop": end of text or our stop sequence): the open line
        // is whole. At "length" it was cut and may end mid-number, so it is dropped.
        complete = finish.equals("stop");
        if (complete && !(r.maxSteps() == 1 && stoppedAtSequence(choice, delimiter))) {
          finished = true;
        }
      }
      if (!complete || line.isBlank()) {
        continue;
      }
      steps.add(line);
      if (rendering != null ? rendering.finishes(line) : format.isAnswerLine(line)) {
        finished = true;
        break;
      }
      if (r.maxSteps() > 0 && steps.size() >= r.maxSteps()) {
        finished = done && finished;
        break;
      }
    }
    JsonNode logprobs = choice.path("logprobs");
    JsonNode tokenLogprobs = logprobs.path("token_logprobs");
    double logProb = 0;
    int tokens = tokensIfUnsaid;
    if (logprobs.path("content").isArray()) {
      // The chat API's shape: one object per token with its "logprob".
      tokens = logprobs.path("content").size();
      for (JsonNode t : logprobs.path("content")) {
        logProb += t.path("logprob").asDouble(0);
      }
    } else if (tokenLogprobs.isArray()) {
      tokens = tokenLogprobs.size();
      for (JsonNode lp : tokenLogprobs) {
        if (lp.isNumber()) {
          logProb += lp.asDouble();
        }
      }
    }
    return new Continuation(steps, finished, tokens, logProb);
  }

  /** A choice's text: {@code text} in the completions API, {@code message.content} in chat. */
  private static JsonNode text(JsonNode choice) {
    return choice.has("message") ? choice.path("message").path("content") : choice.path("text");
  }

  /**
   * Whether a "stop" finish came from the step delimiter rather than the end of text. vLLM says so
   * in {@code stop_reason} (the matched string, or null for end of text; a model family's
   * end-of-turn stop string is an end of text too); without it, the delimiter was asked for and
   * is the likelier cause.
   */
  private static boolean stoppedAtSequence(JsonNode choice, String delimiter) {
    JsonNode reason = choice.get("stop_reason");
    if (reason == null) {
      return true;
    }
    return reason.isTextual() && reason.asText().equals(delimiter);
  }
}
