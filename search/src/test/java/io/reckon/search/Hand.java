package io.reckon.search;

import io.reckon.protocol.Continuation;
import io.reckon.protocol.GenerateReply;
import io.reckon.protocol.GenerateRequest;
import io.reckon.protocol.ModelRequest;
import io.reckon.protocol.Outcome;
import io.reckon.protocol.Question;
import io.reckon.protocol.ScoreReply;
import io.reckon.protocol.ScoreRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Drives a strategy by hand: every reply is built by the test from the request it answers, so a
 * test decides exactly what each sample says and what the verifier thinks of each step. Records
 * every round of requests for assertions.
 */
final class Hand {
  static final Question Q = new Question("q", "2+3", "5", 1);

  static final int PROMPT_TOKENS_PER_ROW = 7;
  static final double PROPOSER_PARAMS = 1000;
  static final double VERIFIER_PARAMS = 10;

  final SearchStrategy strategy;
  final List<List<ModelRequest>> rounds = new ArrayList<>();
  private final Function<GenerateRequest, List<Continuation>> proposer;
  private final Function<List<String>, List<Double>> verifier;

  Hand(
      SearchStrategy strategy,
      Function<GenerateRequest, List<Continuation>> proposer,
      Function<List<String>, List<Double>> verifier) {
    this.strategy = strategy;
    this.proposer = proposer;
    this.verifier = verifier;
  }

  /** A verifier that looks every step up in a table (missing steps score {@code fallback}). */
  static Function<List<String>, List<Double>> table(Map<String, Double> scores, double fallback) {
    return steps -> steps.stream().map(s -> scores.getOrDefault(s, fallback)).toList();
  }

  static SearchStrategy create(String spec, int budget) {
    return StrategyConfig.parse(spec).create(StrategyContext.of(Q, budget, 42L));
  }

  static Continuation finished(String... steps) {
    return new Continuation(List.of(steps), true, tokens(List.of(steps)), -1.0);
  }

  static Continuation open(String... steps) {
    return new Continuation(List.of(steps), false, tokens(List.of(steps)), -1.0);
  }

  static int tokens(List<String> steps) {
    return steps.stream().mapToInt(s -> s.length() + 1).sum();
  }

  static GenerateReply reply(GenerateRequest r, List<Continuation> rows) {
    long prompt = (long) PROMPT_TOKENS_PER_ROW * r.samples();
    long generated = rows.stream().mapToLong(Continuation::tokens).sum();
    return new GenerateReply(r.requestId(), rows, prompt, generated,
        2 * PROPOSER_PARAMS * (prompt + generated));
  }

  static ScoreReply reply(ScoreRequest r, Function<List<String>, List<Double>> verifier) {
    List<List<Double>> scores = r.solutions().stream().map(verifier).toList();
    long tokens = r.solutions().stream().mapToLong(Hand::tokens).sum();
    return new ScoreReply(r.requestId(), scores, tokens, 2 * VERIFIER_PARAMS * tokens);
  }

  /** Runs the strategy to its end, one round at a time. */
  Outcome run() {
    List<ModelRequest> pending = strategy.start();
    while (!pending.isEmpty()) {
      rounds.add(List.copyOf(pending));
      List<ModelRequest> next = new ArrayList<>();
      for (ModelRequest r : pending) {
        next.addAll(answer(r));
      }
      pending = next;
    }
    return strategy.outcome();
  }

  List<ModelRequest> answer(ModelRequest r) {
    if (r instanceof GenerateRequest g) {
      return strategy.onReply(reply(g, proposer.apply(g)));
    }
    return strategy.onReply(reply((ScoreRequest) r, verifier));
  }

  List<GenerateRequest> generates(int round) {
    return rounds.get(round).stream()
        .filter(GenerateRequest.class::isInstance)
        .map(GenerateRequest.class::cast)
        .toList();
  }

  List<ScoreRequest> scores(int round) {
    return rounds.get(round).stream()
        .filter(ScoreRequest.class::isInstance)
        .map(ScoreRequest.class::cast)
        .toList();
  }

  List<GenerateRequest> allGenerates() {
    List<GenerateRequest> all = new ArrayList<>();
    for (int i = 0; i < rounds.size(); i++) {
      all.addAll(generates(i));
    }
    return all;
  }
}
