package io.reckon.app;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A bad reckon.kafka stops reckon serve before it starts: one line, exit 2. */
class ServeKafkaConfigTest {

  @AfterEach
  void clear() {
    System.clearProperty("reckon.kafka.bootstrap-servers");
    System.clearProperty("reckon.kafka.results-topic");
    ConfigFactory.invalidateCaches();
  }

  @Test
  void resultsOnTheRequestsTopicAreRefused() {
    System.setProperty("reckon.kafka.bootstrap-servers", "127.0.0.1:9");
    System.setProperty("reckon.kafka.results-topic", "reckon.questions");
    ConfigFactory.invalidateCaches();
    Cli.assertBadInput(Cli.reckon("serve", "--backend", "synthetic", "--port", "0"),
        "reckon.kafka.requests-topic", "must differ");
  }
}
