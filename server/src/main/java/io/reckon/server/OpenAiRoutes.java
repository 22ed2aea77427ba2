package io.reckon.server;

import io.reckon.actors.ServiceRun;
import io.reckon.protocol.QuestionResult;
import io.reckon.protocol.openai.ChatCompletionChunk;
import io.reckon.protocol.openai.ChatCompletionRequest;
import io.reckon.protocol.openai.ChatCompletionResponse;
import io.reckon.protocol.openai.ChatMessage;
import io.reckon.protocol.openai.CompletionRequest;
import io.reckon.protocol.openai.CompletionResponse;
import io.reckon.protocol.openai.ModelList;
import io.reckon.protocol.openai.ReckonInfo;
import io.reckon.protocol.openai.ReckonOptions;
import io.reckon.protocol.openai.StreamOptions;
import io.reckon.protocol.openai.Usage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * The OpenAI-compatible endpoint: {@code GET /v1/models}, {@code POST /v1/completions} and
 * {@code POST /v1/chat/completions}, answered by test-time search on the {@link ServiceRun}.
 */
final class OpenAiRoutes extends HttpSupport {
  private static final ByteString KEEP_ALIVE = ByteString.fromString(": keep-alive\n\n");
  private static final ByteString DONE = ByteString.fromString("data: [DONE]\n\n");

  private final Asker asker;
  private final Admission admission;
  private final SearchChoice.PolicySource policies;
  private final Function<String, String> questionCheck;

  /** @param questionCheck why the backend cannot answer a question text, or {@code null} */
  OpenAiRoutes(ServerSettings settings, ServerMetrics metrics, Asker asker, Admission admission,
      SearchChoice.PolicySource policies, Function<String, String> questionCheck) {
    super(settings, metrics);
    this.asker = asker;
    this.admission = admission;
    this.policies = policies;
    this.questionCheck = questionCheck;
  }

  /** What one request asks for, validated. */
  private record Prepared(
      boolean chat, String id, String model, String question, SearchChoice choice, int n,
      List<String> stop, boolean stream, boolean includeUsage, Duration deadline, Long seed) {}

  Route route() {
    return pathPrefix("v1", () -> concat(
        pathPrefix("models", () -> timed("models", () -> get(() -> concat(
            pathEnd(() -> complete(json(200, models()))),
            extractUnmatchedPath(rest -> complete(model(rest))))))),
        path("completions", () -> timed("completions", () -> post(() -> body(bytes -> {
          CompletionRequest r = RequestGuards.check(Json.read(bytes, CompletionRequest.class));
          List<CompletionRequest> each = PromptList.split(r);
          return each.size() == 1 ? answer(completion(each.get(0)))
              : answerAll(each.stream().map(this::completion).toList());
        })))),
        pathPrefix("chat", () -> path("completions", () -> timed("chat", () -> post(() -> body(
            bytes -> answer(chat(RequestGuards.check(
                Json.read(bytes, ChatCompletionRequest.class)))))))))));
  }

  private ModelList models() {
    long created = 1_700_000_000L;
    List<ModelList.Model> list = new ArrayList<>();
    list.add(new ModelList.Model(SearchChoice.MODEL, "model", created, "reckon"));
    for (String s : List.of("best-of-n", "beam:m=4", "lookahead:k=1", "dvts:m=4",
        "revisions", "compute-optimal")) {
      if (!s.equals("compute-optimal") || policies.policy() != null) {
        list.add(new ModelList.Model(SearchChoice.MODEL + "/" + s, "model", created, "reckon"));
      }
    }
    return new ModelList("list", list);
  }

  /** {@code GET /v1/models/{id}}: a listed model, or any model name the server can serve. */
  private HttpResponse model(String rawPath) {
    String id = PromptList.decodePath(rawPath);
    for (ModelList.Model m : models().data()) {
      if (m.id().equals(id)) {
        return json(200, m);
      }
    }
    try {
      SearchChoice.resolve(id, null, settings, policies);
      return json(200, new ModelList.Model(id, "model", 1_700_000_000L, "reckon"));
    } catch (ApiException e) {
      return Errors.response(ApiException.notFound("model_not_found", "The model '"
          + ParseErrors.printable(id) + "' does not exist: this server serves \"reckon\" and "
          + "\"reckon/STRATEGY[@BUDGET]\" (see GET /v1/models)"));
    }
  }

