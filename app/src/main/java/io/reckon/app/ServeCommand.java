package io.reckon.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.reckon.actors.ReckonSettings;
import io.reckon.actors.cluster.ClusterSettings;
import io.reckon.actors.store.RunStore;
import io.reckon.search.policy.Policy;
import io.reckon.server.ReckonServer;
import io.reckon.server.SearchChoice;
import io.reckon.server.ServerSettings;
import io.reckon.server.kafka.KafkaSettings;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code reckon serve}: the long-running HTTP service (OpenAI-compatible API, metrics). */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = "Serves Reckon over HTTP until SIGTERM: the OpenAI-compatible API "
        + "(/v1/models, /v1/completions, /v1/chat/completions) answered by test-time search, "
        + "the runs API (/v1/runs), /health, /ready, /metrics and the dashboard (/). With no "
        + "options: the shipped models on 127.0.0.1:8080, runs in the embedded store.")
final class ServeCommand implements Callable<Integer> {

  @Option(names = "--host", paramLabel = "ADDRESS",
      description = "Address to bind; anything but loopback needs RECKON_API_TOKEN "
          + "(default: reckon.serve.host = 127.0.0.1)")
  String host;

  @Option(names = "--port", paramLabel = "PORT",
      description = "Port to bind; 0 picks a free one (default: reckon.serve.port = 8080)")
  Integer port;

  @Option(names = "--workers", paramLabel = "K",
      description = "Proposer and verifier workers of each kind (default: reckon.workers.count)")
  Integer workers;

  @Mixin BackendOptions backendOptions = new BackendOptions();

  @Mixin CoordinatorOptions clusterOptions = new CoordinatorOptions();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Limits.load().requireWorkers(workers);
    Config hocon;
    ServerSettings settings;
    boolean keysFile;
    ReckonSettings reckon;
    try {
      // A service stops on SIGTERM through CoordinatedShutdown (the CLI's runs stop themselves).
      hocon = ConfigFactory.parseString("pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = on")
          .withFallback(ConfigFactory.load());
      settings = ServerSettings.from(hocon);
      reckon = ReckonSettings.from(hocon);
      // Checked here too, so that a bad reckon.kafka is one line, not a failed start.
      KafkaSettings.from(hocon);
      keysFile = io.reckon.server.LimitSettings.from(hocon).keys().enabled();
    } catch (ConfigException | IllegalArgumentException e) {
      throw new Main.BadInput("configuration: " + e.getMessage());
    }
    if (port != null && (port < 0 || port > 65535)) {
      throw new Main.BadInput("--port must be between 0 and 65535 (got " + port + ")");
    }
    settings = settings.withAddress(host != null ? host : settings.host(),
        port != null ? port : settings.port());
    // Named API keys guard the routes as the single token does (ReckonServer.start).
    String refusal = (keysFile && !settings.tokenRequired()
        ? settings.withToken("k".repeat(64)) : settings).refusal();
    if (refusal != null) {
      throw new Main.BadInput(refusal);
    }
    // The served task: the preset's, else reckon.serve.task; the OpenAI policy renders its
    // prompts for it (with the preset's system prompt and template).
    Presets.Policy preset = backendOptions.preset(hocon);
    if (preset != null) {
      settings = settings.withTask(TaskChoice.resolve(preset.task(), hocon));
    }
    backendOptions.task = settings.task();
    backendOptions.stepDelimiter = settings.task().stepDelimiter();
    ClusterSettings cluster = clusterOptions.coordinator(hocon);
    // A coordinator-only cluster node runs no model: it needs their names and digests only.
    Backends models = cluster != null && !cluster.worker()
        ? backendOptions.describe(hocon) : backendOptions.load(hocon);
    try {
      ReckonServer server;
      try {
        server = ReckonServer.start(hocon, settings, new ReckonServer.Backend(
            models.proposer(), models.verifier(), RunModels.of(models, hocon, backendOptions),
            policy(settings, models),
            workers != null ? workers : reckon.workers().count()),
            cluster);
      } catch (ReckonServer.BindFailed e) {
        spec.commandLine().getErr().println("reckon serve: " + e.getMessage());
        return 1;
      } catch (IllegalArgumentException e) {
        // What start refuses before anything runs (e.g. reckon.scheduler.allocation.estimator
        // naming a file that is not a policy) is a message for the user.
        throw new Main.BadInput("configuration: " + e.getMessage());
      } catch (RunStore.StoreException e) {
        if (e.exitStatus() == Main.BAD_INPUT) {
          throw new Main.BadInput(e.getMessage());
        }
        spec.commandLine().getErr().println("reckon serve: " + e.getMessage());
        return 1;
      }
      out.println("reckon serve: listening on " + server.scheme() + "://" + server.host() + ":" + server.port()
          + " (models " + String.join(", ", models.names()) + "; model \"reckon\" = "
          + settings.strategy().name() + ", " + settings.budget()
          + " generations per request on average)");
      out.flush();
      server.whenTerminated().toCompletableFuture().join();
      return 0;
    } finally {
      models.close();
    }
  }

  /** The compute-optimal policy when it fits these models; otherwise why not (one line). */
  private static SearchChoice.PolicySource policy(ServerSettings settings, Backends models) {
    try {
      Policy p = PolicyFiles.readPolicy(settings.policy());
      PolicyFiles.requireModels(p, settings.policy(), models.names());
      return new SearchChoice.PolicySource(p, null);
    } catch (Main.BadInput e) {
      return SearchChoice.PolicySource.none(e.getMessage());
    }
  }
}
