package io.reckon.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The cluster commands refuse bad input in one line with exit status 2, before starting a node. */
class ClusterCommandsTest {

  private static void refused(Cli.Result r, String message) {
    assertThat(r.status()).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err().strip()).contains(message).doesNotContain("\n").doesNotContain("Exception");
  }

  @Test
  void workerRefusesABadSeedADeviceAndWorkers() {
    refused(Cli.reckon("worker", "--cluster-port", "0", "--backend", "synthetic", "--join", "10.0.0.1"),
        "reckon.cluster.seed-nodes: '10.0.0.1' is not HOST:PORT");
    refused(Cli.reckon("worker", "--cluster-port", "0", "--backend", "synthetic", "--join", "h:1", "--device", "gpu0"),
        "--device must be cpu or cuda:N");
    refused(Cli.reckon("worker", "--cluster-port", "0", "--backend", "synthetic", "--join", "h:1", "--workers", "0"),
        "--workers must be >= 1");
    refused(Cli.reckon("worker", "--cluster-port", "0", "--backend", "onnx", "--join", "h:1", "--batch-latency", "20ms"),
        "--batch-latency is for --backend synthetic");
    refused(Cli.reckon("worker", "--cluster-port", "0", "--backend", "synthetic", "--join", "h:1", "--batch-latency", "soon"),
        "--batch-latency must be a duration");
  }

  @Test
  void serveRefusesClusterOptionsWithoutClusterAndASelfSeedOnPortZero() {
    refused(Cli.reckon("serve", "--backend", "synthetic", "--seed-nodes", "h:1"),
        "--seed-nodes, --with-workers, --cluster-host and --cluster-port need --cluster");
    refused(Cli.reckon("serve", "--backend", "synthetic", "--cluster", "--cluster-port", "0"),
        "a coordinator that is its own seed needs a fixed --cluster-port");
  }

  @Test
  void serveRefusesTheOldSeedSpellingWithAPointer() {
    // run --seed is the random seed; on serve the seed list is --seed-nodes.
    refused(Cli.reckon("serve", "--backend", "synthetic", "--cluster", "--seed", "h:1"),
        "--seed was renamed --seed-nodes on serve");
  }
}
