package io.reckon.actors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.reckon.actors.cluster.ClusterSettings;
import io.reckon.protocol.RunSpec;
import io.reckon.runtime.synthetic.Delayed;
import io.reckon.runtime.synthetic.SyntheticReasoner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * Cluster nodes inside one test JVM: each an ActorSystem of its own on 127.0.0.1, a free port,
 * talking to the others over Artery TCP (every message between nodes is serialized and crosses a
 * real socket). The failure detector and the split-brain resolver are tuned short so that a node
 * stopped hard is downed within seconds.
 */
final class ClusterNodes {
  private ClusterNodes() {}

  static final String TEST_TIMING = """
      pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
      pekko.cluster.failure-detector.heartbeat-interval = 500ms
      pekko.cluster.unreachable-nodes-reaper-interval = 500ms
      pekko.cluster.gossip-interval = 500ms
      pekko.cluster.sharding.retry-interval = 500ms
      pekko.coordinated-shutdown.run-by-actor-system-terminate = off
      pekko.log-dead-letters = off
      """;

  static ClusterSettings settings(List<String> roles) {
    return ClusterSettings.from(ConfigFactory.load())
        .withAddress("127.0.0.1", 0)
        .withRoles(roles)
        .withSeedNodes(List.of())
        .withTiming(Duration.ofSeconds(2), Duration.ofSeconds(2));
  }

  /** A node's configuration: {@code base} with the cluster laid over it. */
  static Config config(List<String> roles, Config base) {
    return ConfigFactory.parseString(TEST_TIMING)
        .withFallback(settings(roles).pekkoConfig())
        .withFallback(base)
        .resolve();
  }

  /** Starts a node and joins it to {@code seed} (or to itself when {@code seed} is null). */
  static ActorTestKit start(String role, Config base, Address seed) {
    ActorTestKit kit = ActorTestKit.create("reckon", config(List.of(role), base));
    Cluster cluster = Cluster.get(kit.system());
    cluster.manager().tell(Join.create(seed != null ? seed : cluster.selfMember().address()));
    awaitUp(kit);
    return kit;
  }

  static Address address(ActorTestKit kit) {
    return Cluster.get(kit.system()).selfMember().address();
  }

  static void awaitUp(ActorTestKit kit) {
    TestProbe<ClusterEvent.MemberEvent> probe = kit.createTestProbe();
    Cluster cluster = Cluster.get(kit.system());
    cluster.subscriptions().tell(Subscribe.create(probe.getRef(), ClusterEvent.MemberEvent.class));
    probe.awaitAssert(Harness.PATIENCE, () -> {
      if (cluster.selfMember().status() != MemberStatus.up()) {
        throw new AssertionError("not up yet: " + cluster.selfMember());
      }
      return null;
    });
  }

  /**
   * Model workers on {@code kit}'s node: a synthetic model taking {@code latency} per batch,
   * registered as {@link Stores#SYNTHETIC} (the model the tests' run specs name).
   */
  static List<ActorRef<ModelWorker.Command>> workers(
      ActorTestKit kit, String prefix, int pairs, Duration latency) {
    return workers(kit, prefix, pairs, latency, Stores.SYNTHETIC);
  }

  /** The same, registered as {@code models} (the proposer's and the verifier's ref). */
  static List<ActorRef<ModelWorker.Command>> workers(
      ActorTestKit kit, String prefix, int pairs, Duration latency,
      List<RunSpec.ModelRef> models) {
    ReckonSettings s = Harness.settings(kit);
    Delayed model = new Delayed(new SyntheticReasoner(), latency);
    List<ActorRef<ModelWorker.Command>> spawned = new ArrayList<>();
    for (int k = 0; k < pairs; k++) {
      spawned.add(kit.spawn(ProposerWorker.create(model, s.workers(),
          WorkerKeys.model(models, ProposerWorker.KIND)), prefix + "-proposer-" + k));
      spawned.add(kit.spawn(VerifierWorker.create(model, s.workers(),
          WorkerKeys.model(models, VerifierWorker.KIND)), prefix + "-verifier-" + k));
    }
    return spawned;
  }

  /**
   * Stops a node hard: no leaving, no coordinated shutdown; the others learn it is gone only from
   * their failure detectors (and the split-brain resolver downs it), as after a kill -9.
   */
  static void kill(ActorTestKit kit) {
    kit.system().terminate();
    kit.system().getWhenTerminated().toCompletableFuture().join();
  }
}
