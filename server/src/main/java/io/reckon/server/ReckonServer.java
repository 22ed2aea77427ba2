package io.reckon.server;

import com.typesafe.config.Config;
import io.reckon.actors.EstimatorFile;
import io.reckon.actors.ModelWorker;
import io.reckon.actors.ProposerWorker;
import io.reckon.actors.ReckonSettings;
import io.reckon.actors.RunEnvironment;
import io.reckon.actors.Runs;
import io.reckon.actors.ServiceRun;
import io.reckon.actors.VerifierWorker;
import io.reckon.actors.WorkerKeys;
import io.reckon.actors.cluster.ClusterRuns;
import io.reckon.actors.cluster.ClusterSettings;
import io.reckon.actors.cluster.RunKeeper;
import io.reckon.actors.store.RunJournal;
import io.reckon.actors.store.RunStore;
import io.reckon.actors.store.StoreSettings;
import io.reckon.protocol.RunSpec;
import io.reckon.runtime.Proposer;
import io.reckon.server.kafka.KafkaFrontDoor;
import io.reckon.server.kafka.KafkaSettings;
import io.reckon.runtime.Verifier;
import io.reckon.runtime.synthetic.Arithmetic;
import io.reckon.runtime.synthetic.SyntheticReasoner;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running {@code reckon serve}: one ActorSystem hosting the model workers, the service run and
 * the HTTP routes. {@link #close()} (and SIGTERM, through CoordinatedShutdown) stops accepting
 * connections, lets requests in flight finish up to {@code reckon.serve.shutdown-deadline}, then
 * stops the system.
 */
public final class ReckonServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ReckonServer.class);

  /** What the server needs from outside: the models, the policy, the workers per kind. */
  public record Backend(Proposer proposer, Verifier verifier, List<RunSpec.ModelRef> models,
      SearchChoice.PolicySource policies, int workers) {}

  /** The address cannot be bound (in use, or not this machine's); the message is one line. */
  public static final class BindFailed extends RuntimeException {
    BindFailed(String message) {
      super(message, null, false, false);
    }
  }

  private final ActorSystem<Void> system;
  private final ServerBinding binding;
  private final ServerMetrics metrics;
  private final boolean https;

  private ReckonServer(ActorSystem<Void> system, ServerBinding binding, ServerMetrics metrics,
      boolean https) {
    this.system = system;
    this.binding = binding;
    this.metrics = metrics;
    this.https = https;
  }

  /**
   * Opens the run store, starts the system, binds, and resumes the runs the store shows
   * unfinished. Refuses (IllegalArgumentException, message for the user) an address off loopback
   * without an API token; a store that cannot be opened is a {@link RunStore.StoreException}.
   */
  public static ReckonServer start(Config base, ServerSettings settings, Backend backend)
      throws Exception {
    return start(base, settings, backend, null);
  }

  /**
   * The same, as a node of a Pekko cluster when {@code cluster} is not null: runs are sharded over
   * the coordinators (and resumed on another when theirs leaves); model workers start here only
   * when the node has the worker role.
   */
  public static ReckonServer start(
      Config base, ServerSettings given, Backend backend, ClusterSettings cluster)
      throws Exception {
    LimitSettings limits = LimitSettings.from(base);
    ApiKeys keys = limits.keys();
    // Named keys guard the routes as a token would: off loopback they are enough, and every
    // check that asks whether requests must authenticate hears yes. The stand-in token itself
    // is random and never accepted (KeyedAccess checks the keys file instead).
    ServerSettings settings = keys.enabled() && !given.tokenRequired()
        ? given.withToken(java.util.UUID.randomUUID() + "-" + java.util.UUID.randomUUID())
        : given;
    String refusal = settings.refusal();
    if (refusal != null) {
      throw new IllegalArgumentException(refusal);
    }
    WebSettings web = WebSettings.from(base);
    javax.net.ssl.SSLContext tls = web.tls() ? Tls.context(web) : null;
    if (tls == null && !settings.loopback()) {
      LOG.warn("serving plain HTTP on {} (not loopback): the API token and every answer cross the "
          + "network in clear; set reckon.serve.tls.keystore (docs/security.md)", settings.host());
    }
    checkBindable(settings.host(), settings.port());
    EstimatorFile.Loaded estimator = EstimatorFile.load(base,
        backend.models().stream().map(RunSpec.ModelRef::name).toList());
    LOG.info(estimator.note());
    ReckonSettings reckon = ReckonSettings.from(base).withEstimator(estimator.estimator());
    StoreSettings store = StoreSettings.from(base);
    ScheduledPrune.olderThan(base); // a bad value is refused before anything starts
    KafkaSettings kafka = KafkaSettings.from(base);
    RunStore.prepare(store);
    Config config = cluster == null ? RunStore.config(store).withFallback(base)
        : cluster.pekkoConfig().withFallback(RunStore.config(store)).withFallback(base);
    CompletableFuture<ActorRef<ServiceRun.Command>> service = new CompletableFuture<>();
    CompletableFuture<ActorRef<Runs.Command>> runs = new CompletableFuture<>();
    List<ActorRef<ModelWorker.Command>> workers = new java.util.concurrent.CopyOnWriteArrayList<>();
    // A coordinator-only cluster node leaves the models to the worker nodes.
    int local = cluster == null || cluster.worker() ? backend.workers() : 0;
    Behavior<Void> guardian = Behaviors.setup(ctx -> {
      RunSpec.ModelRef proposerModel = WorkerKeys.model(backend.models(), ProposerWorker.KIND);
      RunSpec.ModelRef verifierModel = WorkerKeys.model(backend.models(), VerifierWorker.KIND);
      for (int k = 0; k < local; k++) {
        workers.add(ctx.spawn(ProposerWorker.create(backend.proposer(), reckon.workers(),
            proposerModel), "proposer-" + k));
        workers.add(ctx.spawn(VerifierWorker.create(backend.verifier(), reckon.workers(),
            verifierModel), "verifier-" + k));
      }
      // Requests go to workers of this node's models only (in a cluster, others may be up).
      service.complete(ctx.spawn(ServiceRun.create(reckon, settings.budget(),
          WorkerKeys.of(backend.models())), "service"));
      RunEnvironment environment = RunEnvironment.local(backend.models(), settings.tasks());
      if (cluster == null) {
        runs.complete(ctx.spawn(Runs.create(environment, reckon, store), "runs"));
      } else {
        ClusterRuns.init(ctx.getSystem(), environment, reckon, store);
        ctx.spawn(RunKeeper.create(cluster.resumeTimeout()), "run-keeper");
        runs.complete(ctx.spawn(ClusterRuns.create(), "runs"));
      }
      return Behaviors.empty();
    });
    ActorSystem<Void> system = ActorSystem.create(
        guardian, cluster == null ? "reckon" : cluster.systemName(), config);
    ServerMetrics metrics = null;
    try {
      Admission admission = new Admission(settings.maxPending(), settings.budget(),
          limits.fairShareWindow(), settings.retryAfter());
      metrics = new ServerMetrics(backend.proposer().name(), backend.verifier().name(), admission);
      Asker asker = new Asker(system, service.get(30, TimeUnit.SECONDS), workers,
          reckon.run().seed());
      Function<String, String> check = RequestGuards.bounded(base,
          backend.proposer() instanceof SyntheticReasoner
          ? q -> Arithmetic.parse(q) == null
              ? "the synthetic backend answers arithmetic expressions only, e.g. 37*4+129-56"
              : null
          : q -> null);
      OpenAiRoutes openai = new OpenAiRoutes(settings, metrics, asker, admission,
          backend.policies(), check);
      RunsService runsService = new RunsService(system, runs.get(30, TimeUnit.SECONDS),
          new RunJournal(system), settings, reckon, backend.models(), backend.policies(), check,
          admission);
      runsService.probeStore();
      ScheduledPrune.start(system, base);
      OpsRoutes ops = new OpsRoutes(settings, metrics, asker, admission, runsService::storeUp);
      EventStreams streams = new EventStreams(runsService, settings, limits.maxEventStreams());
      metrics.gauge("reckon.event.streams.open", "run event streams (SSE) open now",
          streams::open);
      RunsRoutes runsRoutes = new RunsRoutes(settings, metrics, runsService, streams);
      Dashboard dashboard = new Dashboard(settings, metrics);
      UsageRoutes usage = new UsageRoutes(settings, metrics, admission, keys);
      WebGuard guard = new WebGuard(settings, web, metrics);
      // Built once: the guard's directives look at each request and then hand it to these.
      Route api = new Composed(settings, null)
          .all(openai.route(), runsRoutes.route(), usage.route(), ops.metricsRoute());
      Route authorized = new KeyedAccess(settings, metrics, keys).authorized(() -> api);
      Route inner = new Composed(settings, metrics).compose(ops.open(), dashboard.route(),
          guard.throttled(() -> authorized));
      Route route = guard.guard(() -> inner);
      ServerBinding binding;
      try {
        var at = Http.get(system).newServerAt(settings.host(), settings.port());
        if (tls != null) {
          at = at.enableHttps(org.apache.pekko.http.javadsl.ConnectionContext.httpsServer(tls));
        }
        // Disconnects: a client that hangs up cancels its search and frees its grant.
        binding = at.bindFlow(Disconnects.flow(route, system)).toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        throw new BindFailed("cannot bind " + settings.host() + ":" + settings.port() + ": "
            + e.getCause().getMessage());
      }
      drainOnShutdown(system, binding, admission, settings.shutdownDeadline(), streams);
      if (kafka.enabled()) {
        runsService.alsoShow(KafkaFrontDoor.start(system, kafka, settings, reckon, store,
            admission, metrics, backend.policies(), check).openRuns());
      }
      ServerMetrics m = metrics;
      system.getWhenTerminated().thenRun(m::close);
      if (cluster == null) {
        // In a cluster the RunKeeper resumes them (on whichever coordinator their shard lives).
        runsService.resumeUnfinished().whenComplete((ids, error) -> {
          if (error != null) {
            system.log().warn("resuming unfinished runs failed: {}", error.toString());
          }
        });
      }
      return new ReckonServer(system, binding, metrics, tls != null);
    } catch (Exception | Error e) {
      if (metrics != null) {
        metrics.close();
      }
      system.terminate();
      throw e;
    }
  }

  /**
   * Graceful shutdown in CoordinatedShutdown's service phases: unbind and admit no more questions,
   * wait until every admitted question is answered (up to {@code deadline}), then terminate the
   * binding, which closes the now idle connections. Pekko HTTP's own
   * {@code addToCoordinatedShutdown} terminates at once and tracks in-flight requests itself, but
   * its connection abort races a response that is just going out (akka/akka-http#4060): about one
   * request in three in flight at SIGTERM got a connection reset here instead of its answer.
   */
  private static void drainOnShutdown(ActorSystem<Void> system, ServerBinding binding,
      Admission admission, Duration deadline, EventStreams streams) {
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    shutdown.addTask(CoordinatedShutdown.PhaseServiceUnbind(), "http-unbind", () -> {
      admission.close();
      // Event streams never end by themselves while their run is live: end them, so that the
      // drain waits for answers only.
      streams.close();
      return binding.unbind();
    });
    shutdown.addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), "http-drain", () -> {
      long end = System.nanoTime() + deadline.toNanos();
      CompletableFuture<Done> drained = new CompletableFuture<>();
      pollDrained(system, admission, end, drained);
      // The last answer's response is rendered and written after its place is released: give it
      // a moment on the wire before the connections close.
      return drained
          .thenComposeAsync(d -> binding.terminate(Duration.ofNanos(
                  Math.max(0, end - System.nanoTime())).plus(DRAIN_SETTLE)),
              CompletableFuture.delayedExecutor(DRAIN_SETTLE.toMillis(), TimeUnit.MILLISECONDS))
          .thenApply(t -> Done.getInstance());
    });
  }

  private static final Duration DRAIN_SETTLE = Duration.ofMillis(250);

  private static void pollDrained(ActorSystem<Void> system, Admission admission, long end,
      CompletableFuture<Done> drained) {
    if (admission.held() == 0 || System.nanoTime() >= end) {
      drained.complete(Done.getInstance());
      return;
    }
    system.scheduler().scheduleOnce(Duration.ofMillis(50),
        () -> pollDrained(system, admission, end, drained), system.executionContext());
  }

  /**
   * Fails early, with one line, where the address is taken: Pekko would log the failed bind with
   * a stack trace after the whole system has started.
   */
  private static void checkBindable(String host, int port) {
    if (port == 0) {
      return;
    }
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(host, port));
    } catch (IOException e) {
      throw new BindFailed("cannot bind " + host + ":" + port + ": " + e.getMessage());
    }
  }

  /** The outermost route: errors of every kind in OpenAI's shape. */
  private static final class Composed extends HttpSupport {
    Composed(ServerSettings settings, ServerMetrics metrics) {
      super(settings, metrics);
    }

    Route compose(Route... routes) {
      return handleRejections(Errors.rejections(),
          () -> handleExceptions(Errors.exceptions(), () -> concat(routes[0], tail(routes))));
    }

    Route all(Route... routes) {
      return concat(routes[0], tail(routes));
    }

    private static Route[] tail(Route[] routes) {
      Route[] rest = new Route[routes.length - 1];
      System.arraycopy(routes, 1, rest, 0, rest.length);
      return rest;
    }
  }

  /** {@code https} with a keystore (reckon.serve.tls), else {@code http}. */
  public String scheme() {
    return https ? "https" : "http";
  }

  public int port() {
    return binding.localAddress().getPort();
  }

  public String host() {
    return binding.localAddress().getHostString();
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public CompletionStage<Done> whenTerminated() {
    return system.getWhenTerminated();
  }

  /** As SIGTERM does: unbind, let requests in flight finish up to the deadline, stop. */
  @Override
  public void close() {
    CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.unknownReason())
        .toCompletableFuture().join();
    system.getWhenTerminated().toCompletableFuture().join();
  }

}
