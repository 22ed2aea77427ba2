package io.reckon.actors;

import io.reckon.protocol.CborSerializable;
import io.reckon.protocol.Compute;
import io.reckon.protocol.GenerateReply;
import io.reckon.protocol.GenerateRequest;
import io.reckon.protocol.ModelReply;
import io.reckon.protocol.ModelRequest;
import io.reckon.protocol.RunSummary.WorkerStats;
import io.reckon.protocol.ScoreReply;
import io.reckon.protocol.ScoreRequest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * One model on one device, shared by every question of the node: it collects requests from many
 * questions into a batch (up to {@code batch-size}, or whatever arrived within {@code linger} of
 * an idle worker), runs the model on the blocking dispatcher, and answers each requester. Up to
 * {@code maxInFlight} batches run at a time (1 unless the model batches continuously, in which
 * case a batch sent while others decode joins them at the next token boundary); requests that
 * arrive while none can be sent form the next batch.
 *
 * <p>When the model throws, the batch's requests are failed back to their requesters (who retry,
 * on another worker when there is one) and the worker is restarted with backoff. The queue of
 * waiting requests and the ledger live outside the restarted behavior, so neither is lost.
 *
 * <p>{@link ProposerWorker} and {@link VerifierWorker} are the two kinds.
 */
public final class ModelWorker extends AbstractBehavior<ModelWorker.Command> {

  /** A batched model call: replies in request order. Blocks; runs on the blocking dispatcher. */
  @FunctionalInterface
  public interface Backend {
    List<? extends ModelReply> call(List<ModelRequest> batch) throws Exception;
  }

  public sealed interface Command {}

  /**
   * Run {@code request} and answer {@code replyTo}.
   *
   * @param attempt echoed in the result, so that the requester can tell a stale failure
   */
  public record Work(ModelRequest request, int attempt, ActorRef<WorkResult> replyTo)
      implements Command, CborSerializable {}

  /**
   * Several requests from one coordinator node's {@link WorkerLink} in one remote message, answered
   * by {@link WorkerLink.Results}: one message per model batch to that node, whatever the number
   * of questions in it, and a reply address that never changes (so that Artery compresses it,
   * where a question's own reply address would be written out, and resolved, on every message).
   */
  public record WorkBatch(List<WorkerLink.Item> items, ActorRef<WorkerLink.Results> replyTo)
      implements Command, CborSerializable {
    public WorkBatch {
      items = List.copyOf(items);
    }
  }

  /** Ask for the worker's ledger. */
  public record GetStats(ActorRef<WorkerStats> replyTo) implements Command, CborSerializable {}

  private enum Flush implements Command {
    INSTANCE
  }

  /** Time to publish this worker's load if it changed (reckon.workers.load-interval). */
  private enum PublishLoad implements Command {
    INSTANCE
  }

  private record BatchDone(List<Job> batch, List<? extends ModelReply> replies)
      implements Command {}

  private record BatchFailed(List<Job> batch, Throwable cause) implements Command {}

  /**
   * A request waiting for (or in) a model batch, and where its result goes: straight to {@code
   * replyTo} (a {@link Work}), or, grouped with the others of its batch, to {@code link} under
   * {@code ticket} (an item of a {@link WorkBatch}).
   */
  private record Job(
      ModelRequest request, int attempt, ActorRef<WorkResult> replyTo,
      ActorRef<WorkerLink.Results> link, long ticket) {}

  /**
   * Results of one batch: one message per link (split where it would grow past {@link
   * WorkerLink#MAX_CHARS}), the others one by one.
   */
  private static final class Replies {
    private final Map<ActorRef<WorkerLink.Results>, List<WorkerLink.Answered>> byLink =
        new HashMap<>(2);
    private final Map<ActorRef<WorkerLink.Results>, Long> chars = new HashMap<>(2);

    void add(Job job, WorkResult result) {
      if (job.link() == null) {
        job.replyTo().tell(result);
        return;
      }
      long size = WorkerLink.chars(result);
      List<WorkerLink.Answered> group = byLink.get(job.link());
      if (group != null && chars.get(job.link()) + size > WorkerLink.MAX_CHARS) {
        job.link().tell(new WorkerLink.Results(group));
        group = null;
      }
      if (group == null) {
        group = new ArrayList<>();
        byLink.put(job.link(), group);
        chars.put(job.link(), 0L);
      }
      group.add(new WorkerLink.Answered(job.ticket(), result));
      chars.merge(job.link(), size, Long::sum);
    }

    void send() {
      byLink.forEach((link, results) -> link.tell(new WorkerLink.Results(results)));
    }
  }

