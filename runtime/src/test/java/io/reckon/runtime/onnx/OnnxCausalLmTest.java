package io.reckon.runtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.reckon.protocol.Continuation;
import io.reckon.protocol.GenerateReply;
import io.reckon.protocol.GenerateRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The shipped policy through ONNX Runtime: the cache, the padding and the seeds are right. */
class OnnxCausalLmTest {
  private static final int MAX_NEW = 96;
  static OnnxCausalLm lm;

  @BeforeAll
  static void load() {
    lm =
        OnnxModels.loadProposer(
            ShippedModels.dir(ShippedModels.POLICY),
            OnnxSettings.DEFAULT.withIntraOpThreads(1).withMaxNewTokens(MAX_NEW));
  }

  @AfterAll
  static void close() {
    lm.close();
  }

  private static long nextId = 1;

  static GenerateRequest request(
      String question, List<List<String>> attempts, List<String> prefix, int samples, int maxSteps,
      double temperature, long seed) {
    return new GenerateRequest(
        nextId++, "q-" + question, question, attempts, prefix, samples, maxSteps, temperature, seed, samples);
  }

  static GenerateRequest greedy(String question, List<String> prefix, int maxSteps) {
    return request(question, List.of(), prefix, 1, maxSteps, 0, 0);
  }

  /** Greedy decoding with no cache at all: the whole sequence recomputed for every token. */
  private static Continuation greedyWithoutCache(GenerateRequest r) {
    long[] ids = lm.tokenizer().encode(lm.config().format().prompt(r.question(), r.attempts(), r.prefix()));
    int promptLength = ids.length;
    LineAssembler text =
        new LineAssembler(
            lm.config().format(), r.maxSteps(), lm.config().eosTokenId(), lm.tokenizer()::decode,
            t -> true);
    double logProb = 0;
    int generated = 0;
    while (!text.done()) {
      float[] logits = lm.nextLogitsWithoutCache(ids);
      int token = Sampler.argmax(logits, 0, logits.length);
      logProb += Sampler.logProb(logits, 0, logits.length, token);
      generated++;
      if (!text.accept(token)
          && (generated >= MAX_NEW || promptLength + generated - 1 >= lm.config().maxPositions())) {
        text.cutOff();
      }
      ids = Arrays.copyOf(ids, ids.length + 1);
      ids[ids.length - 1] = token;
    }
    return new Continuation(text.steps(), text.finished(), generated, logProb);
  }

  private static void assertSame(Continuation actual, Continuation expected) {
    assertThat(actual.steps()).isEqualTo(expected.steps());
    assertThat(actual.finished()).isEqualTo(expected.finished());
    assertThat(actual.tokens()).isEqualTo(expected.tokens());
    assertThat(actual.logProb()).isCloseTo(expected.logProb(), within(1e-3));
  }

  @Test
  void cachedGreedyDecodingEqualsFullRecompute() {
    List<GenerateRequest> requests =
        List.of(
            greedy("37*4+129-56", List.of(), 0),
            greedy("12*3+5", List.of("12*3=36"), 0),
            greedy("896-37*26-265+569-32*70", List.of(), 2));
    for (GenerateRequest r : requests) {
      Continuation cached = lm.generate(List.of(r)).get(0).continuations().get(0);
      assertSame(cached, greedyWithoutCache(r));
    }
  }

  @Test
  void aBatchOfDifferentLengthsGivesEachRowItsOwnGreedyOutput() {
    List<GenerateRequest> requests =
        List.of(
            greedy("8+5*3", List.of(), 0),
            greedy("896-37*26-265+569-32*70", List.of("37*26=962", "32*70=2240"), 0),
            greedy("45-17+8", List.of(), 1),
            request("12*3+5", List.of(List.of("12*3=38", "38+5=43", "A: 43")), List.of(), 1, 0, 0, 0),
            greedy("7+8", List.of("7+8=15"), 0),
            greedy("37*4+129-56", List.of("37*4=148"), 2));
    List<GenerateReply> together = lm.generate(requests);
    for (int i = 0; i < requests.size(); i++) {
      GenerateReply alone = lm.generate(List.of(requests.get(i))).get(0);
      assertSame(together.get(i).continuations().get(0), alone.continuations().get(0));
      assertThat(together.get(i).requestId()).isEqualTo(requests.get(i).requestId());
      // Alone, the prompt is already in the prefix cache: less or nothing to prefill.
      assertThat(alone.promptTokens()).isLessThanOrEqualTo(together.get(i).promptTokens());
      assertThat(together.get(i).generatedTokens()).isEqualTo(alone.generatedTokens());
    }
  }

