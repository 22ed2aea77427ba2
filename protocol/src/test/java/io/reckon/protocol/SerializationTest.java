package io.reckon.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every protocol record survives JSON (the HTTP API, files) and CBOR (Pekko's wire format for
 * {@link CborSerializable}), with a plain Jackson {@link ObjectMapper} as Pekko configures it.
 */
class SerializationTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper CBOR = new ObjectMapper(new CBORFactory());

  static final GenerateRequest GENERATE = new GenerateRequest(
      7, "q-1", "37*4+129-56",
      List.of(List.of("37*4=148", "A: 148"), List.of("37*4=149", "A: 222")),
      List.of("37*4=148"), 4, 1, 0.8, -1234567890123L, 4);
  static final GenerateRequest GREEDY = new GenerateRequest(
      8, "q-1", "2+3", List.of(), List.of(), 1, GenerateRequest.TO_END, 0.0, 0, 0);
  static final ScoreRequest SCORE = new ScoreRequest(
      9, "q-1", "2+3", List.of(List.of("2+3=5", "A: 5"), List.of(), List.of("A: 6")));
  static final GenerateReply GENERATE_REPLY = new GenerateReply(
      7,
      List.of(
          new Continuation(List.of("148+129=277"), false, 12, -0.25),
          new Continuation(List.of("A: 221"), true, 7, -1.5e-3)),
      88, 19, 2.0e9 * 107);
  static final ScoreReply SCORE_REPLY = new ScoreReply(
      9, List.of(List.of(0.9, 0.85), List.of(), List.of(1.0e-12)), 30, 6.0e7);
  static final Candidate CANDIDATE = new Candidate(
      List.of("2+3=5", "A: 5"), "5", List.of(0.9, 0.8), 0.8, 2, "beam:m=4,agg=last");
  static final Candidate UNSCORED = new Candidate(
      List.of("2+3="), null, List.of(), Double.NaN, 0, "probe");
  static final Compute COMPUTE = new Compute(16, 1200, 800, 2000, 4.0e9, 1.2e10);
  static final Outcome OUTCOME = new Outcome(
      "q-1", "best-of-n:sel=weighted,agg=last", "5", List.of(CANDIDATE, UNSCORED), COMPUTE, 16);
  static final Outcome NO_ANSWER = new Outcome(
      "q-2", "beam:m=4,agg=last", null, List.of(UNSCORED), Compute.ZERO, 4);
  static final Question QUESTION = new Question("val-L3-0001", "63*5-568+834", "581", 3);
  static final Question UNLABELLED = new Question("u-1", "1+1", null, null);

  static Stream<Arguments> records() {
    return Stream.of(
        Arguments.of(GENERATE, GenerateRequest.class),
        Arguments.of(GREEDY, GenerateRequest.class),
        Arguments.of(SCORE, ScoreRequest.class),
        Arguments.of(GENERATE_REPLY, GenerateReply.class),
        Arguments.of(SCORE_REPLY, ScoreReply.class),
        Arguments.of(GENERATE_REPLY.continuations().get(1), Continuation.class),
        Arguments.of(CANDIDATE, Candidate.class),
        Arguments.of(UNSCORED, Candidate.class),
        Arguments.of(COMPUTE, Compute.class),
        Arguments.of(Compute.ZERO, Compute.class),
        Arguments.of(OUTCOME, Outcome.class),
        Arguments.of(NO_ANSWER, Outcome.class),
        Arguments.of(QUESTION, Question.class),
        Arguments.of(UNLABELLED, Question.class),
        Arguments.of(FILE_SPEC, RunSpec.class),
        Arguments.of(INLINE_SPEC, RunSpec.class));
  }

  static final RunSpec FILE_SPEC = new RunSpec(
      new RunSpec.Questions("/data/arith/test.jsonl", "ab".repeat(32), 1200, null),
      RunSpec.COMPUTE_OPTIMAL, new RunSpec.FileRef("/models/policy.json", "cd".repeat(32)), 16,
      "gain", -7, 4, List.of(
          new RunSpec.ModelRef("proposer", "arith-policy", "/models/arith-policy", "ef".repeat(32)),
          new RunSpec.ModelRef("verifier", "arith-prm", "/models/arith-prm", "01".repeat(32))));
  static final RunSpec INLINE_SPEC = new RunSpec(
      new RunSpec.Questions(null, "23".repeat(32), 2, List.of(QUESTION, UNLABELLED)),
      "beam:m=4,agg=last", null, 8, "FIXED", 3, 0, List.of(
          new RunSpec.ModelRef("proposer", "synthetic", null, "45".repeat(32)),
          new RunSpec.ModelRef("verifier", "synthetic", null, "45".repeat(32))));

  @Test
  void aRunSpecRefusesWhatCannotRun() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new RunSpec(
        INLINE_SPEC.questions(), "beam", null, 8, "evenly", 0, 0, List.of()))
        .hasMessageContaining("allowed are rule, fixed, gain");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new RunSpec(
        INLINE_SPEC.questions(), RunSpec.COMPUTE_OPTIMAL, null, 8, "gain", 0, 0, List.of()))
        .hasMessageContaining("needs a policy");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new RunSpec.Questions(
        "/x.jsonl", "00", 2, List.of(QUESTION)))
        .hasMessageContaining("not both");
    assertThat(INLINE_SPEC.allocation()).isEqualTo("fixed");
  }

  @ParameterizedTest
  @MethodSource("records")
  void jsonRoundTrip(Object value, Class<?> type) throws Exception {
    String json = JSON.writeValueAsString(value);
    assertThat(JSON.readValue(json, type)).isEqualTo(value);
  }

  @ParameterizedTest
  @MethodSource("records")
  void cborRoundTrip(Object value, Class<?> type) throws Exception {
    byte[] bytes = CBOR.writeValueAsBytes(value);
    assertThat(CBOR.readValue(bytes, type)).isEqualTo(value);
  }

  @ParameterizedTest
  @MethodSource("records")
  void everyRecordIsCborSerializable(Object value, Class<?> type) {
    assertThat(value).isInstanceOf(CborSerializable.class);
  }

  @Test
  void requestsAndRepliesRoundTripThroughTheirInterface() throws Exception {
    for (ObjectMapper mapper : List.of(JSON, CBOR)) {
      for (ModelRequest r : List.of(GENERATE, GREEDY, SCORE)) {
        byte[] bytes = mapper.writerFor(ModelRequest.class).writeValueAsBytes(r);
        ModelRequest back = mapper.readValue(bytes, ModelRequest.class);
        assertThat(back).isEqualTo(r).hasSameClassAs(r);
      }
      for (ModelReply r : List.of(GENERATE_REPLY, SCORE_REPLY)) {
        byte[] bytes = mapper.writerFor(ModelReply.class).writeValueAsBytes(r);
        ModelReply back = mapper.readValue(bytes, ModelReply.class);
        assertThat(back).isEqualTo(r).hasSameClassAs(r);
      }
      // a concrete record written on its own still carries its type, so it reads as the interface
      ModelRequest viaConcrete = mapper.readValue(mapper.writeValueAsBytes(SCORE), ModelRequest.class);
      assertThat(viaConcrete).isEqualTo(SCORE);
    }
  }

  @Test
  void theTypeTagsAreTheDocumentedNames() throws Exception {
    assertThat(JSON.readTree(JSON.writerFor(ModelRequest.class).writeValueAsString(GENERATE))
        .get("type").asText()).isEqualTo("generate");
    assertThat(JSON.readTree(JSON.writerFor(ModelRequest.class).writeValueAsString(SCORE))
        .get("type").asText()).isEqualTo("score");
    assertThat(JSON.readTree(JSON.writerFor(ModelReply.class).writeValueAsString(GENERATE_REPLY))
        .get("type").asText()).isEqualTo("generate");
    assertThat(JSON.readTree(JSON.writerFor(ModelReply.class).writeValueAsString(SCORE_REPLY))
        .get("type").asText()).isEqualTo("score");
  }

  @Test
  void jsonShapesHoldOnlyTheRecordComponents() throws Exception {
    // derived accessors (Candidate.scored, Compute.flops) are not part of the wire shape
    assertThat(JSON.readTree(JSON.writeValueAsString(CANDIDATE)).fieldNames())
        .toIterable()
        .containsExactlyInAnyOrder("steps", "answer", "stepScores", "score", "group", "source");
    assertThat(JSON.readTree(JSON.writeValueAsString(COMPUTE)).fieldNames())
        .toIterable()
        .containsExactlyInAnyOrder("generations", "promptTokens", "generatedTokens",
            "verifierTokens", "proposerFlops", "verifierFlops");
    // a question without ground truth or level leaves them out
    assertThat(JSON.writeValueAsString(UNLABELLED)).isEqualTo("{\"id\":\"u-1\",\"text\":\"1+1\"}");
  }

  @Test
  void recordsCopyTheirListsDefensively() {
    java.util.ArrayList<String> steps = new java.util.ArrayList<>(List.of("A: 5"));
    Candidate c = new Candidate(steps, "5", List.of(), Double.NaN, 0, "t");
    steps.add("oops");
    assertThat(c.steps()).containsExactly("A: 5");
    assertThat(c.scored()).isFalse();
    assertThat(COMPUTE.plus(COMPUTE)).isEqualTo(new Compute(32, 2400, 1600, 4000, 8.0e9, 2.4e10));
    assertThat(COMPUTE.flops()).isEqualTo(1.6e10);
  }
}
