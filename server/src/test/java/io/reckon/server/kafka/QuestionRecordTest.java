package io.reckon.server.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import io.reckon.runtime.synthetic.Arithmetic;
import io.reckon.server.SearchChoice;
import io.reckon.server.ServerSettings;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class QuestionRecordTest {
  private static final KafkaSettings KAFKA = KafkaSettings.from(ConfigFactory.parseString(
      "reckon.kafka.bootstrap-servers = \"127.0.0.1:9092\"\nreckon.kafka.max-question-chars = 50")
      .withFallback(ConfigFactory.load()));
  private static final ServerSettings SERVE = ServerSettings.from(ConfigFactory.load());
  private static final Instant DAY = Instant.parse("2026-12-01T10:00:00Z");

  private static QuestionRecord.Parsed parse(String json) {
    return QuestionRecord.parse(json.getBytes(StandardCharsets.UTF_8), "reckon.questions", DAY,
        KAFKA, SERVE, SearchChoice.PolicySource.none("no policy here"),
        q -> Arithmetic.parse(q) == null ? "arithmetic only" : null);
  }

  @Test
  void aGoodRecordNamesItsRunAndReplyKey() {
    QuestionRecord.Parsed p = parse("{\"id\":\"a\",\"question\":\" 1+2 \",\"answer\":\"3\","
        + "\"level\":1,\"extra\":true}");
    assertThat(p.question().id()).isEqualTo("a");
    assertThat(p.question().text()).isEqualTo("1+2");
    assertThat(p.run()).isEqualTo("reckon.questions-20261201");
    assertThat(p.replyKey()).isEqualTo("a");
    assertThat(p.choice().budget()).isNull();
    QuestionRecord.Parsed q = parse("{\"id\":\"b\",\"question\":\"1+2\",\"run\":\"mine\","
        + "\"reply_key\":\"r-9\",\"strategy\":\"beam:m=4\",\"budget\":16}");
    assertThat(q.run()).isEqualTo("mine");
    assertThat(q.replyKey()).isEqualTo("r-9");
    assertThat(q.choice().budget()).isEqualTo(16);
    assertThat(q.choice().strategy().name()).startsWith("beam");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "not json|not valid JSON",
      "[1,2]|wrong type",
      "null|JSON null",
      "{\"question\":\"1+2\"}|'id' is required",
      "{\"id\":\"a\"}|'question' is required",
      "{\"id\":\"a\",\"question\":42}|question",
      "{\"id\":7,\"question\":\"1+2\"}|id",
      "{\"id\":\"a\",\"question\":\"1+2\",\"level\":\"hard\"}|level",
      "{\"id\":\"a\",\"question\":\"1+2\",\"level\":\"3\"}|level",
      "{\"id\":\"a\",\"question\":\"1+2\",\"budget\":\"16\"}|budget",
      "{\"id\":\"a\",\"question\":\"1+2\",\"budget\":0}|budget",
      "{\"id\":\"a\",\"question\":\"1+2\",\"strategy\":\"telepathy\"}|telepathy",
      "{\"id\":\"a\",\"question\":\"1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1\"}|at most 50",
      "{\"id\":\"a\",\"question\":\"hello\"}|arithmetic only",
      "{\"id\":\"a\",\"question\":\"1+2\",\"run\":\"a b\"}|'run'",
      "{\"id\":\"a\",\"question\":\"1+2\"} x|not valid JSON"})
  void aBadRecordIsOneLineNamingTheField(String json, String says) {
    assertThatThrownBy(() -> parse(json)).isInstanceOf(QuestionRecord.BadRecord.class)
        .hasMessageContaining(says).message().doesNotContain("\n");
  }

  @Test
  void aRecordNamesItsTaskOrGetsTheServersAndAnUnknownOneIsADeadLetter() {
    assertThat(parse("{\"id\":\"a\",\"question\":\"1+2\"}").choice().task().name())
        .isEqualTo("arith");
    assertThat(parse("{\"id\":\"a\",\"question\":\"1+2\",\"task\":\"gsm8k\"}").choice()
        .task().name()).isEqualTo("gsm8k");
    assertThatThrownBy(() -> parse("{\"id\":\"a\",\"question\":\"1+2\",\"task\":\"aime\"}"))
        .isInstanceOf(QuestionRecord.BadRecord.class)
        .hasMessage("field 'task': unknown task 'aime': known tasks are arith, gsm8k, math, "
            + "short-answer");
  }

  @Test
  void anIdOfMarkupOrControlCharactersIsADeadLetterNamingTheField() {
    for (String id : new String[] {"<img src=x onerror=alert(1)>", "a b", "x\\u0001",
        "\\\"q\\\""}) {
      assertThatThrownBy(() -> parse("{\"id\":\"" + id + "\",\"question\":\"1+2\"}"))
          .as(id).isInstanceOf(QuestionRecord.BadRecord.class)
          .hasMessageStartingWith("field 'id' holds");
    }
    assertThat(parse("{\"id\":\"test/precalculus/807.json\",\"question\":\"1+2\"}")
        .question().id()).isEqualTo("test/precalculus/807.json");
    assertThatThrownBy(() -> parse("{\"id\":\"a\",\"question\":\"1+2\",\"answer\":\""
        + "3".repeat(2000) + "\"}")).isInstanceOf(QuestionRecord.BadRecord.class)
        .hasMessageStartingWith("field 'answer'");
  }

  @Test
  void anEmptyOrMissingValueIsBad() {
    assertThatThrownBy(() -> parse("")).isInstanceOf(QuestionRecord.BadRecord.class);
    assertThatThrownBy(() -> QuestionRecord.parse(null, "t", DAY, KAFKA, SERVE,
        SearchChoice.PolicySource.none("none"), q -> null))
        .isInstanceOf(QuestionRecord.BadRecord.class).hasMessageContaining("no value");
  }

  @Test
  void settingsRefuseTopicsThatWouldLoop() {
    assertThatThrownBy(() -> KAFKA.withTopics("g", "t", "t", "d"))
        .hasMessageContaining("requests-topic");
    assertThatThrownBy(() -> KafkaSettings.from(ConfigFactory.parseString(
        "reckon.kafka { bootstrap-servers = \"h:1\", run = \"a b {date}\" }")
        .withFallback(ConfigFactory.load()))).hasMessageContaining("reckon.kafka.run");
    assertThat(KafkaSettings.from(ConfigFactory.load()).enabled()).isFalse();
  }
}
