package io.reckon.server;

import io.reckon.protocol.openai.CompletionRequest;
import io.reckon.protocol.openai.CompletionResponse;
import io.reckon.protocol.openai.Usage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * {@code POST /v1/completions} with {@code prompt} a list (LangChain's {@code generate} with
 * several prompts): one search per prompt, answered in one response as OpenAI does, the choices
 * of prompt {@code k} numbered {@code k·n + rank}. Also the decoding of a model id in a path.
 */
final class PromptList {
  /** The most prompts one request may carry: each is a full search. */
  static final int MAX_PROMPTS = 16;

  private PromptList() {}

  /** The request as one request per prompt (itself when it has one); a 400 beyond the limits. */
  static List<CompletionRequest> split(CompletionRequest r) {
    List<String> prompts = r.prompt();
    if (prompts == null || prompts.size() <= 1) {
      return List.of(r);
    }
    if (prompts.size() > MAX_PROMPTS) {
      throw ApiException.badRequest("prompt", "at most " + MAX_PROMPTS + " prompts per request "
          + "(each is a search of its own); got " + prompts.size());
    }
    if (Boolean.TRUE.equals(r.stream())) {
      throw ApiException.badRequest("prompt", "streaming answers one prompt per request; send "
          + "the " + prompts.size() + " prompts one by one, or with stream false");
    }
    List<CompletionRequest> each = new ArrayList<>();
    for (int k = 0; k < prompts.size(); k++) {
      String prompt = prompts.get(k);
      if (prompt == null || prompt.isBlank()) {
        throw ApiException.badRequest("prompt[" + k + "]", "prompt[" + k + "] is empty: send "
            + "the question");
      }
      each.add(new CompletionRequest(r.model(), List.of(prompt), r.n(), r.stop(), r.stream(),
          r.streamOptions(), r.reckon()));
    }
    return each;
  }

  /**
   * One response of the prompts' responses, in prompt order: the first error if any prompt failed,
   * otherwise their choices renumbered and their usage summed.
   */
  static HttpResponse merge(String id, int n, List<Object> replies) {
    for (Object reply : replies) {
      if (reply instanceof ApiException e) {
        return Errors.response(e);
      }
    }
    List<CompletionResponse.Choice> choices = new ArrayList<>();
    long prompt = 0;
    long completion = 0;
    CompletionResponse first = (CompletionResponse) replies.get(0);
    for (int k = 0; k < replies.size(); k++) {
      CompletionResponse r = (CompletionResponse) replies.get(k);
      for (CompletionResponse.Choice c : r.choices()) {
        choices.add(new CompletionResponse.Choice(c.text(), k * n + c.index(), c.logprobs(),
            c.finishReason()));
      }
      if (r.usage() != null) {
        prompt += r.usage().promptTokens();
        completion += r.usage().completionTokens();
      }
    }
    return HttpSupport.json(200, new CompletionResponse(id, first.object(), first.created(),
        first.model(), choices, new Usage(prompt, completion, prompt + completion),
        first.reckon()));
  }

  /** {@code /reckon%2Fbeam:m=4} -> {@code reckon/beam:m=4}: the path after the prefix, decoded. */
  static String decodePath(String raw) {
    String s = raw.startsWith("/") ? raw.substring(1) : raw;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < s.length() && Character.digit(s.charAt(i + 1), 16) >= 0
          && Character.digit(s.charAt(i + 2), 16) >= 0) {
        out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
