package io.reckon.server.kafka;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * {@code reckon.kafka { }}, read once (see {@code config/kafka.conf} for what each key means).
 * The front door is off while {@code bootstrapServers} is empty.
 */
public record KafkaSettings(
    String bootstrapServers,
    String groupId,
    String requestsTopic,
    String resultsTopic,
    String deadLetterTopic,
    String run,
    int parallelism,
    int maxQuestionChars,
    Duration timeout,
    Duration admissionRetry,
    int commitBatch,
    Duration commitInterval,
    Duration restartMin,
    Duration restartMax,
    Duration lagInterval,
    Duration idleStop) {

  /** What a run name may be (it names an actor and a persistence id; run id stream.NAME). */
  public static final String RUN_NAME = "[A-Za-z0-9._-]{1,57}";
  private static final DateTimeFormatter DAY =
      DateTimeFormatter.ofPattern("yyyyMMdd", Locale.ROOT).withZone(ZoneOffset.UTC);

  public KafkaSettings {
    // A compact constructor sees its parameters, not yet its fields: no accessors here.
    if (!bootstrapServers.isEmpty()) {
      for (String[] topic : new String[][] {{"requests-topic", requestsTopic},
          {"results-topic", resultsTopic}, {"dead-letter-topic", deadLetterTopic},
          {"group-id", groupId}}) {
        if (topic[1].isBlank()) {
          throw new IllegalArgumentException("reckon.kafka." + topic[0] + " is empty: name it");
        }
      }
      if (requestsTopic.equals(resultsTopic) || requestsTopic.equals(deadLetterTopic)) {
        throw new IllegalArgumentException("reckon.kafka.requests-topic '" + requestsTopic
            + "' must differ from results-topic and dead-letter-topic (answers would be read as "
            + "questions)");
      }
      String sample = runName(run, requestsTopic, Instant.EPOCH);
      if (!sample.matches(RUN_NAME)) {
        throw new IllegalArgumentException("reckon.kafka.run '" + run + "' gives run names like '"
            + sample + "': use letters, digits, '.', '_', '-' and {topic} {date}, at most 57");
      }
    }
    atLeast("parallelism", parallelism, 1);
    atLeast("max-question-chars", maxQuestionChars, 1);
    atLeast("commit-batch", commitBatch, 1);
  }

  public static KafkaSettings from(Config root) {
    Config c = root.getConfig("reckon.kafka");
    try {
      return new KafkaSettings(
          c.getString("bootstrap-servers").strip(),
          c.getString("group-id").strip(),
          c.getString("requests-topic").strip(),
          c.getString("results-topic").strip(),
          c.getString("dead-letter-topic").strip(),
          c.getString("run").strip(),
          c.getInt("parallelism"),
          c.getInt("max-question-chars"),
          c.getDuration("timeout"),
          c.getDuration("admission-retry"),
          c.getInt("commit-batch"),
          c.getDuration("commit-interval"),
          c.getDuration("restart-min"),
          c.getDuration("restart-max"),
          c.getDuration("lag-interval"),
          c.getDuration("idle-stop"));
    } catch (ConfigException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  public boolean enabled() {
    return !bootstrapServers.isEmpty();
  }

  /** The run a record of {@code topic} written at {@code timestamp} belongs to by default. */
  public String runName(String topic, Instant timestamp) {
    return runName(run, topic, timestamp);
  }

  private static String runName(String run, String topic, Instant timestamp) {
    return run.replace("{topic}", topic).replace("{date}", DAY.format(timestamp));
  }

  public KafkaSettings withBootstrap(String servers) {
    return new KafkaSettings(servers, groupId, requestsTopic, resultsTopic, deadLetterTopic, run,
        parallelism, maxQuestionChars, timeout, admissionRetry, commitBatch, commitInterval,
        restartMin, restartMax, lagInterval, idleStop);
  }

  public KafkaSettings withTopics(String group, String requests, String results, String dead) {
    return new KafkaSettings(bootstrapServers, group, requests, results, dead, run,
        parallelism, maxQuestionChars, timeout, admissionRetry, commitBatch, commitInterval,
        restartMin, restartMax, lagInterval, idleStop);
  }

  public KafkaSettings withParallelism(int parallelism) {
    return new KafkaSettings(bootstrapServers, groupId, requestsTopic, resultsTopic,
        deadLetterTopic, run, parallelism, maxQuestionChars, timeout, admissionRetry, commitBatch,
        commitInterval, restartMin, restartMax, lagInterval, idleStop);
  }

  private static void atLeast(String key, long value, long min) {
    if (value < min) {
      throw new IllegalArgumentException("reckon.kafka." + key + " must be >= " + min + ", was "
          + value);
    }
  }
}