  /** Thrown to let supervision restart the worker after its model failed. */
  static final class ModelFailure extends RuntimeException {
    ModelFailure(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** What survives a restart: the waiting requests and the ledger. */
  private static final class State {
    final ArrayDeque<Job> queue = new ArrayDeque<>();
    long batches;
    long failedBatches;
    long requests;
    long rows;
    long stepScores;
    int maxQuestionsInBatch;
    final TreeMap<Integer, Long> batchSizes = new TreeMap<>();
    Compute compute = Compute.ZERO;
    /** Batches sent to the model and not yet answered; kept through a restart, as they are. */
    int inFlight;
    /** Requests in the batches sent to the model and not yet answered (the load's second part). */
    int running;
  }

  /**
   * @param kind {@code proposer} or {@code verifier}; requests of the other kind are refused
   */
  static Behavior<Command> create(
      ServiceKey<Command> key, String kind, Backend backend, ReckonSettings.WorkerSettings settings) {
    return create(key, kind, backend, settings, 1);
  }

  /**
   * @param maxInFlight batches sent to the model at once: above 1 only for a model that admits
   *     new rows into a running batch (continuous batching), where more in flight means a request
   *     waits at most one token instead of a whole batch
   */
  static Behavior<Command> create(
      ServiceKey<Command> key, String kind, Backend backend, ReckonSettings.WorkerSettings settings,
      int maxInFlight) {
    return create(List.of(key), kind, backend, settings, maxInFlight);
  }

  /** As above, registered under each of {@code keys} (its kind's, and its model's). */
  static Behavior<Command> create(
      List<ServiceKey<Command>> keys, String kind, Backend backend,
      ReckonSettings.WorkerSettings settings, int maxInFlight) {
    return Behaviors.setup(
        context -> {
          for (ServiceKey<Command> key : keys) {
            context.getSystem().receptionist().tell(Receptionist.register(key, context.getSelf()));
          }
          State state = new State();
          Behavior<Command> worker =
              Behaviors.setup(
                  ctx -> Behaviors.withTimers(
                      timers -> new ModelWorker(ctx, timers, kind, backend, settings, state, maxInFlight)));
          return Behaviors.supervise(worker)
              .onFailure(
                  ModelFailure.class,
                  SupervisorStrategy.restartWithBackoff(
                          settings.minBackoff(), settings.maxBackoff(), settings.randomFactor())
                      .withStashCapacity(settings.stashCapacity())
                      .withLoggingEnabled(false)); // onBatchFailed logs it, once
        });
  }

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final String kind;
  private final String name;
  private final Backend backend;
  private final ReckonSettings.WorkerSettings settings;
  private final State state;
  private final Executor blocking;
  private final int maxInFlight;
  private boolean flushPending;
  private final ActorRef<Topic.Command<WorkerLoad>> loadTopic;
  private int publishedDepth = -1;

  private ModelWorker(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      String kind,
      Backend backend,
      ReckonSettings.WorkerSettings settings,
      State state,
      int maxInFlight) {
    super(context);
    context.setLoggerName(ModelWorker.class);
    this.context = context;
    this.timers = timers;
    this.kind = kind;
    this.name = context.getSelf().path().name();
    this.backend = backend;
    this.settings = settings;
    this.state = state;
    this.maxInFlight = Math.max(1, maxInFlight);
    this.blocking =
        context.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(settings.blockingDispatcher()));
    if (!state.queue.isEmpty()) {
      scheduleFlush(); // requests that waited through a restart
    }
    // Anonymous: a restart stops the children of the failed incarnation.
    this.loadTopic = context.spawnAnonymous(Topic.create(WorkerLoad.class, WorkerLoad.TOPIC));
    timers.startTimerWithFixedDelay(PublishLoad.INSTANCE, PublishLoad.INSTANCE, settings.loadInterval());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Work.class, this::onWork)
        .onMessage(WorkBatch.class, this::onWorkBatch)
        .onMessage(Flush.class, f -> onFlush())
        .onMessage(BatchDone.class, this::onBatchDone)
        .onMessage(BatchFailed.class, this::onBatchFailed)
        .onMessage(GetStats.class, this::onGetStats)
        .onMessageEquals(PublishLoad.INSTANCE, this::onPublishLoad)
        .build();
  }

  private Behavior<Command> onWork(Work work) {
    Replies refused = new Replies();
    enqueue(new Job(work.request(), work.attempt(), work.replyTo(), null, 0), refused);
    refused.send();
    return queued();
  }

  private Behavior<Command> onWorkBatch(WorkBatch batch) {
    Replies refused = new Replies();
    for (WorkerLink.Item item : batch.items()) {
      enqueue(new Job(item.request(), item.attempt(), null, batch.replyTo(), item.ticket()), refused);
    }
    refused.send();
    return queued();
  }

  /** Queues {@code job}, or refuses it (into {@code refused}) when it is of the other kind. */
  private void enqueue(Job job, Replies refused) {
    boolean fits =
        kind.equals(ProposerWorker.KIND)
            ? job.request() instanceof GenerateRequest
            : job.request() instanceof ScoreRequest;
    if (!fits) {
      refused.add(job, new WorkResult.Failed(
          job.request().requestId(), job.attempt(), name,
          "a " + kind + " worker cannot answer " + job.request().getClass().getSimpleName()));
      return;
    }
    state.queue.add(job);
  }

