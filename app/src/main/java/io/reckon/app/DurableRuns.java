package io.reckon.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.reckon.actors.EstimatorFile;
import io.reckon.actors.ProposerWorker;
import io.reckon.actors.ReckonSettings;
import io.reckon.actors.RunEntity;
import io.reckon.actors.RunEnvironment;
import io.reckon.actors.TaskSettings;
import io.reckon.actors.RunIds;
import io.reckon.actors.Runs;
import io.reckon.actors.VerifierWorker;
import io.reckon.actors.WorkerKeys;
import io.reckon.actors.store.RunJournal;
import io.reckon.actors.store.RunStore;
import io.reckon.actors.store.StoreSettings;
import io.reckon.protocol.QuestionResult;
import io.reckon.protocol.RunSpec;
import io.reckon.protocol.RunStatus;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.stream.javadsl.StreamConverters;
import org.slf4j.LoggerFactory;

/**
 * What the durable commands share: opening the store, a node (actor system on the store, with
 * this node's workers and its {@link Runs}), asking a run, following it to its end, and exporting
 * its results from the journal.
 */
final class DurableRuns {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Recovering a long run reads its last snapshot and the events after it: seconds at most. */
  static final Duration ASK = Duration.ofSeconds(60);

  private DurableRuns() {}

  /** The store's settings, the store opened and its schema created (one-line errors). */
  static StoreSettings open(Config hocon) {
    StoreSettings store;
    try {
      store = StoreSettings.from(hocon);
    } catch (ConfigException | IllegalArgumentException e) {
      throw new Main.BadInput("configuration: " + e.getMessage());
    }
    RunStore.prepare(store);
    return store;
  }

  /**
   * The settings with this node's difficulty estimator for runs without a policy
   * ({@link EstimatorFile}); which one is logged. A configured file that is not a policy is bad
   * input.
   */
  static ReckonSettings withEstimator(ReckonSettings settings, Config hocon, List<String> models) {
    EstimatorFile.Loaded loaded;
    try {
      loaded = EstimatorFile.load(hocon, models);
    } catch (IllegalArgumentException e) {
      throw new Main.BadInput("configuration: " + e.getMessage());
    }
    LoggerFactory.getLogger(DurableRuns.class).info(loaded.note());
    return settings.withEstimator(loaded.estimator());
  }

  /** The configuration and the settings read from it, as the durable commands start. */
  record Configured(Config hocon, ReckonSettings settings) {
    static Configured load() {
      try {
        Config hocon = ConfigFactory.load();
        return new Configured(hocon, ReckonSettings.from(hocon));
      } catch (ConfigException | IllegalArgumentException e) {
        throw new Main.BadInput("configuration: " + e.getMessage());
      }
    }
  }

  /** The RUN_ID parameter of resume and results. */
  static final class RunIdParameter {
    @picocli.CommandLine.Parameters(index = "0", paramLabel = "RUN_ID",
        description = "The run, as 'reckon runs' lists it")
    String runId;

    /** The id, checked for its shape (anything else is bad input, not a lookup). */
    String value() {
      requireRunId(runId);
      return runId;
    }
  }

  static void requireRunId(String runId) {
    if (!RunIds.valid(runId)) {
      throw new Main.BadInput("'" + runId + "' is not a run id (they look like 261201-141530-k3q9): "
          + "see 'reckon runs'");
    }
  }

  /** An actor system on the store, with {@code workers} worker pairs on {@code models} (or none). */
  static final class Node implements AutoCloseable {
    final ActorSystem<Void> system;
    final ActorRef<Runs.Command> runs;
    final ReckonSettings settings;
    /** The last {@link RunEntity.RunResumed} a follower heard (how many questions restarted). */
    final AtomicReference<RunEntity.RunResumed> resumed = new AtomicReference<>();

