package io.reckon.server.kafka;

import io.reckon.actors.ReckonSettings;
import io.reckon.actors.store.StoreSettings;
import io.reckon.search.Seeds;
import io.reckon.server.Admission;
import io.reckon.server.Json;
import io.reckon.server.OpenRuns;
import io.reckon.server.SearchChoice;
import io.reckon.server.ServerMetrics;
import io.reckon.server.ServerSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.kafka.CommitterSettings;
import org.apache.pekko.kafka.ConsumerMessage;
import org.apache.pekko.kafka.ConsumerSettings;
import org.apache.pekko.kafka.ProducerMessage;
import org.apache.pekko.kafka.ProducerSettings;
import org.apache.pekko.kafka.Subscriptions;
import org.apache.pekko.kafka.javadsl.Consumer;
import org.apache.pekko.kafka.javadsl.Producer;
import org.apache.pekko.stream.javadsl.Keep;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka front door of {@code reckon serve}: question records from the requests topic are
 * answered in their named {@link StreamRun}s and published as result records; records this server
 * cannot answer go to the dead-letter topic. An offset is committed only once its record's result
 * is journaled and published (or its dead letter published), so delivery is at least once; a
 * redelivered question is answered from the journal, so it is idempotent in effect.
 *
 * <p>Back-pressure: each record holds one place of the server's {@link Admission} while it is
 * answered, and at most {@code parallelism} records are in hand; when no place is free the stream
 * stops pulling and the consumer pauses its partitions.
 */
