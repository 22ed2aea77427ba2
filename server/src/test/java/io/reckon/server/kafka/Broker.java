package io.reckon.server.kafka;

import io.github.embeddedkafka.EmbeddedK;
import io.github.embeddedkafka.EmbeddedKafka$;
import io.github.embeddedkafka.EmbeddedKafkaConfig$;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** One in-process Kafka 3.9 broker (embedded-kafka) on 127.0.0.1, free ports; plain clients. */
final class Broker implements AutoCloseable {
  private final EmbeddedK kafka;
  final String bootstrap;

  Broker() {
    Map<String, String> props = Map.of(
        "listeners", "PLAINTEXT://127.0.0.1:0",
        "advertised.listeners", "PLAINTEXT://127.0.0.1:0",
        "num.partitions", "2",
        "group.initial.rebalance.delay.ms", "0");
    scala.collection.immutable.Map<String, String> broker = scala.collection.immutable.Map$.MODULE$
        .from(scala.jdk.javaapi.CollectionConverters.asScala(props));
    scala.collection.immutable.Map<String, String> none =
        scala.collection.immutable.Map$.MODULE$.empty();
    kafka = EmbeddedKafka$.MODULE$.start(EmbeddedKafkaConfig$.MODULE$.apply(0, 0, broker, none, none));
    bootstrap = "127.0.0.1:" + EmbeddedKafka$.MODULE$.kafkaPort(kafka.broker());
  }

  void send(String topic, List<byte[]> values) {
    try (KafkaProducer<byte[], byte[]> producer = producer()) {
      for (int i = 0; i < values.size(); i++) {
        producer.send(new ProducerRecord<>(topic, ("k" + i).getBytes(StandardCharsets.UTF_8),
            values.get(i)));
      }
      producer.flush();
    }
  }

  KafkaProducer<byte[], byte[]> producer() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** Every record of {@code topic}, read from the start until {@code done} holds (or 120 s). */
  List<ConsumerRecord<byte[], byte[]>> readUntil(String topic,
      Predicate<List<ConsumerRecord<byte[], byte[]>>> done) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      long end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      while (partitions.isEmpty()) {
        consumer.partitionsFor(topic, Duration.ofSeconds(10))
            .forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>();
      while (!done.test(all)) {
        if (System.nanoTime() > end) {
          throw new AssertionError("after 120 s " + topic + " holds " + all.size() + " records");
        }
        consumer.poll(Duration.ofMillis(200)).forEach(all::add);
      }
      return all;
    }
  }

  /** What the topic holds now (reads until two polls in a row bring nothing new). */
  List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int atLeast) {
    int[] quiet = {0};
    int[] last = {-1};
    return readUntil(topic, all -> {
      if (all.size() < atLeast) {
        return false;
      }
      quiet[0] = all.size() == last[0] ? quiet[0] + 1 : 0;
      last[0] = all.size();
      return quiet[0] >= 10;
    });
  }

  static Map<String, String> headers(ConsumerRecord<byte[], byte[]> r) {
    Map<String, String> out = new java.util.HashMap<>();
    r.headers().forEach(h -> out.put(h.key(), new String(h.value(), StandardCharsets.UTF_8)));
    return out;
  }

  @Override
  public void close() {
    kafka.stop(true);
  }
}