    Node(Config hocon, StoreSettings store, ReckonSettings base, Backends models, int workers,
        List<RunSpec.ModelRef> refs) {
      ReckonSettings settings = models == null ? base : withEstimator(base, hocon, models.names());
      this.settings = settings;
      CompletableFuture<ActorRef<Runs.Command>> registry = new CompletableFuture<>();
      Behavior<Void> guardian = Behaviors.setup(ctx -> {
        if (models != null) {
          RunSpec.ModelRef proposerModel = WorkerKeys.model(refs, ProposerWorker.KIND);
          RunSpec.ModelRef verifierModel = WorkerKeys.model(refs, VerifierWorker.KIND);
          for (int k = 0; k < workers; k++) {
            ctx.spawn(ProposerWorker.create(models.proposer(), settings.workers(), proposerModel),
                "proposer-" + k);
            ctx.spawn(VerifierWorker.create(models.verifier(), settings.workers(), verifierModel),
                "verifier-" + k);
          }
        }
        RunEnvironment environment = models == null
            ? RunEnvironment.local(refs, TaskSettings.from(hocon))
            : RunEnvironment.local(refs, q -> models.proposer().refusal(q.text()) == null,
                TaskSettings.from(hocon));
        registry.complete(ctx.spawn(Runs.create(environment, settings, store), "runs"));
        return Behaviors.empty();
      });
      this.system = ActorSystem.create(guardian, "reckon", RunStore.config(store).withFallback(hocon));
      this.runs = registry.join();
    }

    /** Asks run {@code runId}; an error reply is bad input with the run's one line. */
    RunStatus ask(String runId,
        Function<ActorRef<StatusReply<RunStatus>>, RunEntity.Command> command) {
      return await(AskPattern.askWithStatus(
          runs, replyTo -> new Runs.ToRun(runId, command.apply(replyTo)), ASK, system.scheduler()),
          "run " + runId);
    }

    RunStatus start(RunSpec spec, ActorRef<RunEntity.Notification> follower) {
      return await(AskPattern.askWithStatus(
          runs, replyTo -> new Runs.StartRun(spec, follower, replyTo), ASK, system.scheduler()),
          "starting the run");
    }

    private RunStatus await(CompletionStage<RunStatus> reply, String what) {
      try {
        return reply.toCompletableFuture().get(ASK.toSeconds() + 5, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof StatusReply.ErrorMessage m) {
          throw new Main.BadInput(m.getMessage());
        }
        throw new StoreFailed(what + ": no answer from the store (" + cause + ")");
      } catch (TimeoutException e) {
        throw new StoreFailed(what + ": no answer within " + ASK.toSeconds() + " s");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StoreFailed(what + ": interrupted");
      }
    }

    /** Spawns the follower of a run (on the blocking dispatcher: it draws on stderr). */
    ActorRef<RunEntity.Notification> follower(Progress progress,
        CompletableFuture<RunEntity.Notification> end, String name) {
      return system.systemActorOf(follow(progress, end, resumed), name,
          DispatcherSelector.fromConfig(settings.workers().blockingDispatcher()));
    }

    RunJournal journal() {
      return new RunJournal(system);
    }

    @Override
    public void close() {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().join();
    }
  }

  /** The store answered nothing useful (exit status 1): it may work on another try. */
  static final class StoreFailed extends RuntimeException {
    StoreFailed(String message) {
      super(message);
    }
  }

  private static Behavior<RunEntity.Notification> follow(
      Progress progress, CompletableFuture<RunEntity.Notification> end,
      AtomicReference<RunEntity.RunResumed> resumed) {
    return Behaviors.receive(RunEntity.Notification.class)
        .onMessage(RunEntity.Appended.class, a -> {
          if (a.event() instanceof RunEntity.QuestionFinished f) {
            progress.record(f.result());
          } else if (a.event() instanceof RunEntity.RunResumed r) {
            resumed.set(r);
          } else if (a.event() instanceof RunEntity.RunFinished
              || a.event() instanceof RunEntity.RunCancelled) {
            progress.done();
            end.complete(a);
            return Behaviors.stopped();
          }
          return Behaviors.same();
        })
        .onMessage(RunEntity.Halted.class, h -> {
          progress.done();
          end.complete(h);
          return Behaviors.stopped();
        })
        .build();
  }

