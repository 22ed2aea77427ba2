package io.reckon.runtime.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reckon.protocol.Continuation;
import io.reckon.protocol.GenerateReply;
import io.reckon.protocol.GenerateRequest;
import io.reckon.runtime.PromptFormat;
import io.reckon.runtime.Proposer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Proposer} over an OpenAI-compatible {@code /v1/completions} endpoint (vLLM, SGLang,
 * llama.cpp server). Each request of a batch is one HTTP call with {@code n} = samples, sent
 * concurrently over one pooled {@link HttpClient}; a 429, a 5xx, a timeout or a dropped connection
 * is retried with exponential back-off (honouring {@code Retry-After}), anything else fails at
 * once with the server's answer in the message.
 *
 * <p>Text is cut into steps here, as the ONNX backend does: at the step delimiter once {@code
 * maxSteps} lines are written, after the answer line, or where the server stopped. With {@code
 * maxSteps = 1} the delimiter is sent as a stop sequence so the server stops there itself. A
 * greedy request (temperature 0) asks for one completion and copies it to every sample.
 *
 * <p>Accounting: prompt tokens are the server's {@code usage.prompt_tokens} per returned row (as if
 * each row read the prompt, like the ONNX backend's rows), generated tokens its {@code
 * usage.completion_tokens}; a row's log-probability is the sum of the server's {@code
 * token_logprobs} (0 when the server returns none). Seeds are passed on as {@code seed}; whether
 * samples reproduce is up to the server.
 */