  @Test
  void smallBatchesGiveTheSameResultsAsOneLargeOne() {
    OnnxCausalLm twoRows = lmWithRows(2);
    try {
      List<GenerateRequest> requests = new ArrayList<>();
      for (String q : List.of("8+5*3", "45-17+8", "37*4+129-56", "7+8", "12*3+5")) {
        requests.add(greedy(q, List.of(), 0));
      }
      List<GenerateReply> big = lm.generate(requests);
      List<GenerateReply> small = twoRows.generate(requests);
      for (int i = 0; i < requests.size(); i++) {
        assertSame(small.get(i).continuations().get(0), big.get(i).continuations().get(0));
      }
    } finally {
      twoRows.close();
    }
  }

  private static OnnxCausalLm lmWithRows(int rows) {
    return OnnxModels.loadProposer(
        ShippedModels.dir(ShippedModels.POLICY),
        lm.settings().withMaxBatchRows(rows));
  }

  private static OnnxCausalLm lmWithCache(long bytes) {
    return OnnxModels.loadProposer(
        ShippedModels.dir(ShippedModels.POLICY),
        lm.settings().withPrefixCacheBytes(bytes));
  }

  @Test
  void theSameSeedGivesTheSameSamplesAndOtherSeedsOthers() {
    GenerateRequest a = request("896-37*26-265+569-32*70", List.of(), List.of(), 8, 0, 1.0, 42);
    GenerateRequest again = request("896-37*26-265+569-32*70", List.of(), List.of(), 8, 0, 1.0, 42);
    GenerateRequest other = request("896-37*26-265+569-32*70", List.of(), List.of(), 8, 0, 1.0, 43);
    List<GenerateReply> replies = lm.generate(List.of(a, again, other));
    List<Continuation> first = replies.get(0).continuations();
    assertThat(replies.get(1).continuations()).isEqualTo(first);
    assertThat(replies.get(2).continuations()).isNotEqualTo(first);
    // The rows of one request are different samples, not copies.
    assertThat(first.stream().map(Continuation::steps).distinct().count()).isGreaterThan(1);
    // And a row's sample does not depend on the batch it ran in.
    List<Continuation> alone = lm.generate(List.of(a)).get(0).continuations();
    assertThat(alone.stream().map(Continuation::steps).toList())
        .isEqualTo(first.stream().map(Continuation::steps).toList());
  }

  @Test
  void stopsAfterMaxStepsAndFinishesAtTheAnswer() {
    GenerateReply one = lm.generate(List.of(request("37*4+129-56", List.of(), List.of(), 4, 1, 0.7, 9))).get(0);
    for (Continuation c : one.continuations()) {
      assertThat(c.steps()).hasSize(1);
      assertThat(c.finished()).isEqualTo(c.steps().get(0).startsWith("A:"));
    }
    Continuation full = lm.generate(List.of(greedy("12*3+5", List.of(), 0))).get(0).continuations().get(0);
    assertThat(full.finished()).isTrue();
    assertThat(full.steps()).isNotEmpty();
    assertThat(full.steps().get(full.steps().size() - 1)).startsWith("A: ");
    assertThat(full.steps()).allSatisfy(s -> assertThat(s).doesNotContain("\n"));
  }

  @Test
  void countsTokensAndFlopsOfWhatWasProcessed() {
    OnnxCausalLm uncached = lmWithCache(0);
    try {
      GenerateRequest sampled = request("45-17+8", List.of(), List.of("45-17=28"), 3, 0, 0.8, 5);
      GenerateRequest greedy = request("45-17+8", List.of(), List.of("45-17=28"), 3, 0, 0, 5);
      List<GenerateReply> replies = uncached.generate(List.of(sampled, greedy));
      int promptLength = lm.tokenizer().encode("Q: 45-17+8\n45-17=28\n").length;
      GenerateReply s = replies.get(0);
      assertThat(s.promptTokens()).as("without a cache every row prefills its prompt").isEqualTo(3L * promptLength);
      assertThat(s.generatedTokens())
          .isEqualTo(s.continuations().stream().mapToLong(Continuation::tokens).sum());
      assertThat(s.flops()).isEqualTo(2.0 * lm.parameters() * (s.promptTokens() + s.generatedTokens()));
      // Greedy rows would be identical: one is decoded and copied, and only it is counted.
      GenerateReply g = replies.get(1);
      assertThat(g.continuations()).hasSize(3);
      assertThat(g.continuations().stream().distinct()).hasSize(1);
      assertThat(g.promptTokens()).isEqualTo(promptLength);
      assertThat(g.generatedTokens()).isEqualTo(g.continuations().get(0).tokens());
    } finally {
      uncached.close();
    }
  }