  /**
   * Waits for the run's end; on {@link RunEntity.RunFinished} writes its results from the journal
   * to {@code out} (atomically) and prints the summary; otherwise says why and how to go on.
   */
  static int await(Node node, String runId, CompletableFuture<RunEntity.Notification> end,
      OutputTarget target, Refusals refusals, String label, int budget, int workers, long seed,
      PrintWriter out, PrintWriter err, String command) throws Exception {
    RunEntity.Notification last;
    try {
      last = end.get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception ex ? ex : e;
    }
    if (last instanceof RunEntity.Halted h) {
      err.println(command + ": run " + runId + " stopped: " + h.reason()
          + "; continue it with 'reckon resume " + runId + "'");
      return 1;
    }
    RunEntity.Event event = ((RunEntity.Appended) last).event();
    if (event instanceof RunEntity.RunCancelled c) {
      err.println(command + ": run " + runId + " was cancelled: " + c.reason());
      return 1;
    }
    RunEntity.RunFinished finished = (RunEntity.RunFinished) event;
    export(node, runId, target, refusals);
    out.print(SummaryTable.render(finished.summary(), label, budget, workers, seed, target.path()));
    out.print(refusals.summaryLine());
    RunEntity.RunResumed resumed = node.resumed.get();
    if (resumed != null) {
      out.printf(java.util.Locale.ROOT, "  resumed     run %s: %d questions had finished before "
          + "(kept, not computed again), %d were in flight and started again%n", runId,
          resumed.finished(), resumed.restarted());
    }
    out.flush();
    return finished.summary().failed() > 0 || !refusals.refused().isEmpty()
        ? Main.QUESTIONS_FAILED : 0;
  }

  /**
   * Writes the questions the model refused, then the run's results as the journal has them, whole,
   * to {@code target} (a regular file atomically, a device or pipe directly).
   */
  static void export(Node node, String runId, OutputTarget target, Refusals refusals)
      throws IOException {
    try {
      try (Writer w = target.writer()) {
        refusals.write(w);
        write(node, runId, w);
      }
      target.commit();
    } finally {
      target.abort();
    }
  }

  /** Writes the run's results so far as JSON lines, in the order they finished. */
  static long write(Node node, String runId, Writer w) throws IOException {
    long n = 0;
    try (Stream<QuestionResult> results = node.journal().currentResults(runId)
        .runWith(StreamConverters.asJavaStream(), node.system)) {
      Iterator<QuestionResult> it = results.iterator();
      while (it.hasNext()) {
        w.write(JSON.writeValueAsString(it.next()));
        w.write('\n');
        n++;
      }
    } catch (CompletionException | IllegalStateException e) {
      throw new Main.BadInput("run " + runId + ": its journal cannot be read by this version of "
          + "Reckon (" + e.getMessage() + ")");
    }
    return n;
  }

  /** The run's first event: its spec. */
  static RunEntity.RunStarted started(Node node, String runId) {
    try (Stream<EventEnvelope> first = node.journal().currentEvents(runId, 1).take(1)
        .runWith(StreamConverters.asJavaStream(), node.system)) {
      return first.map(EventEnvelope::event)
          .filter(e -> e instanceof RunEntity.RunStarted)
          .map(e -> (RunEntity.RunStarted) e)
          .findFirst()
          .orElseThrow(() -> new Main.BadInput("unknown run id " + runId + ": see 'reckon runs'"));
    } catch (RuntimeException e) {
      if (e instanceof Main.BadInput) {
        throw e;
      }
      throw new Main.BadInput("run " + runId + ": its journal cannot be read by this version of "
          + "Reckon (" + e.getMessage() + ")");
    }
  }

  static Writer stdout(PrintWriter out) {
    return new BufferedWriter(out);
  }
}