  /**
   * Several prompts: one search each, all admitted or none, answered together with OpenAI's
   * numbering (choice {@code index} = prompt index × n + rank).
   */
  private Route answerAll(List<Prepared> all) {
    if (admission.closed()) {
      return complete(Errors.response(new ApiException(503, "server_error", null, "shutting_down",
          "the server is shutting down; retry in a moment or on another instance")));
    }
    if (!admission.tryAcquire(all.size())) {
      return complete(Errors.tooManyRequests(settings.retryAfter(),
          admission.limit() + " questions in flight and waiting"));
    }
    List<java.util.concurrent.CompletableFuture<Object>> replies = new ArrayList<>();
    for (int k = 0; k < all.size(); k++) {
      Prepared p = all.get(k);
      CompletionStage<ServiceRun.Answer> answer;
      try {
        answer = asker.ask(p.id() + "-" + k, p.question(), p.choice(), p.seed(), p.deadline());
      } catch (RuntimeException e) {
        admission.release(all.size() - k);
        throw e;
      }
      answer.whenComplete((a, error) -> {
        admission.release(1);
        if (a != null) {
          metrics.question(a.result(), "openai");
        }
      });
      replies.add(answer.handle((a, error) -> {
        if (error != null) {
          return (Object) new ApiException(504, "timeout", null, "deadline_exceeded",
              "no answer from the search within the deadline");
        }
        ApiException failure = failure(a.result());
        return failure != null ? failure : reply(p, a);
      }).toCompletableFuture());
    }
    return completeWithFuture(java.util.concurrent.CompletableFuture
        .allOf(replies.toArray(new java.util.concurrent.CompletableFuture<?>[0]))
        .thenApply(done -> PromptList.merge(all.get(0).id(), all.get(0).n(),
            replies.stream().map(java.util.concurrent.CompletableFuture::join).toList())));
  }

  private Prepared completion(CompletionRequest r) {
    if (r.prompt() == null || r.prompt().isEmpty()) {
      throw ApiException.badRequest("prompt", "prompt is required: the question, as a string");
    }
    if (r.prompt().size() > 1) {
      throw ApiException.badRequest("prompt", "send one prompt per request (got "
          + r.prompt().size() + ")");
    }
    return prepare(false, r.model(), r.prompt().get(0), "prompt", r.n(), r.stop(), r.stream(),
        r.streamOptions(), r.reckon());
  }

  private Prepared chat(ChatCompletionRequest r) {
    if (r.messages() == null || r.messages().isEmpty()) {
      throw ApiException.badRequest("messages", "messages is required: at least one message "
          + "with role \"user\"");
    }
    for (int i = r.messages().size() - 1; i >= 0; i--) {
      ChatMessage m = r.messages().get(i);
      if (m != null && "user".equals(m.role())) {
        return prepare(true, r.model(), m.content(), "messages[" + i + "].content", r.n(),
            r.stop(), r.stream(), r.streamOptions(), r.reckon());
      }
    }
    throw ApiException.badRequest("messages", "no message with role \"user\": the question is "
        + "the last user message");
  }