  /** Sends every full batch it may; a partial one waits for the flush (those behind it join). */
  private Behavior<Command> queued() {
    while (canSend() && state.queue.size() >= settings.batchSize()) {
      runBatch();
    }
    if (!state.queue.isEmpty() && canSend()) {
      scheduleFlush();
    }
    return this;
  }

  private void scheduleFlush() {
    if (flushPending) {
      return;
    }
    flushPending = true;
    if (settings.linger().isZero()) {
      // Behind everything already in the mailbox: those requests join this batch.
      context.getSelf().tell(Flush.INSTANCE);
    } else {
      timers.startSingleTimer(Flush.INSTANCE, Flush.INSTANCE, settings.linger());
    }
  }

  private boolean canSend() {
    return state.inFlight < maxInFlight;
  }

  private Behavior<Command> onFlush() {
    flushPending = false;
    if (canSend() && !state.queue.isEmpty()) {
      runBatch();
    }
    return this;
  }

  private void runBatch() {
    if (flushPending) {
      timers.cancel(Flush.INSTANCE);
      flushPending = false;
    }
    int n = Math.min(settings.batchSize(), state.queue.size());
    List<Job> batch = new ArrayList<>(n);
    List<ModelRequest> requests = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Job w = state.queue.poll();
      batch.add(w);
      requests.add(w.request());
    }
    state.inFlight++;
    state.running += batch.size();
    CompletableFuture<List<? extends ModelReply>> call = new CompletableFuture<>();
    blocking.execute(() -> {
      try {
        call.complete(backend.call(requests));
      } catch (Throwable t) {
        call.completeExceptionally(t);
      }
    });
    context.pipeToSelf(call, (replies, error) ->
        error == null ? new BatchDone(batch, replies) : new BatchFailed(batch, error));
  }

  private Behavior<Command> onBatchDone(BatchDone done) {
    state.inFlight--;
    List<Job> batch = done.batch();
    List<? extends ModelReply> replies = done.replies();
    if (replies == null || replies.size() != batch.size()) {
      return onBatchFailed(new BatchFailed(batch, new IllegalStateException(
          "model answered " + (replies == null ? 0 : replies.size()) + " of " + batch.size()
              + " requests")));
    }
    state.running -= batch.size();
    state.batches++;
    state.batchSizes.merge(batch.size(), 1L, Long::sum);
    Set<String> questions = new HashSet<>();
    Replies out = new Replies();
    for (int i = 0; i < batch.size(); i++) {
      Job w = batch.get(i);
      ModelReply reply = replies.get(i);
      questions.add(w.request().questionId());
      record(w.request(), reply);
      out.add(w, new WorkResult.Done(reply, w.attempt(), name, batch.size()));
    }
    out.send();
    state.maxQuestionsInBatch = Math.max(state.maxQuestionsInBatch, questions.size());
    if (!state.queue.isEmpty() && canSend()) {
      if (state.queue.size() >= settings.batchSize()) {
        runBatch();
      } else {
        // Let requests already in the mailbox join before the next call.
        flushPending = true;
        context.getSelf().tell(Flush.INSTANCE);
      }
    }
    return this;
  }

  private void record(ModelRequest request, ModelReply reply) {
    state.requests++;
    if (request instanceof GenerateRequest g && reply instanceof GenerateReply r) {
      state.rows += g.samples();
      state.compute = state.compute.plus(
          new Compute(g.charge(), r.promptTokens(), r.generatedTokens(), 0, r.flops(), 0));
    } else if (request instanceof ScoreRequest s && reply instanceof ScoreReply r) {
      state.rows += s.solutions().size();
      for (List<Double> scores : r.scores()) {
        state.stepScores += scores.size();
      }
      state.compute = state.compute.plus(new Compute(0, 0, 0, r.tokens(), 0, r.flops()));
    }
  }

  private Behavior<Command> onBatchFailed(BatchFailed failed) {
    state.inFlight--;
    state.failedBatches++;
    state.running = Math.max(0, state.running - failed.batch().size());
    Throwable cause = failed.cause();
    if (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    String reason = "model failed: " + cause;
    context.getLog().warn("{}: {} on a batch of {}; failing it back and restarting", name, reason,
        failed.batch().size());
    context.getLog().debug("{}: model failure", name, cause);
    Replies out = new Replies();
    for (Job w : failed.batch()) {
      out.add(w, new WorkResult.Failed(w.request().requestId(), w.attempt(), name, reason));
    }
    out.send();
    throw new ModelFailure(name + ": " + reason + " (batch of " + failed.batch().size() + ")", cause);
  }

  private Behavior<Command> onPublishLoad() {
    int depth = state.queue.size() + state.running;
    if (depth != publishedDepth) {
      publishedDepth = depth;
      loadTopic.tell(Topic.publish(new WorkerLoad(context.getSelf(), kind, depth)));
    }
    return this;
  }

  private Behavior<Command> onGetStats(GetStats get) {
    get.replyTo().tell(new WorkerStats(
        name, kind, state.batches, state.failedBatches, state.requests, state.rows,
        state.stepScores, state.maxQuestionsInBatch, state.batchSizes, state.compute));
    return this;
  }

}
