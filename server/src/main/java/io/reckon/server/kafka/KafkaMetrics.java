package io.reckon.server.kafka;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Kafka front door's meters on {@code /metrics}: records consumed, results published (computed
 * now or answered from the journal), dead letters, and the consumer's lag summed over its
 * partitions.
 */
final class KafkaMetrics {
  private final Counter in;
  private final Counter computed;
  private final Counter journaled;
  private final Counter deadLetters;
  private final AtomicLong lag = new AtomicLong();

  KafkaMetrics(MeterRegistry registry, String topic) {
    in = Counter.builder("reckon.kafka.records.in").tag("topic", topic)
        .description("question records consumed").register(registry);
    computed = Counter.builder("reckon.kafka.records.out").tag("topic", topic)
        .tag("from", "computed").description("result records published").register(registry);
    journaled = Counter.builder("reckon.kafka.records.out").tag("topic", topic)
        .tag("from", "journal").description("result records published").register(registry);
    deadLetters = Counter.builder("reckon.kafka.dead.letters").tag("topic", topic)
        .description("records sent to the dead-letter topic").register(registry);
    Gauge.builder("reckon.kafka.consumer.lag", lag, AtomicLong::get).tag("topic", topic)
        .description("records on the requests topic past the group's committed offsets, over all partitions")
        .register(registry);
  }

  void in() {
    in.increment();
  }

  void out(boolean fromJournal) {
    (fromJournal ? journaled : computed).increment();
  }

  void deadLetter() {
    deadLetters.increment();
  }

  double recordsIn() {
    return in.count();
  }

  double recordsOut() {
    return computed.count() + journaled.count();
  }

  double deadLetters() {
    return deadLetters.count();
  }

  double fromJournal() {
    return journaled.count();
  }

  void lag(long records) {
    lag.set(records);
  }
}