public final class KafkaFrontDoor {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaFrontDoor.class);

  /** Headers of a dead letter: why, and where the record came from. */
  public static final String ERROR = "reckon.error";
  public static final String SOURCE_TOPIC = "reckon.source.topic";
  public static final String SOURCE_PARTITION = "reckon.source.partition";
  public static final String SOURCE_OFFSET = "reckon.source.offset";
  /** Header of a result record: the run that answered it. */
  public static final String RUN = "reckon.run";

  private final ActorSystem<?> system;
  private final KafkaSettings kafka;
  private final ServerSettings serve;
  private final ReckonSettings reckon;
  private final StoreSettings store;
  private final Admission admission;
  private final SearchChoice.PolicySource policies;
  private final Function<String, String> questionCheck;
  private final KafkaMetrics metrics;
  private final ServerMetrics serverMetrics;
  /** The runs live on this node by name; each idle past reckon.kafka.idle-stop is stopped. */
  private final Map<String, Live> runs = new ConcurrentHashMap<>();
  private final AtomicLong incarnations = new AtomicLong();
  private final AtomicInteger failures = new AtomicInteger();
  private volatile Consumer.DrainingControl<Done> control;
  private volatile boolean stopping;
  private volatile Cancellable lagPoll;
  private final Admin admin;

  private KafkaFrontDoor(ActorSystem<?> system, KafkaSettings kafka, ServerSettings serve,
      ReckonSettings reckon, StoreSettings store, Admission admission, ServerMetrics serverMetrics,
      SearchChoice.PolicySource policies, Function<String, String> questionCheck) {
    this.system = system;
    this.kafka = kafka;
    this.serve = serve;
    this.reckon = reckon;
    this.store = store;
    this.admission = admission;
    this.serverMetrics = serverMetrics;
    this.policies = policies;
    this.questionCheck = questionCheck;
    this.metrics = new KafkaMetrics(serverMetrics.registry(), kafka.requestsTopic());
    // The admin client (for the lag) connects as the consumer does: TLS, SASL and the like from
    // pekko.kafka.consumer.kafka-clients, keeping only the keys an admin client knows.
    Map<String, Object> adminConfig = new HashMap<>();
    consumerSettings().getProperties().forEach((k, v) -> {
      if (AdminClientConfig.configNames().contains(k)) {
        adminConfig.put(k, v);
      }
    });
    this.admin = Admin.create(adminConfig);
  }

  /**
   * Starts consuming, and drains (records in hand answered and committed) when the system's
   * coordinated shutdown stops the service.
   */
  public static KafkaFrontDoor start(ActorSystem<?> system, KafkaSettings kafka,
      ServerSettings serve, ReckonSettings reckon, StoreSettings store, Admission admission,
      ServerMetrics serverMetrics, SearchChoice.PolicySource policies,
      Function<String, String> questionCheck) {
    KafkaFrontDoor door = new KafkaFrontDoor(system, kafka, serve, reckon, store, admission,
        serverMetrics, policies, questionCheck);
    door.run();
    door.lagPoll = system.scheduler().scheduleAtFixedRate(kafka.lagInterval(),
        kafka.lagInterval(), door::tick, system.executionContext());
    // Also when the system is terminated without a coordinated shutdown.
    system.getWhenTerminated().thenRun(() -> door.admin.close(Duration.ZERO));
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceRequestsDone(),
        "kafka-drain", door::stop);
    LOG.info("consuming {} from {} (group {}); results to {}, dead letters to {}",
        kafka.requestsTopic(), kafka.bootstrapServers(), kafka.groupId(), kafka.resultsTopic(),
        kafka.deadLetterTopic());
    return door;
  }

  private ConsumerSettings<byte[], byte[]> consumerSettings() {
    return ConsumerSettings
        .create(system, new ByteArrayDeserializer(), new ByteArrayDeserializer())
        .withBootstrapServers(kafka.bootstrapServers())
        .withGroupId(kafka.groupId())
        // With a DrainingControl the stream drains itself; no need to keep the consumer around.
        .withStopTimeout(Duration.ZERO);
  }

  private void run() {
    ConsumerSettings<byte[], byte[]> consumer = consumerSettings();
    ProducerSettings<byte[], byte[]> producer = ProducerSettings
        .create(system, new ByteArraySerializer(), new ByteArraySerializer())
        .withBootstrapServers(kafka.bootstrapServers());
    CommitterSettings committer = CommitterSettings.create(system)
        .withMaxBatch(kafka.commitBatch())
        .withMaxInterval(kafka.commitInterval());
    Consumer.DrainingControl<Done> c = Consumer
        .committableSource(consumer, Subscriptions.topics(kafka.requestsTopic()))
        .mapAsync(kafka.parallelism(), this::handle)
        .toMat(Producer.committableSink(producer, committer), Keep.both())
        .mapMaterializedValue(Consumer::createDrainingControl)
        .run(system);
    control = c;
    c.streamCompletion().whenComplete((done, error) -> {
      if (stopping) {
        return;
      }
      int n = failures.incrementAndGet();
      long backoff = Math.min(kafka.restartMax().toMillis(),
          kafka.restartMin().toMillis() << Math.min(n - 1, 16));
      LOG.warn("the Kafka stream {}; starting again from the last committed offset in {} ms",
          error == null ? "completed" : "failed: " + error, backoff);
      system.scheduler().scheduleOnce(Duration.ofMillis(backoff), () -> {
        if (!stopping) {
          run();
        }
      }, system.executionContext());
    });
  }

  /** One record: its result (or dead letter) to publish, with its offset to commit after. */
  private CompletionStage<ProducerMessage.Envelope<byte[], byte[], ConsumerMessage.Committable>>
      handle(ConsumerMessage.CommittableMessage<byte[], byte[]> message) {
    metrics.in();
    ConsumerRecord<byte[], byte[]> record = message.record();
    QuestionRecord.Parsed parsed;
    try {
      parsed = QuestionRecord.parse(record.value(), record.topic(),
          Instant.ofEpochMilli(Math.max(0, record.timestamp())), kafka, serve, policies,
          questionCheck);
    } catch (QuestionRecord.BadRecord e) {
      return CompletableFuture.completedFuture(deadLetter(message, e.getMessage()));
    } catch (RuntimeException e) {
      LOG.warn("record {}-{}@{} could not be read", record.topic(), record.partition(),
          record.offset(), e);
      return CompletableFuture.completedFuture(deadLetter(message, e.toString()));
    }
    return acquire().thenCompose(v -> answer(parsed))
        .whenComplete((o, e) -> admission.release(1))
        .thenApply(outcome -> {
          metrics.out(outcome.fromJournal());
          if (!outcome.fromJournal()) {
            serverMetrics.question(outcome.result(), "kafka");
          }
          RecordHeaders headers = new RecordHeaders();
          headers.add(RUN, parsed.run().getBytes(StandardCharsets.UTF_8));
          return ProducerMessage.single(new ProducerRecord<>(kafka.resultsTopic(), null,
              parsed.replyKey().getBytes(StandardCharsets.UTF_8), Json.write(outcome.result()),
              headers), message.committableOffset());
        });
  }

  private static final class Live {
    final ActorRef<StreamRun.Command> ref;
    volatile long usedNanos = System.nanoTime();

    Live(ActorRef<StreamRun.Command> ref) {
      this.ref = ref;
    }
  }

  private CompletionStage<StreamRun.Outcome> answer(QuestionRecord.Parsed p) {
    Live live = runs.compute(p.run(), (name, old) -> {
      if (old != null) {
        old.usedNanos = System.nanoTime();
        return old;
      }
      // A new name each time: a passivated run's actor may not have stopped yet.
      return new Live(system.systemActorOf(
          StreamRun.create(name, reckon, serve.budget(), store.snapshotEvery()),
          "stream-" + name + "-" + incarnations.incrementAndGet(), Props.empty()));
    });
    ActorRef<StreamRun.Command> run = live.ref;
    // Seeded by the question id, so that a question answered again (after a crash before its
    // journal write) samples as it did the first time.
    long seed = Seeds.mix(reckon.run().seed(), p.question().id().hashCode());
    return AskPattern.<StreamRun.Command, StreamRun.Outcome>ask(run,
        replyTo -> new StreamRun.Answer(p.question(), p.choice().strategy(), p.choice().policy(),
            p.choice().budget(), seed, kafka.timeout(), replyTo, p.choice().task()),
        kafka.timeout().plusSeconds(60), system.scheduler())
        .thenApply(outcome -> {
          if (outcome.result() == null) {
            // Fails the stream: it starts again from the last committed offset.
            throw new IllegalStateException("run " + p.run() + ": the journaled result of "
                + p.question().id() + " could not be read");
          }
          return outcome;
        });
  }

  private ProducerMessage.Envelope<byte[], byte[], ConsumerMessage.Committable> deadLetter(
      ConsumerMessage.CommittableMessage<byte[], byte[]> message, String error) {
    metrics.deadLetter();
    ConsumerRecord<byte[], byte[]> r = message.record();
    RecordHeaders headers = new RecordHeaders(r.headers().toArray());
    headers.add(ERROR, error.getBytes(StandardCharsets.UTF_8));
    headers.add(SOURCE_TOPIC, r.topic().getBytes(StandardCharsets.UTF_8));
    headers.add(SOURCE_PARTITION, Integer.toString(r.partition()).getBytes(StandardCharsets.UTF_8));
    headers.add(SOURCE_OFFSET, Long.toString(r.offset()).getBytes(StandardCharsets.UTF_8));
    return ProducerMessage.single(new ProducerRecord<>(kafka.deadLetterTopic(), null, r.key(),
        r.value(), headers), message.committableOffset());
  }

  /** Completes once this record holds an admission place; looks again while none is free. */
  private CompletionStage<Void> acquire() {
    CompletableFuture<Void> held = new CompletableFuture<>();
    tryAcquire(held);
    return held;
  }

  private void tryAcquire(CompletableFuture<Void> held) {
    if (admission.tryAcquire(1)) {
      held.complete(null);
    } else {
      system.scheduler().scheduleOnce(kafka.admissionRetry(), () -> tryAcquire(held),
          system.executionContext());
    }
  }

  /**
   * Lag as operators mean it: the requests topic's end offsets minus the group's committed
   * offsets (the consumer's own records-lag metric goes stale while its partitions are paused).
   */
  private void tick() {
    pollLag();
    long now = System.nanoTime();
    for (String name : runs.keySet()) {
      // Atomic with answer()'s compute for the same name: no question is sent to a run
      // after its Passivate.
      runs.computeIfPresent(name, (n, live) -> {
        if (now - live.usedNanos < kafka.idleStop().toNanos()) {
          return live;
        }
        live.ref.tell(new StreamRun.Passivate());
        return null;
      });
    }
  }

  private void pollLag() {
    admin.listConsumerGroupOffsets(kafka.groupId()).partitionsToOffsetAndMetadata()
        .toCompletionStage()
        .thenCompose(committed -> admin.describeTopics(List.of(kafka.requestsTopic()))
            .allTopicNames().toCompletionStage().thenCompose(topics -> {
              Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
              topics.get(kafka.requestsTopic()).partitions().forEach(p -> ends.put(
                  new TopicPartition(kafka.requestsTopic(), p.partition()), OffsetSpec.latest()));
              return admin.listOffsets(ends).all().toCompletionStage().thenApply(latest -> {
                long lag = 0;
                for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e
                    : latest.entrySet()) {
                  OffsetAndMetadata at = committed.get(e.getKey());
                  lag += Math.max(0, e.getValue().offset() - (at == null ? 0 : at.offset()));
                }
                return lag;
              });
            }))
        .whenComplete((lag, error) -> {
          if (lag != null) {
            metrics.lag(lag);
          }
        });
  }

  /** Stops pulling, lets the records in hand finish and commit, then stops the consumer. */
  public CompletionStage<Done> stop() {
    stopping = true;
    Cancellable poll = lagPoll;
    if (poll != null) {
      poll.cancel();
    }
    admin.close(Duration.ofSeconds(5));
    Consumer.DrainingControl<Done> c = control;
    if (c == null) {
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    return c.drainAndShutdown(system.executionContext()).exceptionally(e -> Done.getInstance());
  }

  /** The stream runs, for the runs API and the dashboard. */
  public OpenRuns openRuns() {
    return new StreamRunsView(system, serve.budget(), runs::containsKey);
  }

  KafkaMetrics metrics() {
    return metrics;
  }
}
