package io.reckon.actors;

import io.reckon.protocol.CborSerializable;
import io.reckon.protocol.Continuation;
import io.reckon.protocol.GenerateReply;
import io.reckon.protocol.GenerateRequest;
import io.reckon.protocol.ModelRequest;
import io.reckon.protocol.ScoreReply;
import io.reckon.protocol.ScoreRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * This node's outbox to one model worker on another node. Question supervisors hand it their
 * requests ({@link Send}, a local message); what arrived within one turn of its mailbox goes to the
 * worker as one {@link ModelWorker.WorkBatch}, and the worker answers each of its model batches
 * with one {@link Results}, whose results this hands to the questions that asked.
 *
 * <p>Why: sent one by one, every request and every answer is a remote message of its own that
 * carries a question's reply address, an actor path unique to that question, which Artery writes
 * out in full and the other side parses and resolves again each time (its compression only helps
 * addresses that recur). Through the link the worker always answers the same address, and one
 * model batch of answers is one message.
 *
 * <p>A ticket that is never answered (its worker's node died mid-batch) is forgotten after {@code
 * expireAfter}: the question has retried it elsewhere by then, on its own timeout.
 */
public final class WorkerLink extends AbstractBehavior<WorkerLink.Command> {

  /** Items in one {@link ModelWorker.WorkBatch} at most. */
  static final int MAX_ITEMS = 256;

  /**
   * Characters of text in one batch message at most (a rough bound on its size: the frame limit,
   * reckon.cluster.maximum-frame-size, is 4 MiB, and one wide request may come close to it alone).
   */
  static final long MAX_CHARS = 512 * 1024;

  public sealed interface Command {}

  /** Send {@code request} to the link's worker; its result goes to {@code replyTo}. Local only. */
  public record Send(ModelRequest request, int attempt, ActorRef<WorkResult> replyTo)
      implements Command {}

  /** One request of a {@link ModelWorker.WorkBatch}; {@code ticket} names it in the answer. */
  public record Item(long ticket, ModelRequest request, int attempt) implements CborSerializable {}

  /** The result of the request with {@code ticket}. */
  public record Answered(long ticket, WorkResult result) implements CborSerializable {}

  /** A worker's answers to requests that came through a link: those of one model batch. */
  public record Results(List<Answered> results) implements Command, CborSerializable {
    public Results {
      results = List.copyOf(results);
    }
  }

  private enum Flush implements Command {
    INSTANCE
  }

  private enum Sweep implements Command {
    INSTANCE
  }

  private enum WorkerGone implements Command {
    INSTANCE
  }

  private record Waiting(ActorRef<WorkResult> replyTo, long sentNanos) {}

  /**
   * @param onStop called when the link stops (its worker left): the registry forgets it
   */
  static Behavior<Command> create(
      ActorRef<ModelWorker.Command> worker, Duration expireAfter, Runnable onStop) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(
        timers -> new WorkerLink(ctx, timers, worker, expireAfter, onStop)));
  }

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final ActorRef<ModelWorker.Command> worker;
  private final long expireNanos;
  private final Runnable onStop;
  private final ActorRef<Results> self;
  private final Map<Long, Waiting> waiting = new HashMap<>();
  private List<Item> outbox = new ArrayList<>();
  private long outboxChars;
  private long nextTicket;
  private boolean flushPending;

  private WorkerLink(
      ActorContext<Command> context, TimerScheduler<Command> timers,
      ActorRef<ModelWorker.Command> worker, Duration expireAfter, Runnable onStop) {
    super(context);
    this.context = context;
    this.timers = timers;
    this.worker = worker;
    this.expireNanos = expireAfter.toNanos();
    this.onStop = onStop;
    this.self = context.getSelf().narrow();
    context.watchWith(worker, WorkerGone.INSTANCE);
    timers.startTimerWithFixedDelay(Sweep.INSTANCE, Sweep.INSTANCE, expireAfter);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Send.class, this::onSend)
        .onMessage(Results.class, this::onResults)
        .onMessageEquals(Flush.INSTANCE, this::onFlush)
        .onMessageEquals(Sweep.INSTANCE, this::onSweep)
        .onMessageEquals(WorkerGone.INSTANCE, this::onWorkerGone)
        .build();
  }

  private Behavior<Command> onSend(Send send) {
    long ticket = nextTicket++;
    waiting.put(ticket, new Waiting(send.replyTo(), System.nanoTime()));
    long chars = chars(send.request());
    if (!outbox.isEmpty() && (outbox.size() >= MAX_ITEMS || outboxChars + chars > MAX_CHARS)) {
      flush();
    }
    outbox.add(new Item(ticket, send.request(), send.attempt()));
    outboxChars += chars;
    if (!flushPending) {
      // Behind the sends already in the mailbox: they go in the same message.
      flushPending = true;
      context.getSelf().tell(Flush.INSTANCE);
    }
    return this;
  }

  private Behavior<Command> onFlush() {
    flushPending = false;
    if (!outbox.isEmpty()) {
      flush();
    }
    return this;
  }

  private void flush() {
    worker.tell(new ModelWorker.WorkBatch(outbox, self));
    outbox = new ArrayList<>();
    outboxChars = 0;
  }

  private Behavior<Command> onResults(Results results) {
    for (Answered a : results.results()) {
      Waiting w = waiting.remove(a.ticket());
      if (w != null) {
        w.replyTo().tell(a.result());
      }
    }
    return this;
  }

  private Behavior<Command> onSweep() {
    long now = System.nanoTime();
    for (Iterator<Waiting> it = waiting.values().iterator(); it.hasNext(); ) {
      if (now - it.next().sentNanos() > expireNanos) {
        it.remove();
      }
    }
    return this;
  }

  private Behavior<Command> onWorkerGone() {
    // The questions hear it from the Receptionist and send their requests elsewhere.
    onStop.run();
    return Behaviors.stopped();
  }

  /** Characters of text in {@code request}: what its size grows with. */
  static long chars(ModelRequest request) {
    long n = 64 + request.questionId().length();
    if (request instanceof GenerateRequest g) {
      n += g.question().length() + lines(g.prefix());
      for (List<String> a : g.attempts()) {
        n += lines(a);
      }
    } else if (request instanceof ScoreRequest s) {
      n += s.question().length();
      for (List<String> sol : s.solutions()) {
        n += lines(sol);
      }
    }
    return n;
  }

  /** Characters of text in {@code result}, roughly (numbers count a few each). */
  static long chars(WorkResult result) {
    long n = 64;
    if (result instanceof WorkResult.Done d && d.reply() instanceof GenerateReply g) {
      for (Continuation c : g.continuations()) {
        n += 24 + lines(c.steps());
      }
    } else if (result instanceof WorkResult.Done d && d.reply() instanceof ScoreReply s) {
      for (List<Double> scores : s.scores()) {
        n += 8L + 9L * scores.size();
      }
    } else if (result instanceof WorkResult.Failed f) {
      n += f.reason().length();
    }
    return n;
  }

  private static long lines(List<String> lines) {
    long n = 0;
    for (String l : lines) {
      n += l.length() + 1;
    }
    return n;
  }
}