public final class OpenAiCompatibleProposer implements Proposer {
  private static final Logger log = LoggerFactory.getLogger(OpenAiCompatibleProposer.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final OpenAiSettings settings;
  private final HttpClient client;
  private final URI endpoint;
  private final ExecutorService pool;

  public OpenAiCompatibleProposer(OpenAiSettings settings) {
    this.settings = settings;
    this.endpoint = settings.completionsUri();
    AtomicInteger n = new AtomicInteger();
    // Callers block on I/O only; a pool bounded by max-concurrent-requests keeps the server from
    // seeing more than that many calls at once from this proposer.
    this.pool =
        Executors.newFixedThreadPool(
            settings.maxConcurrentRequests(),
            r -> {
              Thread t = new Thread(r, "openai-proposer-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    // One client keeps its connections alive between calls: the pool the calls share.
    // HTTP/1.1 because inference servers commonly speak only that, and an h2c upgrade costs a trip.
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(settings.connectTimeout())
            .build();
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

  @Override
  public void close() {
    pool.shutdownNow();
  }

  @Override
  public List<GenerateReply> generate(List<GenerateRequest> batch) {
    if (batch.size() == 1) {
      return List.of(generate(batch.get(0)));
    }
    List<Future<GenerateReply>> futures = new ArrayList<>(batch.size());
    try {
      for (GenerateRequest r : batch) {
        futures.add(pool.submit(() -> generate(r)));
      }
      List<GenerateReply> replies = new ArrayList<>(batch.size());
      for (Future<GenerateReply> f : futures) {
        replies.add(f.get());
      }
      return replies;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OpenAiException("interrupted while waiting for " + endpoint, e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new OpenAiException("call to " + endpoint + " failed: " + e.getCause(), e.getCause());
    } finally {
      // One failed call fails the batch; the others need not run on.
      for (Future<GenerateReply> f : futures) {
        f.cancel(true);
      }
    }
  }

  private GenerateReply generate(GenerateRequest r) {
    PromptFormat format = settings.format();
    String prompt = format.prompt(r.question(), r.attempts(), r.prefix());
    boolean greedy = r.temperature() == 0;
    int n = greedy ? 1 : r.samples();
    ObjectNode body = JSON.createObjectNode();
    body.put("model", settings.model());
    body.put("prompt", prompt);
    body.put("n", n);
    body.put("max_tokens", settings.maxTokens());
    body.put("temperature", r.temperature());
    if (!greedy && settings.topP() < 1) {
      body.put("top_p", settings.topP());
    }
    body.put("seed", r.seed());
    body.put("logprobs", 1);
    if (r.maxSteps() == 1) {
      body.putArray("stop").add(format.stepDelimiter());
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

  private JsonNode post(ObjectNode body, GenerateRequest r) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(endpoint)
            .timeout(settings.requestTimeout())
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
    if (!settings.apiKey().isEmpty()) {
      b.header("Authorization", "Bearer " + settings.apiKey());
    }
    HttpRequest request = b.build();
    String where = "request " + r.requestId() + " of question " + r.questionId() + " to " + endpoint;
    for (int attempt = 0; ; attempt++) {
      boolean last = attempt >= settings.maxRetries();
      String failure;
      Duration retryAfter = null;
      try {
        HttpResponse<String> resp = client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        int status = resp.statusCode();
        if (status == 200) {
          return body(resp.body(), where);
        }
        failure = "HTTP " + status + ": " + excerpt(resp.body());
        if (status != 429 && status < 500) {
          throw new OpenAiException(where + " was refused (not retried): " + failure);
        }
        retryAfter = resp.headers().firstValue("Retry-After").map(OpenAiCompatibleProposer::seconds).orElse(null);
      } catch (HttpTimeoutException e) {
        failure = "timed out (" + e.getMessage() + "; connect-timeout " + settings.connectTimeout()
            + ", request-timeout " + settings.requestTimeout() + ")";
      } catch (ConnectException e) {
        failure = "cannot connect (" + e + ")";
      } catch (IOException e) {
        failure = "I/O error (" + e + ")";
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new OpenAiException(where + " was interrupted", e);
      }
      if (last) {
        throw new OpenAiException(
            where + " failed after " + (attempt + 1) + " tries; last: " + failure);
      }
      Duration wait = backoff(attempt, retryAfter);
      log.warn("{} failed ({}); try {} of {} in {} ms", where, failure, attempt + 2, settings.maxRetries() + 1, wait.toMillis());
      try {
        Thread.sleep(wait.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new OpenAiException(where + " was interrupted", e);
      }
    }
  }

  /** initial · 2^attempt with jitter in [50 %, 100 %], never above max-backoff. */
  Duration backoff(int attempt, Duration retryAfter) {
    long max = settings.maxBackoff().toMillis();
    if (retryAfter != null) {
      return Duration.ofMillis(Math.min(max, retryAfter.toMillis()));
    }
    long base = Math.min(max, settings.initialBackoff().toMillis() << Math.min(attempt, 30));
    // Jitter spreads the retries of many workers that failed together.
    return Duration.ofMillis(base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1));
  }

  private static Duration seconds(String header) {
    try {
      return Duration.ofMillis(Math.round(Double.parseDouble(header.strip()) * 1000));
    } catch (NumberFormatException e) {
      return null; // an HTTP date: fall back to our own back-off
    }
  }

  private static JsonNode body(String text, String where) {
    try {
      JsonNode node = JSON.readTree(text);
      if (node == null || !node.isObject() || !node.path("choices").isArray()) {
        throw new OpenAiException(
            where + " returned a malformed body (expected a JSON object with 'choices'): " + excerpt(text));
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new OpenAiException(
          where + " returned a malformed body (not JSON: " + e.getOriginalMessage() + "): " + excerpt(text), e);
    }
  }

  private static String excerpt(String s) {
    String t = s == null ? "" : s.strip();
    return t.length() <= 300 ? t : t.substring(0, 300) + "...";
  }

  private List<Continuation> parse(JsonNode response, int n, GenerateRequest r, int tokensIfUnsaid) {
    String where = "request " + r.requestId() + " to " + endpoint;
    ArrayNode choices = (ArrayNode) response.get("choices");
    if (choices.size() != n) {
      throw new OpenAiException(
          where + " asked for n = " + n + " completions but got " + choices.size());
    }
    Continuation[] rows = new Continuation[n];
    for (int i = 0; i < n; i++) {
      JsonNode c = choices.get(i);
      int index = c.path("index").asInt(i);
      if (index < 0 || index >= n || rows[index] != null || !c.path("text").isTextual()) {
        throw new OpenAiException(
            where + " returned a malformed choice (expected a unique index < " + n + " and a text): "
                + excerpt(c.toString()));
      }
      rows[index] = continuation(c, r, tokensIfUnsaid);
    }
    return List.of(rows);
  }

  private Continuation continuation(JsonNode choice, GenerateRequest r, int tokensIfUnsaid) {
    PromptFormat format = settings.format();
    String text = choice.get("text").asText();
    String finish = choice.path("finish_reason").asText("");
    String delimiter = format.stepDelimiter();
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
        if (complete && !(r.maxSteps() == 1 && stoppedAtSequence(choice))) {
          finished = true;
        }
      }
      if (!complete || line.isBlank()) {
        continue;
      }
      steps.add(line);
      if (format.isAnswerLine(line)) {
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
    if (tokenLogprobs.isArray()) {
      tokens = tokenLogprobs.size();
      for (JsonNode lp : tokenLogprobs) {
        if (lp.isNumber()) {
          logProb += lp.asDouble();
        }
      }
    }
    return new Continuation(steps, finished, tokens, logProb);
  }

  /**
   * Whether a "stop" finish came from our stop sequence rather than the end of text. vLLM says so
   * in {@code stop_reason} (the matched string, or null for end of text); without it, a stop
   * sequence was asked for and is the likelier cause.
   */
  private static boolean stoppedAtSequence(JsonNode choice) {
    JsonNode reason = choice.get("stop_reason");
    if (reason == null) {
      return true;
    }
    return reason.isTextual();
  }
}
