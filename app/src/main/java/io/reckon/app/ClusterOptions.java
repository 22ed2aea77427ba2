package io.reckon.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.reckon.actors.cluster.ClusterSettings;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Where a cluster node listens (Artery TCP), shared by {@code reckon serve --cluster} and {@code
 * reckon worker}; everything else comes from {@code reckon.cluster} (config/cluster.conf).
 */
final class ClusterOptions {
  @Option(names = "--cluster-host", paramLabel = "ADDRESS",
      description = "The address other nodes reach this node at (default: reckon.cluster.hostname "
          + "= 127.0.0.1; env RECKON_CLUSTER_HOST)")
  String host;

  @Option(names = "--cluster-port", paramLabel = "PORT",
      description = "This node's cluster port; 0 picks a free one (default: reckon.cluster.port = "
          + "25520; env RECKON_CLUSTER_PORT)")
  Integer port;

  /** The node's settings: reckon.cluster with these options, {@code roles} and {@code seeds}. */
  ClusterSettings settings(Config hocon, List<String> roles, List<String> seeds) {
    try {
      ClusterSettings s = ClusterSettings.from(hocon).withRoles(roles);
      if (seeds != null && !seeds.isEmpty()) {
        s = s.withSeedNodes(seeds);
      }
      return s.withAddress(host != null ? host : s.hostname(), port != null ? port : s.port());
    } catch (ConfigException | IllegalArgumentException e) {
      throw new Main.BadInput(e.getMessage());
    }
  }
}
