package io.reckon.server.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.reckon.protocol.Candidate;
import io.reckon.protocol.Compute;
import io.reckon.protocol.QuestionResult;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.serialization.JavaSerializer;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.SerializerWithStringManifest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The stream run's event, snapshot state and reply survive Jackson CBOR unchanged. */
class StreamRunSerializationTest {
  private static ActorSystem<Void> system;

  @BeforeAll
  static void start() {
    system = ActorSystem.create(Behaviors.empty(), "serialization",
        ConfigFactory.parseString("pekko.loglevel = WARNING").withFallback(ConfigFactory.load()));
  }

  @AfterAll
  static void stop() {
    system.terminate();
  }

  private static Object roundTrip(Object value) {
    Serialization serialization = SerializationExtension.get(system.classicSystem());
    Serializer serializer = serialization.findSerializerFor(value);
    assertThat(serializer).isNotInstanceOf(JavaSerializer.class);
    String manifest = ((SerializerWithStringManifest) serializer).manifest(value);
    return serialization.deserialize(serializer.toBinary(value), serializer.identifier(), manifest)
        .get();
  }

  @Test
  void eventStateAndOutcomeRoundTrip() {
    Compute compute = new Compute(16, 400, 200, 300, 2e6, 1e6);
    QuestionResult result = new QuestionResult("q1", 2, "10", "10", true, QuestionResult.OK, null,
        "best-of-n:sel=weighted,agg=last", null, 4, 16, 12, 900, 3e6, 0.25, 0.9, 0, compute,
        List.of(new Candidate(List.of("2*3=6", "6+4=10"), "10", List.of(0.9, 0.8), 0.8, 0, "probe")));
    StreamRun.Answered answered = new StreamRun.Answered("q1", result);
    assertThat(roundTrip(answered)).usingRecursiveComparison().isEqualTo(answered);
    Map<String, Long> map = new HashMap<>();
    map.put("q1", 1L);
    map.put("q7", 2L);
    StreamRun.State state = new StreamRun.State(map, 2);
    assertThat(roundTrip(state)).usingRecursiveComparison().isEqualTo(state);
    StreamRun.Outcome outcome = new StreamRun.Outcome(result, true);
    assertThat(roundTrip(outcome)).usingRecursiveComparison().isEqualTo(outcome);
  }
}
