package io.reckon.actors;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import io.reckon.protocol.Question;
import io.reckon.search.StrategyConfig;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.Test;

/**
 * Adaptive allocation across nodes: the run, its question supervisors and the scheduler on a
 * coordinator node, the models only on a worker node (two ActorSystems over Artery TCP). Each
 * round's samples cross the network; the pool's books still balance and settled questions' savings
 * still reach others.
 */
class ClusterAdaptiveTest {
  @Test
  void anAdaptiveRunOnACoordinatorWithRemoteWorkersBalancesItsPool() {
    Config base = Harness.config("reckon.run.concurrency = 16");
    ActorTestKit coordinator = ClusterNodes.start("coordinator", base, null);
    ActorTestKit worker = null;
    try {
      worker = ClusterNodes.start("worker", base, ClusterNodes.address(coordinator));
      ClusterNodes.workers(worker, "remote", 1, Duration.ofMillis(5));
      List<Question> questions = Harness.questions(48);
      Harness.Collected c = Harness.run(coordinator, new RunSupervisor.Run(questions.iterator(),
          questions.size(), StrategyConfig.parse("best-of-n:sel=majority"), null, 8, 3,
          RunSupervisor.Allocation.ADAPTIVE));
      AdaptiveSchedulerTest.booksBalanceAndSavingsMove(c, 48, 8);
      // Every sample came from the worker node: the coordinator has no models.
      assertThat(c.summary().workers()).isNotEmpty()
          .allSatisfy(w -> assertThat(w.worker()).startsWith("remote-"));
    } finally {
      if (worker != null) {
        worker.shutdownTestKit();
      }
      coordinator.shutdownTestKit();
    }
  }
}