  private Prepared prepare(boolean chat, String model, String question, String questionField,
      Integer n, List<String> stop, Boolean stream, StreamOptions streamOptions,
      ReckonOptions reckon) {
    if (question == null || question.isBlank()) {
      throw ApiException.badRequest(questionField, questionField + " is empty: send the question");
    }
    String refusal = questionCheck.apply(question);
    if (refusal != null) {
      throw ApiException.badRequest(questionField, refusal);
    }
    int count = n == null ? 1 : n;
    if (count < 1 || count > settings.maxN()) {
      throw ApiException.badRequest("n", "n must be between 1 and " + settings.maxN()
          + " (distinct answers returned); got " + count);
    }
    if (stop != null && stop.size() > 4) {
      throw ApiException.badRequest("stop", "at most 4 stop sequences; got " + stop.size());
    }
    SearchChoice choice = SearchChoice.resolve(model, reckon, settings, policies);
    Duration deadline = settings.timeout();
    Long seed = null;
    if (reckon != null) {
      if (reckon.timeout() != null) {
        double t = reckon.timeout();
        if (!(t > 0) || t * 1000 > settings.maxTimeout().toMillis()) {
          throw ApiException.badRequest("reckon.timeout", "timeout must be above 0 and at most "
              + settings.maxTimeout().toSeconds() + " seconds; got " + t);
        }
        deadline = Duration.ofMillis(Math.max(1, Math.round(t * 1000)));
      }
      seed = reckon.seed();
    }
    boolean streaming = Boolean.TRUE.equals(stream);
    boolean usage = streamOptions != null && Boolean.TRUE.equals(streamOptions.includeUsage());
    String id = (chat ? "chatcmpl-" : "cmpl-") + UUID.randomUUID().toString().replace("-", "");
    return new Prepared(chat, id, model.strip(), question.strip(), choice, count, stop, streaming,
        usage, deadline, seed);
  }

  private Route answer(Prepared p) {
    return KeyedAccess.withKey(key -> Disconnects.scoped(scope -> answer(p, key, scope)));
  }

  /** Admitted by generations under the key's fair share; a client that hangs up stops it. */
  private Route answer(Prepared p, ApiKeys.Key key, Disconnects.Scope scope) {
    Admission.Grant grant;
    try {
      grant = admission.acquire(key,
          p.choice().budget() != null ? p.choice().budget() : settings.budget());
    } catch (Admission.Refusal refused) {
      return complete(refused.response());
    }
    CompletionStage<ServiceRun.Answer> answer;
    try {
      answer = asker.ask(p.id(), p.question(), p.choice(), p.seed(), p.deadline());
    } catch (RuntimeException e) {
      grant.release();
      throw e;
    }
    Runnable forget = scope.onClose(() -> {
      admission.cancelled(grant);
      grant.release();
      asker.cancel(p.id());
    });
    answer.whenComplete((a, error) -> {
      forget.run();
      grant.release();
      if (a != null) {
        metrics.question(a.result(), "openai");
      }
    });
    if (p.stream()) {
      return complete(stream(p, answer));
    }
    return completeWithFuture(answer.handle((a, error) -> {
      if (error != null) {
        return Errors.response(new ApiException(504, "timeout", null, "deadline_exceeded",
            "no answer from the search within the deadline"));
      }
      ApiException failure = failure(a.result());
      return failure != null ? Errors.response(failure) : json(200, reply(p, a));
    }));
  }

  /** A failed search as the client sees it; {@code null} when there is an answer. */
  private static ApiException failure(QuestionResult r) {
    if (!r.failed()) {
      return null;
    }
    String error = r.error() == null ? "" : r.error();
    if (error.startsWith(QuestionResult.DEADLINE)) {
      return new ApiException(504, "timeout", "reckon.timeout", "deadline_exceeded",
          "the search had no answer by the request's deadline (" + error + "); raise "
              + "reckon.timeout or lower the budget");
    }
    if (error.startsWith(ServiceRun.NO_WORKERS)) {
      return new ApiException(503, "server_error", null, "no_workers",
          "no model workers are available (" + error + "); retry shortly");
    }
    return new ApiException(500, "server_error", null, "search_failed",
        "the search failed: " + error);
  }

  private Object reply(Prepared p, ServiceRun.Answer a) {
    QuestionResult r = a.result();
    List<Replies.Ranked> top = Replies.top(r, p.n(), p.stop(), p.choice().task());
    String finish = Replies.finishReason(r);
    long created = System.currentTimeMillis() / 1000;
    Usage usage = Replies.usage(r);
    ReckonInfo info = Replies.info(r, a.pooled());
    if (p.chat()) {
      List<ChatCompletionResponse.Choice> choices = new ArrayList<>();
      for (int i = 0; i < top.size(); i++) {
        choices.add(new ChatCompletionResponse.Choice(
            i, new ChatMessage("assistant", top.get(i).text()), null, finish));
      }
      return new ChatCompletionResponse(p.id(), "chat.completion", created, p.model(), choices,
          usage, info);
    }
    List<CompletionResponse.Choice> choices = new ArrayList<>();
    for (int i = 0; i < top.size(); i++) {
      choices.add(new CompletionResponse.Choice(top.get(i).text(), i, null, finish));
    }
    return new CompletionResponse(p.id(), "text_completion", created, p.model(), choices, usage,
        info);
  }

