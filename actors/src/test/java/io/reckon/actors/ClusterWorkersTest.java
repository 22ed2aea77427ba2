package io.reckon.actors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.typesafe.config.Config;
import io.reckon.protocol.QuestionResult;
import io.reckon.protocol.RunSummary;
import io.reckon.search.StrategyConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;

/**
 * Worker nodes that come and go during a run: a coordinator node and worker nodes, each its own
 * ActorSystem talking over Artery TCP on 127.0.0.1. The requests of a worker node stopped hard
 * are sent elsewhere as soon as it is unreachable: the request timeout is five minutes here, so
 * a run that waited for it would not finish within the test's patience.
 */
class ClusterWorkersTest {
  private static final int QUESTIONS = 48;
  /** Long enough per batch that the run outlasts a node's joining (a few seconds). */
  private static final Duration LATENCY = Duration.ofMillis(150);

  @Test
  void aJoiningWorkerGetsWorkAndADeadWorkersRequestsMoveOnAtOnce() {
    Config base = Harness.config("""
        reckon.run.concurrency = 4
        reckon.question.request-timeout = 5m
        reckon.question.timeout = 10m
        """);
    ActorTestKit coordinator = ClusterNodes.start("coordinator", base, null);
    ActorTestKit first = null;
    ActorTestKit second = null;
    try {
      first = ClusterNodes.start("worker", base, ClusterNodes.address(coordinator));
      ClusterNodes.workers(first, "first", 1, LATENCY);

      TestProbe<RunSupervisor.Event> listener = coordinator.createTestProbe();
      coordinator.spawn(RunSupervisor.create(
          RunSupervisor.Run.of(Harness.questions(QUESTIONS), StrategyConfig.parse("best-of-n"), 8, 7),
          Harness.settings(coordinator), listener.getRef()), "run");

      List<QuestionResult> results = new ArrayList<>();
      RunSummary summary = null;
      int killAt = -1;
      while (summary == null) {
        RunSupervisor.Event e = listener.receiveMessage(Harness.PATIENCE);
        if (e instanceof RunSupervisor.QuestionFinished f) {
          results.add(f.result());
          if (results.size() == 4) {
            second = ClusterNodes.start("worker", base, ClusterNodes.address(coordinator));
            ClusterNodes.workers(second, "second", 1, LATENCY);
            killAt = Math.min(results.size() + 8, QUESTIONS - 12);
          } else if (results.size() == killAt) {
            ClusterNodes.kill(first); // mid-run, with requests in it
          }
        } else if (e instanceof RunSupervisor.RunFinished done) {
          summary = done.summary();
        } else {
          fail("run failed: " + e);
        }
      }

      assertThat(killAt).as("the run outlasted the second node's joining").isGreaterThan(4);
      assertThat(results).hasSize(QUESTIONS);
      assertThat(results).allSatisfy(r -> assertThat(r.status()).isEqualTo(QuestionResult.OK));
      Set<String> ids = new TreeSet<>();
      results.forEach(r -> ids.add(r.id()));
      assertThat(ids).hasSize(QUESTIONS);
      // The dead node's requests were sent again; the joined node answered requests.
      assertThat(summary.retries()).isPositive();
      assertThat(summary.workers())
          .filteredOn(w -> w.worker().startsWith("second-"))
          .hasSize(2)
          .allSatisfy(w -> assertThat(w.requests()).isPositive());
    } finally {
      if (first != null) {
        first.shutdownTestKit();
      }
      if (second != null) {
        second.shutdownTestKit();
      }
      coordinator.shutdownTestKit();
    }
  }
}
