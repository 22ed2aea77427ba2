package io.reckon.server.kafka;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.reckon.protocol.Question;
import io.reckon.protocol.openai.ReckonOptions;
import io.reckon.server.ApiException;
import io.reckon.server.Json;
import io.reckon.server.RequestGuards;
import io.reckon.runtime.InputLimits;
import io.reckon.server.SearchChoice;
import io.reckon.server.ServerSettings;
import java.time.Instant;
import java.util.function.Function;

/**
 * A question record's value on the requests topic (JSON, UTF-8). Only {@code id} and
 * {@code question} are required; unknown fields are ignored so that producers may carry their
 * own.
 *
 * @param id the question's id: the idempotency key within its run, and the result record's key
 * @param answer the ground truth, when known (the result is then graded)
 * @param strategy a strategy spec ({@code beam:m=4}, {@code compute-optimal}, ...); default: the
 *     server's {@code reckon.serve.strategy}
 * @param budget generations for this question; default: a share of the run's pool
 * @param run the named run to answer in; default: {@code reckon.kafka.run} for the topic and day
 * @param replyKey the result record's key instead of {@code id}
 * @param task how the answer is found and graded ({@code math}, {@code gsm8k}, ...); default:
 *     the server's {@code reckon.serve.task}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record QuestionRecord(
    String id,
    String question,
    String answer,
    Integer level,
    String strategy,
    Integer budget,
    String run,
    @JsonProperty("reply_key") String replyKey,
    String task) {

  public QuestionRecord(String id, String question, String answer, Integer level, String strategy,
      Integer budget, String run, String replyKey) {
    this(id, question, answer, level, strategy, budget, run, replyKey, null);
  }

  /** Longest question id (it becomes a record key and a journal entry). */
  public static final int MAX_ID = RequestGuards.MAX_ID;

  /** No coercion: {@code "level": "3"} or {@code "question": 42} is a wrong type, not a guess. */
  private static final ObjectMapper STRICT = JsonMapper.builder(Json.FACTORY)
      .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      // Scalar coercion off still lets a number become a string; refuse that too.
      .withCoercionConfig(LogicalType.Textual, c -> c
          .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
          .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
          .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
      .build();

  /** What a record asks for, checked: the question, its search, its run and its reply key. */
  public record Parsed(Question question, SearchChoice choice, String run, String replyKey) {}

  /** Why a record is a dead letter: one line naming the field. */
  public static final class BadRecord extends RuntimeException {
    public BadRecord(String message) {
      super(message);
    }
  }

  /**
   * Parses and checks one record value.
   *
   * @param questionCheck why the backend cannot answer a question, or {@code null}
   * @throws BadRecord for anything this server cannot answer
   */
  public static Parsed parse(byte[] value, String topic, Instant timestamp, KafkaSettings kafka,
      ServerSettings serve, SearchChoice.PolicySource policies,
      Function<String, String> questionCheck) {
    if (value == null) {
      throw new BadRecord("the record has no value: send a JSON object with id and question");
    }
    QuestionRecord r;
    try {
      r = Json.read(STRICT, value, QuestionRecord.class);
    } catch (ApiException e) {
      throw new BadRecord(e.getMessage());
    }
    if (r == null) {
      throw new BadRecord("the record is JSON null: send an object with id and question");
    }
    if (r.id() == null || r.id().isBlank()) {
      throw new BadRecord("field 'id' is required: a string naming the question");
    }
    String idProblem = RequestGuards.idProblem(r.id());
    if (idProblem != null) {
      throw new BadRecord("field 'id' " + idProblem);
    }
    if (r.question() == null || r.question().isBlank()) {
      throw new BadRecord("field 'question' is required: the question's text");
    }
    String text = r.question().strip();
    if (text.length() > kafka.maxQuestionChars()) {
      throw new BadRecord("field 'question' is " + text.length() + " characters long: at most "
          + kafka.maxQuestionChars() + " (reckon.kafka.max-question-chars)");
    }
    String refusal = questionCheck.apply(text);
    if (refusal != null) {
      throw new BadRecord("field 'question': " + refusal);
    }
    if (r.answer() != null && r.answer().length() > InputLimits.MAX_FIELD_CHARS) {
      throw new BadRecord("field 'answer' is " + r.answer().length() + " characters long: at "
          + "most " + InputLimits.MAX_FIELD_CHARS);
    }
    String run = r.run() == null ? kafka.runName(topic, timestamp) : r.run().strip();
    if (!run.matches(KafkaSettings.RUN_NAME)) {
      throw new BadRecord("field 'run' '" + r.run() + "': use letters, digits, '.', '_', '-', "
          + "at most 57");
    }
    SearchChoice choice;
    try {
      choice = SearchChoice.resolve(SearchChoice.MODEL,
          new ReckonOptions(r.strategy(), r.budget(), null, null, r.task()), serve, policies);
    } catch (ApiException e) {
      String field = e.body().error().param();
      String name = field == null ? "" : field.startsWith("reckon.") ? field.substring(7) : field;
      throw new BadRecord((name.isEmpty() || name.equals("model") ? "" : "field '" + name + "': ")
          + e.getMessage());
    }
    return new Parsed(new Question(r.id(), text, r.answer(), r.level()), choice, run,
        r.replyKey() == null ? r.id() : r.replyKey());
  }
}
