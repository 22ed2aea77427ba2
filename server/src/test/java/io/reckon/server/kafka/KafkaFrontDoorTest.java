package io.reckon.server.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.reckon.actors.store.Digests;
import io.reckon.protocol.RunSpec;
import io.reckon.runtime.Proposer;
import io.reckon.runtime.synthetic.SyntheticReasoner;
import io.reckon.server.ReckonServer;
import io.reckon.server.SearchChoice;
import io.reckon.server.ServerSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Kafka front door against an in-process broker: every question answered once, a hard crash
 * mid-stream recomputes nothing journaled, bad records become dead letters without stopping the
 * stream, and a slow model pauses consumption instead of buffering.
 */
@Timeout(300)
class KafkaFrontDoorTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final List<RunSpec.ModelRef> MODELS = List.of(
      new RunSpec.ModelRef("proposer", "synthetic", null, Digests.text("synthetic")),
      new RunSpec.ModelRef("verifier", "synthetic", null, Digests.text("synthetic")));
  static Broker broker;

  @BeforeAll
  static void startBroker() {
    broker = new Broker();
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  /** A server on 127.0.0.1:0 with its own store, consuming {@code name}.questions. */
  static ReckonServer start(String name, Path store, Proposer proposer, String extra)
      throws Exception {
    Config config = ConfigFactory.parseString("pekko.loglevel = WARNING\n"
            + "reckon.store.dir = \"" + store.toString().replace("\\", "/") + "\"\n"
            + "pekko.coordinated-shutdown.exit-jvm = off\n"
            + "pekko.jvm-exit-on-fatal-error = off\n"
            + "reckon.serve.shutdown-deadline = 1s\n"
            + "reckon.serve.strategy = \"best-of-n\"\n"
            + "reckon.serve.budget = 4\n"
            + "reckon.kafka.bootstrap-servers = \"" + broker.bootstrap + "\"\n"
            + "reckon.kafka.group-id = " + name + "\n"
            + "reckon.kafka.requests-topic = " + name + ".questions\n"
            + "reckon.kafka.results-topic = " + name + ".results\n"
            + "reckon.kafka.dead-letter-topic = " + name + ".dead\n"
            + "reckon.kafka.run = \"" + name + "\"\n"
            + "reckon.kafka.lag-interval = 200ms\n"
            + extra)
        .withFallback(ConfigFactory.load());
    ServerSettings settings = ServerSettings.from(config).withAddress("127.0.0.1", 0);
    return ReckonServer.start(config, settings, new ReckonServer.Backend(proposer,
        new SyntheticReasoner(), MODELS, SearchChoice.PolicySource.none("no policy in tests"), 1));
  }

  static List<byte[]> questions(int n, long seed) {
    Random random = new Random(seed);
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int a = 2 + random.nextInt(40);
      int b = 2 + random.nextInt(9);
      int c = random.nextInt(100);
      String q = "{\"id\":\"q" + i + "\",\"question\":\"" + a + "*" + b + "+" + c
          + "\",\"answer\":\"" + (a * b + c) + "\",\"level\":2}";
      out.add(q.getBytes(StandardCharsets.UTF_8));
    }
    return out;
  }

  private static Map<String, List<JsonNode>> byKey(List<ConsumerRecord<byte[], byte[]>> records)
      throws Exception {
    Map<String, List<JsonNode>> out = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      out.computeIfAbsent(new String(r.key(), StandardCharsets.UTF_8), k -> new ArrayList<>())
          .add(JSON.readTree(r.value()));
    }
    return out;
  }

  static double metric(ReckonServer server, String name, String labels) throws Exception {
    String body = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
        + "/metrics")).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(?:\\{([^}]*)\\})? (\\S+)$")
        .matcher(body);
    double sum = 0;
    boolean found = false;
    while (m.find()) {
      if ((m.group(1) == null ? "" : m.group(1)).contains(labels)) {
        sum += Double.parseDouble(m.group(2));
        found = true;
      }
    }
    assertThat(found).as(name + "{" + labels + "} in /metrics").isTrue();
    return sum;
  }

  private static String get(ReckonServer server, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
        + path)).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private static long distinctKeys(List<ConsumerRecord<byte[], byte[]>> records) {
    Set<String> keys = new HashSet<>();
    records.forEach(r -> keys.add(new String(r.key(), StandardCharsets.UTF_8)));
    return keys.size();
  }

  @Test
  void twoHundredQuestionsInTwoHundredResultsOut() throws Exception {
    broker.send("flow.questions", questions(200, 1));
    try (ReckonServer server = start("flow", Files.createTempDirectory("reckon-kafka-"),
        new SyntheticReasoner(), "")) {
      List<ConsumerRecord<byte[], byte[]>> results = broker.readAll("flow.results", 200);
      Map<String, List<JsonNode>> keyed = byKey(results);
      assertThat(results).hasSize(200);
      assertThat(keyed).hasSize(200);
      for (int i = 0; i < 200; i++) {
        JsonNode r = keyed.get("q" + i).get(0);
        assertThat(r.get("id").asText()).isEqualTo("q" + i);
        assertThat(r.get("status").asText()).isEqualTo("ok");
        assertThat(r.get("expected").asText()).isNotEmpty();
        assertThat(r.get("spent").asLong()).isPositive();
      }
      assertThat(Broker.headers(results.get(0))).containsEntry(KafkaFrontDoor.RUN, "flow");
      // The runs API (and so the dashboard) shows the stream's run like any other.
      JsonNode runs = JSON.readTree(get(server, "/v1/runs"));
      JsonNode run = null;
      for (JsonNode r : runs.get("runs")) {
        if (r.get("runId").asText().equals("stream.flow")) {
          run = r;
        }
      }
      assertThat(run).as("stream.flow in /v1/runs: " + runs).isNotNull();
      assertThat(run.get("done").asInt()).isEqualTo(200);
      assertThat(run.get("state").asText()).isEqualTo("running");
      JsonNode view = JSON.readTree(get(server, "/v1/runs/stream.flow"));
      assertThat(view.toString()).contains("\"done\":200");
      assertThat(get(server, "/v1/runs/stream.flow/results").lines().count()).isEqualTo(200);
      assertThat(get(server, "/v1/runs/stream.nothing")).contains("run_not_found");
      assertThat(metric(server, "reckon_kafka_records_in_total", "flow.questions")).isEqualTo(200);
      assertThat(metric(server, "reckon_kafka_records_out_total", "from=\"computed\""))
          .isEqualTo(200);
      assertThat(metric(server, "reckon_kafka_dead_letters_total", "flow.questions")).isZero();
      long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (metric(server, "reckon_kafka_consumer_lag", "flow.questions") > 0) {
        assertThat(System.nanoTime()).as("lag 0 within 60 s").isLessThan(end);
        Thread.sleep(100);
      }
    }
  }

  @Test
  void aHardCrashMidStreamRecomputesNothingJournaled() throws Exception {
    Path store = Files.createTempDirectory("reckon-kafka-");
    broker.send("crash.questions", questions(200, 2));
    // No offset is committed before the crash (the interval is longer than the first session),
    // so every result published before it is redelivered and must come from the journal.
    String commits = "reckon.kafka.commit-interval = 120s\nreckon.kafka.commit-batch = 100000\n"
        + "pekko.coordinated-shutdown.run-by-actor-system-terminate = off\n";
    ReckonServer first = start("crash", store, new GatedProposer(Duration.ofMillis(15), true), commits);
    broker.readUntil("crash.results", all -> all.size() >= 40);
    // Hard: no coordinated shutdown, so no drain, no final commit; in-flight work is lost.
    first.system().terminate();
    first.whenTerminated().toCompletableFuture().get();

    try (ReckonServer second = start("crash", store, new SyntheticReasoner(),
        "reckon.kafka.commit-interval = 200ms\n")) {
      List<ConsumerRecord<byte[], byte[]>> results =
          broker.readUntil("crash.results", all -> distinctKeys(all) >= 200);
      Map<String, List<JsonNode>> keyed = byKey(results);
      assertThat(keyed).hasSize(200);
      for (List<JsonNode> copies : keyed.values()) {
        // A duplicate on the topic is the same journaled result, published again.
        assertThat(copies).allSatisfy(c -> assertThat(c).isEqualTo(copies.get(0)));
      }
      assertThat(metric(second, "reckon_kafka_records_out_total", "from=\"journal\""))
          .isPositive();
      JdbcReadJournal journal = PersistenceQuery.get(second.system())
          .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
      List<EventEnvelope> events = journal
          .currentEventsByPersistenceId(StreamRun.PREFIX + "crash", 0, Long.MAX_VALUE)
          .runWith(Sink.seq(), second.system()).toCompletableFuture().get();
      Set<String> ids = new HashSet<>();
      for (EventEnvelope e : events) {
        assertThat(ids.add(((StreamRun.Answered) e.event()).id()))
            .as("question answered twice in the journal").isTrue();
      }
      assertThat(ids).hasSize(200);
    }
  }

  @Test
  void aQuestionSentAgainIsAnsweredFromTheJournalEvenAfterItsRunWasPassivated() throws Exception {
    List<byte[]> five = questions(5, 5);
    broker.send("again.questions", five);
    try (ReckonServer server = start("again", Files.createTempDirectory("reckon-kafka-"),
        new SyntheticReasoner(), "reckon.kafka.idle-stop = 500ms\n")) {
      List<ConsumerRecord<byte[], byte[]>> first = broker.readAll("again.results", 5);
      // Idle past idle-stop: the run is stopped, and comes back from its journal.
      Thread.sleep(1500);
      broker.send("again.questions", five);
      List<ConsumerRecord<byte[], byte[]>> all = broker.readAll("again.results", 10);
      assertThat(all).hasSize(10);
      Map<String, List<JsonNode>> keyed = byKey(all);
      assertThat(keyed).hasSize(5);
      keyed.values().forEach(copies -> assertThat(copies.get(1)).isEqualTo(copies.get(0)));
      assertThat(first).hasSize(5);
      assertThat(metric(server, "reckon_kafka_records_out_total", "from=\"journal\""))
          .isEqualTo(5);
      assertThat(metric(server, "reckon_kafka_records_out_total", "from=\"computed\""))
          .isEqualTo(5);
    }
  }

  @Test
  void badRecordsBecomeDeadLettersAndTheGoodOnesAreAnswered() throws Exception {
    String big = "1+".repeat(150) + "1";
    List<String> bad = List.of(
        "not json",
        "{\"id\":\"b1\",\"question\":\"1+2\"",
        "[1,2,3]",
        "null",
        "",
        "{\"question\":\"1+2\"}",
        "{\"id\":\"b2\"}",
        "{\"id\":\"b3\",\"question\":\"  \"}",
        "{\"id\":\"b4\",\"question\":42}",
        "{\"id\":\"b5\",\"question\":\"1+2\",\"level\":\"hard\"}",
        "{\"id\":\"b6\",\"question\":\"1+2\",\"budget\":\"16\"}",
        "{\"id\":7,\"question\":\"1+2\"}",
        "{\"id\":\"b8\",\"question\":\"1+2\",\"strategy\":\"telepathy\"}",
        "{\"id\":\"b9\",\"question\":\"1+2\",\"strategy\":\"beam:q=9\"}",
        "{\"id\":\"b10\",\"question\":\"1+2\",\"budget\":100000}",
        "{\"id\":\"b11\",\"question\":\"1+2\",\"budget\":0}",
        "{\"id\":\"b12\",\"question\":\"" + big + "\"}",
        "{\"id\":\"b13\",\"question\":\"what is the capital of France?\"}",
        "{\"id\":\"b14\",\"question\":\"1+2\",\"run\":\"no spaces allowed\"}",
        "{\"id\":\"b15\",\"question\":\"1+2\"} trailing");
    List<byte[]> good = questions(10, 3);
    List<byte[]> mixed = new ArrayList<>();
    for (int i = 0; i < bad.size(); i++) {
      mixed.add(bad.get(i).getBytes(StandardCharsets.UTF_8));
      if (i % 2 == 0) {
        mixed.add(good.get(i / 2));
      }
    }
    broker.send("bad.questions", mixed);
    try (ReckonServer server = start("bad", Files.createTempDirectory("reckon-kafka-"),
        new SyntheticReasoner(), "reckon.kafka.max-question-chars = 200\n")) {
      List<ConsumerRecord<byte[], byte[]>> dead = broker.readAll("bad.dead", 20);
      List<ConsumerRecord<byte[], byte[]>> results = broker.readAll("bad.results", 10);
      assertThat(dead).hasSize(20);
      assertThat(byKey(results)).hasSize(10).containsKeys("q0", "q9");
      Set<String> values = new HashSet<>();
      for (ConsumerRecord<byte[], byte[]> d : dead) {
        Map<String, String> h = Broker.headers(d);
        assertThat(h.get(KafkaFrontDoor.ERROR)).isNotBlank().doesNotContain("\n");
        assertThat(h).containsEntry(KafkaFrontDoor.SOURCE_TOPIC, "bad.questions")
            .containsKey(KafkaFrontDoor.SOURCE_PARTITION).containsKey(KafkaFrontDoor.SOURCE_OFFSET);
        values.add(new String(d.value() == null ? new byte[0] : d.value(), StandardCharsets.UTF_8));
      }
      // The original bytes, each bad record once.
      assertThat(values).containsExactlyInAnyOrderElementsOf(bad);
      Map<String, String> errors = new HashMap<>();
      dead.forEach(d -> errors.put(new String(d.value() == null ? new byte[0] : d.value(),
          StandardCharsets.UTF_8), Broker.headers(d).get(KafkaFrontDoor.ERROR)));
      assertThat(errors.get("{\"id\":\"b5\",\"question\":\"1+2\",\"level\":\"hard\"}"))
          .contains("level");
      assertThat(errors.get("{\"question\":\"1+2\"}")).contains("'id' is required");
      assertThat(errors.get("{\"id\":\"b8\",\"question\":\"1+2\",\"strategy\":\"telepathy\"}"))
          .contains("strategy").contains("telepathy");
      assertThat(errors.get("{\"id\":\"b12\",\"question\":\"" + big + "\"}"))
          .contains("at most 200");
      assertThat(metric(server, "reckon_kafka_dead_letters_total", "bad.questions"))
          .isEqualTo(20);
    }
  }

  @Test
  void aSlowModelPausesConsumptionInsteadOfBuffering() throws Exception {
    broker.send("slow.questions", questions(100, 4));
    GatedProposer proposer = new GatedProposer(Duration.ZERO, false);
    try (ReckonServer server = start("slow", Files.createTempDirectory("reckon-kafka-"), proposer,
        "reckon.serve.max-pending = 4\nreckon.kafka.parallelism = 8\n"
            + "pekko.kafka.consumer.kafka-clients.max.poll.records = 10\n")) {
      long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      // Admission counts generations: four records of the default budget fill max-pending = 4.
      double limit = metric(server, "reckon_admission_limit", "");
      while (metric(server, "reckon_admission_held", "") < limit) {
        assertThat(System.nanoTime()).as("admission full within 60 s").isLessThan(end);
        Thread.sleep(100);
      }
      Thread.sleep(2000);
      double in = metric(server, "reckon_kafka_records_in_total", "slow.questions");
      // In hand: the records holding or waiting for a place (parallelism); the rest stay on the
      // broker, where the lag shows them.
      assertThat(in).isBetween(4.0, 8.0);
      assertThat(metric(server, "reckon_admission_held", "")).isEqualTo(limit);
      while (metric(server, "reckon_kafka_consumer_lag", "slow.questions") < 100) {
        assertThat(System.nanoTime()).as("lag reported within 60 s").isLessThan(end);
        Thread.sleep(100);
      }
      proposer.gate.countDown();
      assertThat(byKey(broker.readAll("slow.results", 100))).hasSize(100);
    }
  }
}
