package io.reckon.actors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.typesafe.config.Config;
import io.reckon.actors.store.Digests;
import io.reckon.protocol.QuestionResult;
import io.reckon.protocol.RunSpec;
import io.reckon.protocol.RunSummary;
import io.reckon.search.StrategyConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
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

  /** A model the tests' specs do not name: a worker node started with other models. */
  private static final List<RunSpec.ModelRef> OTHER = List.of(
      new RunSpec.ModelRef("proposer", "other-policy", null, Digests.text("other-policy")),
      new RunSpec.ModelRef("verifier", "other-prm", null, Digests.text("other-prm")));

  @Test
  void aRunSendsWorkOnlyToWorkersOfItsModelsAndSaysWhenNoneIsUp() {
    Config base = Harness.config("""
        reckon.run.concurrency = 4
        reckon.run.workers-timeout = 5s
        """);
    ActorTestKit coordinator = ClusterNodes.start("coordinator", base, null);
    ActorTestKit same = null;
    ActorTestKit other = null;
    try {
      same = ClusterNodes.start("worker", base, ClusterNodes.address(coordinator));
      ClusterNodes.workers(same, "same", 1, Duration.ofMillis(20));
      other = ClusterNodes.start("worker", base, ClusterNodes.address(coordinator));
      List<ActorRef<ModelWorker.Command>> others =
          ClusterNodes.workers(other, "other", 1, Duration.ofMillis(20), OTHER);
      // Both nodes' proposers are listed on the coordinator before the run starts.
      TestProbe<Receptionist.Listing> listed = coordinator.createTestProbe();
      listed.awaitAssert(Harness.PATIENCE, () -> {
        coordinator.system().receptionist().tell(Receptionist.find(ProposerWorker.KEY,
            listed.getRef()));
        assertThat(listed.receiveMessage().getServiceInstances(ProposerWorker.KEY)).hasSize(2);
        return null;
      });

      TestProbe<RunSupervisor.Event> listener = coordinator.createTestProbe();
      coordinator.spawn(RunSupervisor.create(
          RunSupervisor.Run.of(Harness.questions(16), StrategyConfig.parse("best-of-n"), 8, 7)
              .on(WorkerKeys.of(Stores.SYNTHETIC)),
          Harness.settings(coordinator), listener.getRef()), "run");
      RunSummary summary = null;
      int finished = 0;
      while (summary == null) {
        RunSupervisor.Event e = listener.receiveMessage(Harness.PATIENCE);
        if (e instanceof RunSupervisor.QuestionFinished) {
          finished++;
        } else if (e instanceof RunSupervisor.RunFinished done) {
          summary = done.summary();
        } else {
          fail("run failed: " + e);
        }
      }
      assertThat(finished).isEqualTo(16);
      assertThat(summary.workers()).isNotEmpty()
          .allSatisfy(w -> assertThat(w.worker()).startsWith("same-"));
      TestProbe<RunSummary.WorkerStats> stats = other.createTestProbe();
      for (ActorRef<ModelWorker.Command> w : others) {
        w.tell(new ModelWorker.GetStats(stats.getRef()));
        assertThat(stats.receiveMessage(Harness.PATIENCE).requests())
            .as("requests to a worker of another model").isZero();
      }

      // A run of a model no worker runs waits for one, then fails saying which is missing.
      coordinator.spawn(RunSupervisor.create(
          RunSupervisor.Run.of(Harness.questions(2), StrategyConfig.parse("best-of-n"), 4, 7)
              .on(WorkerKeys.of(List.of(
                  new RunSpec.ModelRef("proposer", "absent", null, Digests.text("absent")),
                  Stores.SYNTHETIC.get(1)))),
          Harness.settings(coordinator), listener.getRef()), "absent-run");
      RunSupervisor.Event end = listener.receiveMessage(Harness.PATIENCE);
      assertThat(end).isInstanceOf(RunSupervisor.RunFailed.class);
      assertThat(((RunSupervisor.RunFailed) end).reason())
          .startsWith("no proposer worker runs the run's model absent (sha256 ")
          .contains("(2 run other models)");
    } finally {
      for (ActorTestKit kit : java.util.Arrays.asList(other, same)) {
        if (kit != null) {
          kit.shutdownTestKit();
        }
      }
      coordinator.shutdownTestKit();
    }
  }
}
