package io.reckon.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.reckon.actors.ModelWorker;
import io.reckon.actors.ProposerWorker;
import io.reckon.actors.ReckonSettings;
import io.reckon.actors.VerifierWorker;
import io.reckon.actors.WorkerKeys;
import io.reckon.actors.cluster.ClusterSettings;
import io.reckon.actors.store.Digests;
import io.reckon.protocol.RunSpec;
import io.reckon.protocol.RunSummary.WorkerStats;
import io.reckon.runtime.Proposer;
import io.reckon.runtime.Verifier;
import io.reckon.runtime.synthetic.Delayed;
import io.reckon.runtime.synthetic.SyntheticReasoner;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code reckon worker}: a worker node of a Reckon cluster. It joins the seed nodes, runs {@code
 * --workers} proposer and verifier workers on one device, and serves every coordinator's questions
 * until SIGTERM (it leaves the cluster first) or until it is killed (the split-brain resolver downs
 * it and its requests go to other workers).
 */
@Command(
    name = "worker",
    mixinStandardHelpOptions = true,
    description = "Runs model workers as a node of a Reckon cluster until SIGTERM: joins the "
        + "coordinator(s) named by --join, registers a proposer and a verifier worker per --workers, "
        + "and prints what it served every reckon.progress.interval.")
final class WorkerCommand implements Callable<Integer> {

  @Option(names = "--join", paramLabel = "HOST:PORT", split = ",", required = true,
      description = "Seed nodes to join (a coordinator's --cluster-port), comma-separated or repeated")
  List<String> join;

  @Option(names = "--device", paramLabel = "cpu|cuda:N",
      description = "Where the ONNX models run; cuda:N needs the -Pcuda build "
          + "(default: reckon.models.onnx.device)")
  String device;

  @Option(names = "--workers", paramLabel = "K",
      description = "Proposer and verifier workers of each kind (default: reckon.workers.count)")
  Integer workers;

  @Option(names = "--batch-latency", paramLabel = "DURATION",
      description = "With --backend synthetic: a fixed wall-clock time per batch (e.g. 20ms), to "
          + "measure scaling as if a GPU did the work")
  String batchLatency;

  @Mixin BackendOptions backendOptions = new BackendOptions();

  @Mixin ClusterOptions address = new ClusterOptions();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Limits.load().requireWorkers(workers);
    if (device != null && !device.matches("cpu|cuda:\\d+")) {
      throw new Main.BadInput("--device must be cpu or cuda:N, e.g. cuda:0 (got " + device + ")");
    }
    Config hocon;
    ReckonSettings reckon;
    try {
      hocon = ConfigFactory.parseString("pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = on")
          .withFallback(ConfigFactory.load());
      if (device != null) {
        hocon = hocon.withValue("reckon.models.onnx.device", ConfigValueFactory.fromAnyRef(device));
      }
      reckon = ReckonSettings.from(hocon);
    } catch (ConfigException | IllegalArgumentException e) {
      throw new Main.BadInput("configuration: " + e.getMessage());
    }
    Duration latency = latency();
    if (latency != null && !backendOptions.synthetic(hocon)) {
      throw new Main.BadInput("--batch-latency is for --backend synthetic");
    }
    ClusterSettings cluster = address.settings(hocon, List.of(ClusterSettings.WORKER), join);
    int count = workers != null ? workers : reckon.workers().count();
    // A worker renders prompts for the task it is started for: the preset's, else
    // reckon.tasks.default (the coordinator's runs are expected to be of that task).
    if (!backendOptions.synthetic(hocon)) {
      backendOptions.resolveTask(null, hocon);
    }
    Backends models = backendOptions.load(hocon);
    try {
      // Registered under these models' keys: runs of other models never send work here.
      List<RunSpec.ModelRef> refs = RunModels.of(models, hocon, backendOptions);
      RunSpec.ModelRef proposerModel = WorkerKeys.model(refs, ProposerWorker.KIND);
      RunSpec.ModelRef verifierModel = WorkerKeys.model(refs, VerifierWorker.KIND);
      Proposer proposer = models.proposer();
      Verifier verifier = models.verifier();
      if (latency != null) {
        Delayed delayed = new Delayed(new SyntheticReasoner(), latency);
        proposer = delayed;
        verifier = delayed;
      }
      Proposer p = proposer;
      Verifier v = verifier;
      Behavior<Void> guardian = Behaviors.setup(ctx -> {
        org.apache.pekko.actor.Address self = Cluster.get(ctx.getSystem()).selfMember().address();
        String node = self.getHost().orElse("local") + ":" + self.getPort().orElse(0);
        List<ActorRef<ModelWorker.Command>> local = new ArrayList<>();
        for (int k = 0; k < count; k++) {
          // Named after the node, so that a run's per-worker ledger shows each node's share.
          local.add(ctx.spawn(ProposerWorker.create(p, reckon.workers(), proposerModel),
              "proposer-" + k + "@" + node));
          local.add(ctx.spawn(VerifierWorker.create(v, reckon.workers(), verifierModel),
              "verifier-" + k + "@" + node));
        }
        ctx.spawn(ledger(local, out, reckon.progressInterval()), "ledger");
        return Behaviors.empty();
      });
      ActorSystem<Void> system = ActorSystem.create(
          guardian, cluster.systemName(), cluster.pekkoConfig().withFallback(hocon));
      out.println("reckon worker: node " + Cluster.get(system).selfMember().address()
          + " joining " + String.join(", ", cluster.seedNodes()) + " with " + count
          + " worker pair(s) of " + describe(proposerModel) + ", " + describe(verifierModel)
          + (latency != null ? " (" + latency.toMillis() + " ms per batch)" : ""));
      out.flush();
      system.getWhenTerminated().toCompletableFuture().join();
      return 0;
    } finally {
      models.close();
    }
  }

  private static String describe(RunSpec.ModelRef model) {
    return model.name() + " (sha256 " + Digests.shortForm(model.sha256()) + ")";
  }

  private Duration latency() {
    if (batchLatency == null) {
      return null;
    }
    try {
      return ConfigFactory.parseString("d = \"" + batchLatency.replace("\"", "") + "\"")
          .getDuration("d");
    } catch (ConfigException e) {
      throw new Main.BadInput("--batch-latency must be a duration such as 20ms (got " + batchLatency + ")");
    }
  }

  /** Prints this node's ledger (requests served per worker) every {@code interval}. */
  private static Behavior<WorkerStats> ledger(
      List<ActorRef<ModelWorker.Command>> workers, PrintWriter out, Duration interval) {
    return Behaviors.withTimers(timers -> {
      TreeMap<String, WorkerStats> seen = new TreeMap<>();
      WorkerStats tick = new WorkerStats("", "", 0, 0, 0, 0, 0, 0, new TreeMap<>(),
          io.reckon.protocol.Compute.ZERO);
      timers.startTimerWithFixedDelay(tick, interval);
      return Behaviors.setup(ctx -> Behaviors.receiveMessage(stats -> {
        if (stats == tick) {
          if (!seen.isEmpty()) {
            StringBuilder line = new StringBuilder("reckon worker: served");
            for (WorkerStats s : seen.values()) {
              line.append(String.format(Locale.ROOT, " %s=%d", s.worker(), s.requests()));
            }
            out.println(line);
            out.flush();
          }
          workers.forEach(w -> w.tell(new ModelWorker.GetStats(ctx.getSelf())));
        } else {
          seen.put(stats.worker(), stats);
        }
        return Behaviors.same();
      }));
    });
  }
}