  @Test
  void thePrefixCachePrefillsOnlyWhatIsNew() {
    OnnxCausalLm cached = lmWithCache(8L << 20);
    try {
      int first = lm.tokenizer().encode("Q: 45-17+8\n").length;
      int second = lm.tokenizer().encode("Q: 45-17+8\n45-17=28\n").length;
      GenerateReply a = cached.generate(List.of(request("45-17+8", List.of(), List.of(), 4, 1, 0.8, 5))).get(0);
      assertThat(a.promptTokens()).as("four samples of one prompt prefill it once").isEqualTo(first);
      GenerateReply b =
          cached.generate(List.of(request("45-17+8", List.of(), List.of("45-17=28"), 4, 1, 0.8, 5))).get(0);
      assertThat(b.promptTokens()).as("the next round extends the cached prompt").isEqualTo(second - first);
      assertThat(b.flops()).isEqualTo(2.0 * lm.parameters() * (b.promptTokens() + b.generatedTokens()));
      var stats = cached.stats().orElseThrow();
      assertThat(stats.cacheLookups()).isEqualTo(2);
      assertThat(stats.cacheHits()).isEqualTo(1);
      assertThat(stats.promptTokens()).isEqualTo(4L * first + 4L * second);
      assertThat(stats.prefillTokens()).isEqualTo(second);
      assertThat(stats.prefillTokensSaved()).isEqualTo(4L * first + 4L * second - second);
      assertThat(stats.cacheEntries()).as("the longer prompt covers the shorter").isEqualTo(1);
      assertThat(stats.cacheBytes()).isPositive().isLessThanOrEqualTo(8L << 20);
    } finally {
      cached.close();
    }
  }

  /** Beam-like rounds: every round extends the last one's prefixes; sampled, seeded. */
  private static List<List<Continuation>> beamRounds(OnnxCausalLm model) {
    List<List<Continuation>> out = new ArrayList<>();
    List<String> questions = List.of("896-37*26-265+569-32*70", "37*4+129-56", "45-17+8");
    List<List<String>> prefixes = new ArrayList<>();
    for (int q = 0; q < questions.size(); q++) {
      prefixes.add(new ArrayList<>());
    }
    for (int round = 0; round < 4; round++) {
      List<GenerateRequest> batch = new ArrayList<>();
      for (int q = 0; q < questions.size(); q++) {
        batch.add(request(questions.get(q), List.of(), prefixes.get(q), 4, 1, 1.0, 100 * round + q));
      }
      List<GenerateReply> replies = model.generate(batch);
      for (int q = 0; q < questions.size(); q++) {
        List<Continuation> rows = replies.get(q).continuations();
        out.add(rows);
        Continuation keep = rows.get(0);
        if (!keep.finished() && !keep.steps().isEmpty()) {
          prefixes.get(q).addAll(keep.steps());
        }
      }
    }
    return out;
  }

  @Test
  void cachedAndUncachedGenerationGiveTheSameTokensForTheSameSeeds() {
    OnnxCausalLm cached = lmWithCache(8L << 20);
    OnnxCausalLm uncached = lmWithCache(0);
    try {
      List<List<Continuation>> with = beamRounds(cached);
      List<List<Continuation>> without = beamRounds(uncached);
      assertThat(with).hasSameSizeAs(without);
      for (int i = 0; i < with.size(); i++) {
        for (int row = 0; row < with.get(i).size(); row++) {
          assertSame(with.get(i).get(row), without.get(i).get(row));
        }
      }
      assertThat(cached.stats().orElseThrow().cacheHits()).as("later rounds hit").isPositive();
      assertThat(cached.stats().orElseThrow().prefillTokens())
          .isLessThan(uncached.stats().orElseThrow().prefillTokens() / 3);
    } finally {
      cached.close();
      uncached.close();
    }
  }

