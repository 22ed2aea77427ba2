package io.reckon.server.kafka;

import io.reckon.runtime.synthetic.SyntheticReasoner;
import io.reckon.server.ReckonServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * bench/kafka.sh: records/s through the Kafka front door on the synthetic backend (a backlog of
 * questions waiting on the topic), and end-to-end latency (question record written to result
 * record written, both broker timestamps on one clock) at a light paced rate. Only with
 * {@code -Dreckon.bench=true}; the broker and the server share this JVM.
 */
@EnabledIfSystemProperty(named = "reckon.bench", matches = "true")
class KafkaBench {

  @Test
  void throughputAndLatency() throws Exception {
    int backlog = Integer.getInteger("reckon.bench.questions", 2000);
    int paced = Integer.getInteger("reckon.bench.paced", 100);
    int rate = Integer.getInteger("reckon.bench.rate", 10);
    String strategy = System.getProperty("reckon.bench.strategy", "beam:m=4");
    int budget = Integer.getInteger("reckon.bench.budget", 16);
    KafkaFrontDoorTest.startBroker();
    try {
      String extra = "reckon.serve.strategy = \"" + strategy + "\"\nreckon.serve.budget = "
          + budget + "\n";
      System.out.printf(Locale.ROOT, "machine: %d cores, %s, %s; strategy %s, budget %d%n",
          Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
          java.time.LocalDate.now(java.time.ZoneOffset.UTC), strategy, budget);
      try (ReckonServer server = KafkaFrontDoorTest.start("bench", Files.createTempDirectory(
          "reckon-bench-"), new SyntheticReasoner(), extra)) {
        System.out.println("server on 127.0.0.1:" + server.port());
        // Warm-up (JIT, partition assignment) before anything is timed.
        report("warm-up", run("bench", KafkaFrontDoorTest.questions(200, 9), "w", 0));
        report("backlog", run("bench", KafkaFrontDoorTest.questions(backlog, 10), "b", 0));
        report("paced " + rate + "/s", run("bench", KafkaFrontDoorTest.questions(paced, 11), "p",
            rate));
      }
    } finally {
      KafkaFrontDoorTest.stopBroker();
    }
  }

  /** Latencies (ms) of each question, and the span from first question to last result. */
  private record Timing(int n, long[] latencies, long spanMs) {}

  private static Timing run(String name, List<byte[]> questions, String prefix, int rate)
      throws Exception {
    Map<String, Long> sent = new HashMap<>();
    try (KafkaProducer<byte[], byte[]> producer = KafkaFrontDoorTest.broker.producer()) {
      long start = System.nanoTime();
      for (int i = 0; i < questions.size(); i++) {
        String id = prefix + i;
        String json = new String(questions.get(i), StandardCharsets.UTF_8)
            .replace("\"id\":\"q" + i + "\"", "\"id\":\"" + id + "\"");
        if (rate > 0) {
          long due = start + (long) (i * 1e9 / rate);
          while (System.nanoTime() < due) {
            Thread.sleep(1);
          }
        }
        long now = System.currentTimeMillis();
        sent.put(id, now);
        producer.send(new ProducerRecord<>(name + ".questions", null, now, null,
            json.getBytes(StandardCharsets.UTF_8)));
      }
      producer.flush();
    }
    List<ConsumerRecord<byte[], byte[]>> results = KafkaFrontDoorTest.broker.readUntil(
        name + ".results", all -> all.stream().filter(r -> new String(r.key(),
            StandardCharsets.UTF_8).startsWith(prefix)).count() >= questions.size());
    List<Long> latencies = new ArrayList<>();
    long first = Long.MAX_VALUE;
    long last = 0;
    for (ConsumerRecord<byte[], byte[]> r : results) {
      Long at = sent.get(new String(r.key(), StandardCharsets.UTF_8));
      if (at != null) {
        latencies.add(r.timestamp() - at);
        first = Math.min(first, at);
        last = Math.max(last, r.timestamp());
      }
    }
    return new Timing(questions.size(),
        latencies.stream().mapToLong(Long::longValue).sorted().toArray(), last - first);
  }

  private static void report(String label, Timing t) {
    long[] l = t.latencies();
    System.out.printf(Locale.ROOT, "%-12s %5d questions: %7.1f records/s; latency ms p50 %d, "
            + "p95 %d, p99 %d, max %d%n", label, t.n(), t.n() * 1000.0 / Math.max(1, t.spanMs()),
        l[l.length / 2], l[(int) (l.length * 0.95)], l[(int) (l.length * 0.99)], l[l.length - 1]);
  }
}