  /**
   * Server-Sent Events in OpenAI's chunk format. The search runs first; until it answers, comment
   * lines every {@code keep-alive} keep clients and proxies waiting.
   */
  private HttpResponse stream(Prepared p, CompletionStage<ServiceRun.Answer> answer) {
    Source<ByteString, ?> events = Source.completionStage(answer.handle((a, error) -> {
          if (error != null) {
            return List.of(errorEvent(new ApiException(504, "timeout", null, "deadline_exceeded",
                "no answer from the search within the deadline")), DONE);
          }
          ApiException failure = failure(a.result());
          return failure != null ? List.of(errorEvent(failure), DONE) : chunks(p, a);
        }))
        .mapConcat(list -> list)
        .keepAlive(settings.keepAlive(), () -> KEEP_ALIVE);
    return eventStream(events);
  }

  private static ByteString event(Object chunk) {
    return ByteString.fromString("data: " + Json.writeString(chunk) + "\n\n");
  }

  private static ByteString errorEvent(ApiException e) {
    return event(e.body());
  }

  private List<ByteString> chunks(Prepared p, ServiceRun.Answer a) {
    QuestionResult r = a.result();
    List<Replies.Ranked> top = Replies.top(r, p.n(), p.stop(), p.choice().task());
    String finish = Replies.finishReason(r);
    long created = System.currentTimeMillis() / 1000;
    ReckonInfo info = Replies.info(r, a.pooled());
    List<ByteString> out = new ArrayList<>();
    if (p.chat()) {
      for (int i = 0; i < top.size(); i++) {
        out.add(event(chatChunk(p, created, i, new ChatMessage("assistant", ""), null, null)));
      }
      for (int i = 0; i < top.size(); i++) {
        for (String piece : pieces(top.get(i).text())) {
          out.add(event(chatChunk(p, created, i, new ChatMessage(null, piece), null, null)));
        }
      }
      for (int i = 0; i < top.size(); i++) {
        out.add(event(chatChunk(p, created, i, new ChatMessage(null, null), finish,
            i == top.size() - 1 ? info : null)));
      }
      if (p.includeUsage()) {
        out.add(event(new ChatCompletionChunk(p.id(), "chat.completion.chunk", created, p.model(),
            List.of(), Replies.usage(r), null)));
      }
    } else {
      for (int i = 0; i < top.size(); i++) {
        for (String piece : pieces(top.get(i).text())) {
          out.add(event(textChunk(p, created, new CompletionResponse.Choice(piece, i, null, null),
              null)));
        }
      }
      for (int i = 0; i < top.size(); i++) {
        out.add(event(textChunk(p, created, new CompletionResponse.Choice("", i, null, finish),
            i == top.size() - 1 ? info : null)));
      }
      if (p.includeUsage()) {
        out.add(event(new CompletionResponse(p.id(), "text_completion", created, p.model(),
            List.of(), Replies.usage(r), null)));
      }
    }
    out.add(DONE);
    return out;
  }

  private static ChatCompletionChunk chatChunk(Prepared p, long created, int index,
      ChatMessage delta, String finish, ReckonInfo info) {
    return new ChatCompletionChunk(p.id(), "chat.completion.chunk", created, p.model(),
        List.of(new ChatCompletionChunk.Choice(index, delta, null, finish)), null, info);
  }

  private static CompletionResponse textChunk(Prepared p, long created,
      CompletionResponse.Choice choice, ReckonInfo info) {
    return new CompletionResponse(p.id(), "text_completion", created, p.model(), List.of(choice),
        null, info);
  }

  /** The text in deltas of one step (line) each, as a model would stream it. */
  private static List<String> pieces(String text) {
    List<String> out = new ArrayList<>();
    int start = 0;
    while (start < text.length()) {
      int nl = text.indexOf('\n', start);
      int end = nl < 0 ? text.length() : nl + 1;
      out.add(text.substring(start, end));
      start = end;
    }
    return out;
  }

}