  @Test
  void aRequestJoinsTheRunningBatchAtATokenBoundary() throws Exception {
    OnnxCausalLm model = lmWithCache(8L << 20);
    try {
      GenerateRequest longOne = request("896-37*26-265+569-32*70", List.of(), List.of(), 4, 0, 1.0, 11);
      GenerateRequest shortOne = greedy("7+8", List.of(), 1);
      GenerateReply shortAlone = lmWithRowsAlone(shortOne);
      java.util.concurrent.CompletableFuture<GenerateReply> late = new java.util.concurrent.CompletableFuture<>();
      java.util.concurrent.atomic.AtomicBoolean sent = new java.util.concurrent.atomic.AtomicBoolean();
      java.util.concurrent.atomic.AtomicInteger stepsWhenShortDone = new java.util.concurrent.atomic.AtomicInteger();
      model.afterStep(step -> {
        // At the third token boundary of the long request, the short one arrives; hold the
        // decode loop until it waits, so that it must join at the next boundary.
        if (step == 3 && sent.compareAndSet(false, true)) {
          java.util.concurrent.CompletableFuture.runAsync(() -> {
            GenerateReply r = model.generate(List.of(shortOne)).get(0);
            stepsWhenShortDone.set((int) model.stats().orElseThrow().decodeSteps());
            late.complete(r);
          });
          long deadline = System.nanoTime() + 30_000_000_000L;
          while (model.waitingRows() == 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
          }
        }
      });
      GenerateReply longReply = model.generate(List.of(longOne)).get(0);
      GenerateReply shortReply = late.get(60, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(model.stats().orElseThrow().rowsJoinedRunning()).isEqualTo(1);
      int longTokens = longReply.continuations().stream().mapToInt(Continuation::tokens).max().orElseThrow();
      assertThat(stepsWhenShortDone.get())
          .as("the short request finished long before the long one's last token")
          .isLessThan(longTokens);
      assertSame(shortReply.continuations().get(0), shortAlone.continuations().get(0));
      // Joining did not change the long request's samples.
      GenerateReply longAlone = lmWithRowsAlone(longOne);
      for (int i = 0; i < 4; i++) {
        assertSame(longReply.continuations().get(i), longAlone.continuations().get(i));
      }
    } finally {
      model.close();
    }
  }

  private static GenerateReply lmWithRowsAlone(GenerateRequest r) {
    OnnxCausalLm fresh = lmWithCache(0);
    try {
      return fresh.generate(List.of(r)).get(0);
    } finally {
      fresh.close();
    }
  }

  @Test
  void aPromptLongerThanTheModelCanReadGetsEmptyContinuations() {
    List<String> prefix = new ArrayList<>();
    for (int i = 0; i < lm.config().maxPositions() / 4; i++) {
      prefix.add("1+1=2");
    }
    List<GenerateReply> replies =
        lm.generate(List.of(greedy("1+1", prefix, 0), greedy("1+1", List.of(), 0)));
    Continuation c = replies.get(0).continuations().get(0);
    assertThat(c.steps()).isEmpty();
    assertThat(c.finished()).isFalse();
    assertThat(replies.get(0).flops()).isZero();
    assertThat(replies.get(1).continuations().get(0).finished()).isTrue();
  }

  @Test
  void rowsAreCutAtTheTokenLimit() {
    OnnxCausalLm short4 =
        OnnxModels.loadProposer(ShippedModels.dir(ShippedModels.POLICY), lm.settings().withMaxNewTokens(4));
    try {
      Continuation c = short4.generate(List.of(greedy("896-37*26-265+569-32*70", List.of(), 0))).get(0).continuations().get(0);
      assertThat(c.tokens()).isEqualTo(4);
      assertThat(c.finished()).isFalse();
      assertThat(c.steps()).isEmpty();
    } finally {
      short4.close();
    }
  }

  @Test
  void revisionsNeedARevisionTemplate() {
    assertThat(lm.config().canRevise()).isTrue();
    GenerateRequest r = request("2*3+4", List.of(List.of("2*3=6", "6+4=11", "A: 11")), List.of(), 1, 0, 0, 0);
    assertThat(lm.generate(List.of(r)).get(0).continuations()).hasSize(1);
    assertThatThrownBy(() -> new GenerateRequest(1, "q", "1+1", List.of(), List.of(), 0, 0, 0, 0, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
