package io.reckon.actors.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code reckon.cluster { }} read once (config/cluster.conf), and the Pekko settings it stands
 * for: {@link #pekkoConfig()} is laid over the node's configuration when it starts as a cluster
 * node; a plain {@code reckon run} or {@code reckon serve} never reads it.
 *
 * @param seedNodes "host:port" of each seed node, in order; empty = this node seeds itself
 * @param roles {@value #COORDINATOR} and/or {@value #WORKER}
 * @param batchWork requests to a worker on another node go through this node's {@link
 *     io.reckon.actors.WorkerLink} to it (batched, answered at one address); off: one remote
 *     message per request and per answer, as before
 */
public record ClusterSettings(
    String systemName,
    String hostname,
    int port,
    List<String> seedNodes,
    List<String> roles,
    Duration stableAfter,
    Duration acceptableHeartbeatPause,
    long maximumFrameSize,
    Duration resumeTimeout,
    boolean batchWork) {

  public static final String COORDINATOR = "coordinator";
  public static final String WORKER = "worker";

  public ClusterSettings {
    seedNodes = List.copyOf(seedNodes);
    roles = List.copyOf(roles);
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(
          "reckon.cluster.port must be between 0 and 65535 (got " + port + ")");
    }
    for (String seed : seedNodes) {
      hostPort("reckon.cluster.seed-nodes", seed);
    }
    if (roles.isEmpty()) {
      throw new IllegalArgumentException("reckon.cluster.roles needs coordinator and/or worker");
    }
    for (String role : roles) {
      if (!role.equals(COORDINATOR) && !role.equals(WORKER)) {
        throw new IllegalArgumentException("reckon.cluster.roles: unknown role '" + role
            + "' (use coordinator and/or worker)");
      }
    }
    if (maximumFrameSize < 32 * 1024) {
      throw new IllegalArgumentException(
          "reckon.cluster.maximum-frame-size must be at least 32KiB (got " + maximumFrameSize + ")");
    }
  }

  public static ClusterSettings from(Config root) {
    Config c = root.getConfig("reckon.cluster");
    List<String> seeds = new ArrayList<>();
    for (String s : c.getString("seed-nodes").split(",")) {
      if (!s.isBlank()) {
        seeds.add(s.strip());
      }
    }
    return new ClusterSettings(
        c.getString("system-name"),
        c.getString("hostname"),
        c.getInt("port"),
        seeds,
        c.getStringList("roles").stream().map(r -> r.strip().toLowerCase(Locale.ROOT)).toList(),
        c.getDuration("stable-after"),
        c.getDuration("acceptable-heartbeat-pause"),
        c.getBytes("maximum-frame-size"),
        c.getDuration("resume-timeout"),
        c.getBoolean("batch-work"));
  }

  /**
   * Checks one "host:port" and returns it split; the message names {@code field} and the form.
   */
  public static String[] hostPort(String field, String value) {
    int colon = value.lastIndexOf(':');
    String error = field + ": '" + value + "' is not HOST:PORT (e.g. 10.0.0.5:25520)";
    if (colon <= 0 || colon == value.length() - 1) {
      throw new IllegalArgumentException(error);
    }
    try {
      int port = Integer.parseInt(value.substring(colon + 1));
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException(error);
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(error);
    }
    return new String[] {value.substring(0, colon), value.substring(colon + 1)};
  }

  public ClusterSettings withAddress(String newHostname, int newPort) {
    return new ClusterSettings(systemName, newHostname, newPort, seedNodes, roles, stableAfter,
        acceptableHeartbeatPause, maximumFrameSize, resumeTimeout, batchWork);
  }

  public ClusterSettings withSeedNodes(List<String> seeds) {
    return new ClusterSettings(systemName, hostname, port, seeds, roles, stableAfter,
        acceptableHeartbeatPause, maximumFrameSize, resumeTimeout, batchWork);
  }

  public ClusterSettings withRoles(List<String> newRoles) {
    return new ClusterSettings(systemName, hostname, port, seedNodes, newRoles, stableAfter,
        acceptableHeartbeatPause, maximumFrameSize, resumeTimeout, batchWork);
  }

  public ClusterSettings withTiming(Duration newStableAfter, Duration newHeartbeatPause) {
    return new ClusterSettings(systemName, hostname, port, seedNodes, roles, newStableAfter,
        newHeartbeatPause, maximumFrameSize, resumeTimeout, batchWork);
  }

  public boolean coordinator() {
    return roles.contains(COORDINATOR);
  }

  public boolean worker() {
    return roles.contains(WORKER);
  }

  /** The seed nodes as Pekko addresses. */
  public List<String> seedAddresses() {
    List<String> out = new ArrayList<>();
    for (String seed : seedNodes) {
      String[] hp = hostPort("reckon.cluster.seed-nodes", seed);
      out.add("pekko://" + systemName + "@" + hp[0] + ":" + hp[1]);
    }
    return out;
  }

  /**
   * The Pekko settings of this node: the cluster provider, Artery TCP at hostname:port, roles,
   * seed nodes, the resolver's and failure detector's timing, and the frame size. Lay it over
   * the node's configuration ({@code pekkoConfig().withFallback(config)}).
   */
  public Config pekkoConfig() {
    Map<String, Object> m = new HashMap<>();
    m.put("pekko.actor.provider", "cluster");
    m.put("pekko.remote.artery.transport", "tcp");
    m.put("pekko.remote.artery.canonical.hostname", hostname);
    m.put("pekko.remote.artery.canonical.port", port);
    m.put("pekko.remote.artery.advanced.maximum-frame-size", maximumFrameSize);
    // Large messages go through the same (ordinary) stream: the buffer pool must hold a frame.
    m.put("pekko.remote.artery.advanced.buffer-pool-size", 128);
    m.put("pekko.remote.artery.advanced.maximum-large-frame-size", maximumFrameSize);
    m.put("pekko.cluster.roles", roles);
    m.put("pekko.cluster.seed-nodes", seedAddresses());
    m.put("pekko.cluster.split-brain-resolver.stable-after", stableAfter.toMillis() + "ms");
    m.put("pekko.cluster.failure-detector.acceptable-heartbeat-pause",
        acceptableHeartbeatPause.toMillis() + "ms");
    // A node that is shut down leaves the cluster first (a kill -9 cannot: the resolver downs it).
    m.put("pekko.coordinated-shutdown.exit-jvm", "off");
    return ConfigFactory.parseMap(m);
  }
}
