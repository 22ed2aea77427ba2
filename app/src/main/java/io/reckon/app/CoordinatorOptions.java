package io.reckon.app;

import com.typesafe.config.Config;
import io.reckon.actors.cluster.ClusterSettings;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code reckon serve --cluster}: the service as a coordinator node of a Pekko cluster. */
final class CoordinatorOptions {
  @Option(names = "--cluster",
      description = "Start as a coordinator node of a cluster (runs sharded over the coordinators, "
          + "models on worker nodes started with 'reckon worker --join'); see reckon.cluster")
  boolean cluster;

  @Option(names = "--seed-nodes", paramLabel = "HOST:PORT", split = ",",
      description = "The cluster's seed nodes, in order, comma-separated or repeated (default: "
          + "reckon.cluster.seed-nodes, env RECKON_SEED_NODES; none = this node is its own seed)")
  List<String> seeds;

  // The seed list was once spelled --seed, which 'reckon run' uses for its random seed.
  @Option(names = "--seed", hidden = true, paramLabel = "HOST:PORT")
  String oldSeed;

  @Option(names = "--with-workers",
      description = "With --cluster: also run model workers on this node (roles coordinator and worker)")
  boolean withWorkers;

  @Mixin ClusterOptions address = new ClusterOptions();

  /** The coordinator's cluster settings, or null without --cluster. */
  ClusterSettings coordinator(Config hocon) {
    if (oldSeed != null) {
      throw new Main.BadInput("--seed was renamed --seed-nodes on serve (the cluster's seed nodes, "
          + "HOST:PORT,...); 'reckon run --seed' is the random seed");
    }
    if (!cluster) {
      if (seeds != null || withWorkers || address.host != null || address.port != null) {
        throw new Main.BadInput("--seed-nodes, --with-workers, --cluster-host and --cluster-port need --cluster");
      }
      return null;
    }
    List<String> roles = new ArrayList<>(List.of(ClusterSettings.COORDINATOR));
    if (withWorkers) {
      roles.add(ClusterSettings.WORKER);
    }
    ClusterSettings s = address.settings(hocon, roles, seeds);
    if (s.seedNodes().isEmpty()) {
      if (s.port() == 0) {
        throw new Main.BadInput("a coordinator that is its own seed needs a fixed --cluster-port "
            + "(or name the seed nodes with --seed-nodes)");
      }
      s = s.withSeedNodes(List.of(s.hostname() + ":" + s.port()));
    }
    return s;
  }
}
