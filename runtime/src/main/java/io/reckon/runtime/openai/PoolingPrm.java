package io.reckon.runtime.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reckon.protocol.ScoreReply;
import io.reckon.protocol.ScoreRequest;
import io.reckon.runtime.Verifier;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link Verifier} over vLLM's pooling API for process reward models: one {@code POST /pooling}
 * per request of a batch, {@code {"model": M, "input": [text, ...]}} with one text per solution
 * (and {@code "task"} when configured), answered with {@code {"object": "list", "data": [{"index":
 * i, "object": "pooling", "data": [[...], ...]}, ...], "usage": {"prompt_tokens": ...}}}: per
 * input, one row per step-separator token (vLLM's STEP pooling), each row the model's numbers at
 * that token. A step's score is the configured mapping of its row; a flat list of numbers is read
 * as one number per step.
 *
 * <p>The answer must fit exactly: one entry per input with distinct indices, as many rows as the
 * solution has steps, the score index within every row, probabilities in [0, 1]. Anything else
 * fails the call with a message that says what was expected and what came (a separator missing
 * from the model's vocabulary, or a template that adds one, shows up as a wrong row count).
 * Errors, 429 and timeouts are handled as for the proposer ({@link HttpJsonClient}).
 *
 * <p>Tokens are the server's {@code usage.prompt_tokens}; FLOPs 2 · the configured parameter count
 * · tokens (0 when unknown).
 */
public final class PoolingPrm extends HttpPrm {
  private final PoolingSettings settings;

  public PoolingPrm(PoolingSettings settings) {
    super(settings.server(), settings.poolingUri(), "pooling-prm", settings.model(),
        settings.parameters());
    this.settings = settings;
  }

  public PoolingSettings settings() {
    return settings;
  }

  @Override
  ScoreReply scoreOne(ScoreRequest r) {
    List<List<Double>> scores = new ArrayList<>(r.solutions().size());
    List<Integer> sent = new ArrayList<>();
    ObjectNode body = HttpJsonClient.JSON.createObjectNode();
    body.put("model", settings.model());
    ArrayNode input = body.putArray("input");
    for (int i = 0; i < r.solutions().size(); i++) {
      List<String> steps = r.solutions().get(i);
      scores.add(List.of());
      if (!steps.isEmpty()) {
        sent.add(i);
        input.add(settings.text(r.question(), steps));
      }
    }
    if (sent.isEmpty()) {
      return new ScoreReply(r.requestId(), scores, 0, 0);
    }
    if (!settings.task().isEmpty()) {
      body.put("task", settings.task());
    }
    String where = "score request " + r.requestId() + " of question " + r.questionId() + " to " + endpoint;
    JsonNode response = http.post(endpoint, body, where, "a JSON object with 'data'",
        node -> node.isObject() && node.path("data").isArray());
    JsonNode data = response.get("data");
    if (data.size() != sent.size()) {
      throw new OpenAiException(
          where + " sent " + sent.size() + " inputs but got " + data.size() + " results");
    }
    JsonNode[] byIndex = HttpJsonClient.byIndex(
        data, sent.size(), where, "result", "a 'data' array", entry -> entry.path("data").isArray());
    for (int k = 0; k < sent.size(); k++) {
      int solution = sent.get(k);
      scores.set(solution, stepScores(byIndex[k].get("data"), r.solutions().get(solution).size(), where, solution));
    }
    long tokens = response.path("usage").path("prompt_tokens").asLong(0);
    return new ScoreReply(r.requestId(), scores, tokens, 2.0 * settings.parameters() * tokens);
  }

  private List<Double> stepScores(JsonNode rows, int steps, String where, int solution) {
    if (rows.size() != steps) {
      throw new OpenAiException(
          where + ": solution " + solution + " has " + steps + " steps but the server returned "
              + rows.size() + " scores; each step must end with the step separator '"
              + settings.stepSeparator() + "' and the separator must be the token the server "
              + "pools at (reckon.models.pooling.step-separator, template)");
    }
    List<Double> out = new ArrayList<>(steps);
    for (JsonNode row : rows) {
      out.add(map(row, where, solution));
    }
    return out;
  }

  private double map(JsonNode row, String where, int solution) {
    int index = settings.scoreIndex();
    double value;
    double other = 0;
    if (row.isNumber()) {
      value = row.asDouble();
    } else if (row.isArray() && index < row.size() && row.get(index).isNumber()) {
      value = row.get(index).asDouble();
      if (settings.mapping() == PoolingSettings.Mapping.DIFFERENCE) {
        if (row.size() != 2) {
          throw new OpenAiException(
              where + ": score-mapping difference needs rows of two numbers, got " + row);
        }
        other = row.get(1 - index).asDouble();
      }
    } else {
      throw new OpenAiException(
          where + ": solution " + solution + " has a score row " + HttpJsonClient.excerpt(row.toString())
              + " without a number at score-index " + index);
    }
    double p = switch (settings.mapping()) {
      case PROBABILITY -> value;
      case SIGMOID -> 1 / (1 + Math.exp(-value));
      case DIFFERENCE -> (value - other + 1) / 2;
    };
    if (!(p >= 0 && p <= 1)) {
      throw new OpenAiException(
          where + ": solution " + solution + " scored " + value + ", not a probability in [0, 1]; "
              + "for logits set reckon.models.pooling.score-mapping = sigmoid");
    }
    return p;
  }
}
