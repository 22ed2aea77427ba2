package io.reckon.runtime.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reckon.protocol.ScoreReply;
import io.reckon.protocol.ScoreRequest;
import io.reckon.runtime.Verifier;
import io.reckon.runtime.format.ChatMessage;
import io.reckon.runtime.format.ChatTemplate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A {@link Verifier} over a token-probability PRM (RLHFlow-style or Math-Shepherd-style, see
 * {@link LogprobSettings}) served by an OpenAI-compatible completions endpoint. One {@code POST
 * /v1/completions} per score request carries every solution as one prompt of a prompt list, with
 * {@code echo}, {@code logprobs} and {@code max_tokens = 1}: the server answers with the
 * log-probability of each prompt token and its top alternatives, and the character offset where
 * each token starts. Reckon knows where in the text it put each step's reply token or tag, finds
 * the token there, and reads the step's score from it.
 *
 * <p>A reply that does not fit fails the call with a message saying what was expected and what
 * came: no {@code logprobs}, no token at a step's offset, a token other than the expected one
 * there (the server's tokenizer merged it with its neighbours), or neither {@code +} nor {@code -}
 * among the alternatives after a Math-Shepherd tag (raise {@code top-logprobs}).
 *
 * <p>Tokens are the server's {@code usage.prompt_tokens}; FLOPs 2 · parameters · tokens.
 */
public final class LogprobPrm extends HttpPrm {
  // Stand-ins for the reply tokens while the chat template renders: private-use characters no
  // template or question contains, replaced by the reply token afterwards.
  private static final char MARK_OPEN = '\uE000';
  private static final char MARK_CLOSE = '\uE001';

  private final LogprobSettings settings;
  private final ChatTemplate template;

  public LogprobPrm(LogprobSettings settings) {
    super(settings.server(), settings.completionsUri(), "logprob-prm", settings.model(),
        settings.parameters());
    this.settings = settings;
    this.template = settings.style() == LogprobSettings.Style.RLHFLOW
        ? ChatTemplate.resolve(settings.chatTemplate()) : null;
  }

  public LogprobSettings settings() {
    return settings;
  }

  /**
   * The text the PRM reads for one solution and the offsets (in Unicode code points, as the
   * server counts them) of the token that scores each step.
   */
  record Layout(String text, int[] offsets) {}

  Layout layout(String question, List<String> steps) {
    return settings.style() == LogprobSettings.Style.RLHFLOW
        ? rlhflow(question, steps) : mathShepherd(question, steps);
  }

  private Layout rlhflow(String question, List<String> steps) {
    List<ChatMessage> messages = new ArrayList<>();
    for (int k = 0; k < steps.size(); k++) {
      messages.add(ChatMessage.user(k == 0 ? question + " " + steps.get(0) : steps.get(k)));
      messages.add(ChatMessage.assistant(MARK_OPEN + Integer.toString(k) + MARK_CLOSE));
    }
    String rendered = template.render(messages, false);
    StringBuilder text = new StringBuilder(rendered.length());
    int[] offsets = new int[steps.size()];
    int found = 0;
    int codePoints = 0;
    int i = 0;
    while (i < rendered.length()) {
      int open = rendered.indexOf(MARK_OPEN, i);
      if (open < 0) {
        text.append(rendered, i, rendered.length());
        break;
      }
      int close = rendered.indexOf(MARK_CLOSE, open);
      text.append(rendered, i, open);
      codePoints += rendered.codePointCount(i, open);
      int k = Integer.parseInt(rendered.substring(open + 1, close));
      if (k != found) {
        throw new IllegalArgumentException("chat template " + template.name()
            + " reordered or dropped the PRM's assistant turns (step " + found + " expected)");
      }
      offsets[found++] = codePoints;
      text.append(settings.goodToken());
      codePoints += settings.goodToken().codePointCount(0, settings.goodToken().length());
      i = close + 1;
    }
    if (found != steps.size()) {
      throw new IllegalArgumentException("chat template " + template.name() + " rendered "
          + found + " of the PRM's " + steps.size() + " assistant turns");
    }
    return new Layout(text.toString(), offsets);
  }

  private Layout mathShepherd(String question, List<String> steps) {
    String template = settings.template();
    int at = template.indexOf("{steps}");
    String head = template.substring(0, at).replace("{question}", question);
    String tail = template.substring(at + "{steps}".length()).replace("{question}", question);
    StringBuilder text = new StringBuilder(head);
    int[] offsets = new int[steps.size()];
    for (int k = 0; k < steps.size(); k++) {
      if (k > 0) {
        text.append(settings.joiner());
      }
      text.append(steps.get(k)).append(' ');
      offsets[k] = text.codePointCount(0, text.length());
      text.append(settings.stepTag());
    }
    text.append(tail);
    return new Layout(text.toString(), offsets);
  }

  @Override
  ScoreReply scoreOne(ScoreRequest r) {
    List<List<Double>> scores = new ArrayList<>(r.solutions().size());
    List<Integer> sent = new ArrayList<>();
    List<Layout> layouts = new ArrayList<>();
    ObjectNode body = HttpJsonClient.JSON.createObjectNode();
    body.put("model", settings.model());
    ArrayNode prompts = body.putArray("prompt");
    for (int i = 0; i < r.solutions().size(); i++) {
      List<String> steps = r.solutions().get(i);
      scores.add(List.of());
      if (!steps.isEmpty()) {
        Layout layout = layout(r.question(), steps);
        sent.add(i);
        layouts.add(layout);
        prompts.add(layout.text());
      }
    }
    if (sent.isEmpty()) {
      return new ScoreReply(r.requestId(), scores, 0, 0);
    }
    body.put("max_tokens", 1);
    body.put("temperature", 0);
    body.put("echo", true);
    body.put("logprobs", settings.topLogprobs());
    String where = "score request " + r.requestId() + " of question " + r.questionId() + " to "
        + endpoint + " (" + settings.style().label() + " PRM)";
    JsonNode response = http.post(endpoint, body, where, "a JSON object with 'choices'",
        node -> node.isObject() && node.path("choices").isArray());
    JsonNode choices = response.get("choices");
    if (choices.size() != sent.size()) {
      throw new OpenAiException(where + " sent " + sent.size() + " prompts but got "
          + choices.size() + " choices");
    }
    JsonNode[] byIndex = HttpJsonClient.byIndex(choices, sent.size(), where, "choice",
        "'logprobs' with tokens, token_logprobs, top_logprobs and text_offset (echo)",
        c -> c.path("logprobs").path("text_offset").isArray() && c.path("logprobs").path("tokens").isArray());
    for (int k = 0; k < sent.size(); k++) {
      scores.set(sent.get(k), stepScores(byIndex[k].get("logprobs"), layouts.get(k), where, sent.get(k)));
    }
    long tokens = response.path("usage").path("prompt_tokens").asLong(0);
    return new ScoreReply(r.requestId(), scores, tokens, 2.0 * settings.parameters() * tokens);
  }

  private List<Double> stepScores(JsonNode logprobs, Layout layout, String where, int solution) {
    JsonNode tokens = logprobs.get("tokens");
    JsonNode offsets = logprobs.get("text_offset");
    JsonNode values = logprobs.path("token_logprobs");
    JsonNode tops = logprobs.path("top_logprobs");
    if (offsets.size() != tokens.size() || !values.isArray() || values.size() != tokens.size()
        || !tops.isArray() || tops.size() != tokens.size()) {
      throw new OpenAiException(where + ": solution " + solution + ": expected tokens, token_logprobs, "
          + "top_logprobs and text_offset of equal length (echo with logprobs), got "
          + tokens.size() + ", " + values.size() + ", " + tops.size() + ", " + offsets.size());
    }
    if (tokens.size() == 0) {
      throw new OpenAiException(where + ": solution " + solution + ": expected the prompt's tokens "
          + "echoed with their log-probabilities, got none (does the server support echo?)");
    }
    List<Double> out = new ArrayList<>(layout.offsets().length);
    int j = 0;
    for (int step = 0; step < layout.offsets().length; step++) {
      int offset = layout.offsets()[step];
      while (j + 1 < offsets.size() && offsets.get(j + 1).asInt() <= offset) {
        j++;
      }
      // The token that covers the offset: a tokenizer may fold the space before the tag into it
      // (" ки"), but it must be that token and nothing more.
      String token = tokens.get(j).asText();
      if (offsets.get(j).asInt() > offset || !token.strip().equals(expectedToken().strip())) {
        throw new OpenAiException(where + ": solution " + solution + " step " + step + ": expected the "
            + "token '" + expectedToken() + "' at character " + offset + ", got " + quote(tokens.get(j))
            + " at " + offsets.get(j).asInt() + " (" + settings.style().label() + " layout; the "
            + "server's tokenizer merged it with its neighbours, or this is not the preset's PRM)");
      }
      out.add(settings.style() == LogprobSettings.Style.RLHFLOW
          ? rlhflowScore(values.get(j), tops.get(j), where, solution, step)
          : shepherdScore(j + 1 < tops.size() ? tops.get(j + 1) : null, where, solution, step));
    }
    return out;
  }

  private String expectedToken() {
    return settings.style() == LogprobSettings.Style.RLHFLOW ? settings.goodToken() : settings.stepTag();
  }

  /** P(+) of the reply token, normalised against P(−) when the server lists it. */
  private double rlhflowScore(JsonNode value, JsonNode top, String where, int solution, int step) {
    if (!value.isNumber()) {
      throw new OpenAiException(where + ": solution " + solution + " step " + step
          + ": expected the log-probability of the reply token '" + settings.goodToken() + "', got "
          + quote(value));
    }
    double good = Math.exp(value.asDouble());
    double bad = top != null && top.isObject() ? probability(top, settings.badToken()) : 0;
    return bad > 0 ? good / (good + bad) : good;
  }

  /** P(+) / (P(+) + P(−)) of the token after the step's tag. */
  private double shepherdScore(JsonNode top, String where, int solution, int step) {
    if (top == null || !top.isObject()) {
      throw new OpenAiException(where + ": solution " + solution + " step " + step + ": expected the "
          + "top log-probabilities after the step tag '" + settings.stepTag() + "', got "
          + (top == null ? "nothing" : quote(top)));
    }
    double good = probability(top, settings.goodToken());
    double bad = probability(top, settings.badToken());
    if (good + bad == 0) {
      throw new OpenAiException(where + ": solution " + solution + " step " + step + ": expected '"
          + settings.goodToken() + "' or '" + settings.badToken() + "' among the top "
          + settings.topLogprobs() + " tokens after the step tag '" + settings.stepTag() + "', got "
          + HttpJsonClient.excerpt(top.toString()) + " (raise reckon.models.logprob.top-logprobs, "
          + "or check the PRM and its step tag)");
    }
    return good / (good + bad);
  }

  /** The probability of a token among the alternatives, spellings with spaces around included. */
  private static double probability(JsonNode top, String token) {
    double p = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = top.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().strip().equals(token.strip()) && e.getValue().isNumber()) {
        p += Math.exp(e.getValue().asDouble());
      }
    }
    return Math.min(1, p);
  }

  private static String quote(JsonNode node) {
    return node == null ? "nothing" : HttpJsonClient.excerpt(node.toString());
  }
}
