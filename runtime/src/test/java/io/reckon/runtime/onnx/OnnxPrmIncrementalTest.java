package io.reckon.runtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.reckon.protocol.Continuation;
import io.reckon.protocol.GenerateReply;
import io.reckon.protocol.GenerateRequest;
import io.reckon.protocol.Question;
import io.reckon.protocol.ScoreReply;
import io.reckon.protocol.ScoreRequest;
import io.reckon.runtime.Dataset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shipped PRM scored incrementally (each call feeds only what its prefix cache does not hold)
 * against the same PRM fed every solution whole and alone (one row, no padding), on 200 solutions
 * the shipped policy sampled: every step's score must agree to 1e-5, whether the prefix came from
 * the same call, an earlier call, a sibling, or had been evicted. (With the new tokens of a batch
 * right-aligned instead of packed after their prefix, padding alone moved scores by up to 1.6e-5.)
 */
class OnnxPrmIncrementalTest {
  private static final double TOLERANCE = 1e-5;
  private static final OnnxSettings SETTINGS = OnnxSettings.DEFAULT.withIntraOpThreads(1);
  /** 50 questions x 4 samples: siblings share their prompt, and often their first steps. */
  private static final int QUESTIONS = 50;
  private static final int SAMPLES = 4;

  static List<Question> questions;
  /** Per question, its sampled solutions (steps). */
  static List<List<List<String>>> solutions = new ArrayList<>();
  /** The reference: the whole-text scores of each solution, fed in one pass with no cache. */
  static List<List<List<Double>>> full = new ArrayList<>();
  private static long id;

  @BeforeAll
  static void sample() {
    List<Question> all = Dataset.read(ShippedModels.root().resolve("data/arith/validation.jsonl"));
    // Every level: the first questions of the file, spread by stride.
    questions = new ArrayList<>();
    for (int i = 0; i < QUESTIONS; i++) {
      questions.add(all.get(i * (all.size() / QUESTIONS)));
    }
    try (OnnxCausalLm lm = OnnxModels.loadProposer(ShippedModels.dir(ShippedModels.POLICY), SETTINGS.withMaxNewTokens(160))) {
      List<GenerateRequest> requests = new ArrayList<>();
      for (int q = 0; q < questions.size(); q++) {
        Question question = questions.get(q);
        requests.add(new GenerateRequest(++id, question.id(), question.text(), List.of(), List.of(),
            SAMPLES, GenerateRequest.TO_END, 0.8, 1000 + q, SAMPLES));
      }
      for (GenerateReply reply : lm.generate(requests)) {
        List<List<String>> mine = new ArrayList<>();
        for (Continuation c : reply.continuations()) {
          mine.add(c.steps());
        }
        solutions.add(mine);
      }
    }
    assertThat(solutions.stream().mapToInt(List::size).sum()).isEqualTo(QUESTIONS * SAMPLES);
    try (OnnxPrm prm = OnnxModels.loadVerifier(ShippedModels.dir(ShippedModels.PRM), SETTINGS.withPrefixCacheBytes(0))) {
      assertThat(prm.incremental()).isTrue();
      // Each solution alone: one row, no padding, the whole text in one pass.
      for (ScoreRequest r : requests(Integer.MAX_VALUE)) {
        List<List<Double>> mine = new ArrayList<>();
        for (List<String> steps : r.solutions()) {
          mine.add(prm.score(List.of(new ScoreRequest(++id, r.questionId(), r.question(), List.of(steps))))
              .get(0).scores().get(0));
        }
        full.add(mine);
      }
      // The same texts in one batch (whole, no cache): padding must not move a score either.
      List<ScoreReply> batched = prm.score(requests(Integer.MAX_VALUE));
      for (int q = 0; q < QUESTIONS; q++) {
        for (int s = 0; s < SAMPLES; s++) {
          for (int j = 0; j < full.get(q).get(s).size(); j++) {
            assertThat(Math.abs(full.get(q).get(s).get(j) - batched.get(q).scores().get(s).get(j)))
                .isLessThanOrEqualTo(TOLERANCE);
          }
        }
      }
      long[] counts = prm.tokenCounts();
      // Without a cache every distinct text is fed whole (equal samples once).
      assertThat(counts[0]).isLessThanOrEqualTo(counts[1]).isGreaterThan(counts[1] / 2);
    }
  }

  @AfterAll
  static void clear() {
    solutions.clear();
    full.clear();
  }

  /** One request per question: its solutions cut after {@code steps} steps. */
  private static List<ScoreRequest> requests(int steps) {
    List<ScoreRequest> out = new ArrayList<>();
    for (int q = 0; q < questions.size(); q++) {
      List<List<String>> cut = new ArrayList<>();
      for (List<String> s : solutions.get(q)) {
        cut.add(s.subList(0, Math.min(steps, s.size())));
      }
      out.add(new ScoreRequest(++id, questions.get(q).id(), questions.get(q).text(), cut));
    }
    return out;
  }

  private static int longest() {
    return solutions.stream().flatMap(List::stream).mapToInt(List::size).max().orElseThrow();
  }

  /**
   * Scores every solution step by step, as beam search does (round k asks for the first k steps
   * of every candidate, and the cache holds round k-1's texts), and checks every score of every
   * round against the whole-text reference. Returns the fed and the scored token counts.
   */
  private static long[] scoreRoundByRound(OnnxPrm prm) {
    int rounds = longest();
    int compared = 0;
    double worst = 0;
    for (int k = 1; k <= rounds; k++) {
      List<ScoreReply> replies = prm.score(requests(k));
      for (int q = 0; q < questions.size(); q++) {
        for (int s = 0; s < SAMPLES; s++) {
          List<Double> got = replies.get(q).scores().get(s);
          List<Double> want = full.get(q).get(s);
          assertThat(got).hasSize(Math.min(k, want.size()));
          for (int j = 0; j < got.size(); j++) {
            worst = Math.max(worst, Math.abs(got.get(j) - want.get(j)));
            assertThat(Math.abs(got.get(j) - want.get(j)))
                .as("question %s sample %d step %d in round %d: incremental %s, whole text %s",
                    questions.get(q).id(), s, j, k, got.get(j), want.get(j))
                .isLessThanOrEqualTo(TOLERANCE);
          }
          compared += got.size();
        }
      }
    }
    System.out.printf(Locale.ROOT, "%d step scores compared over %d rounds, largest difference %.2g%n",
        compared, rounds, worst);
    assertThat(compared).isGreaterThan(QUESTIONS * SAMPLES);
    return prm.tokenCounts();
  }

  @Test
  void incrementalScoresEqualWholeTextScoresStepByStep() {
    try (OnnxPrm prm = OnnxModels.loadVerifier(ShippedModels.dir(ShippedModels.PRM), SETTINGS)) {
      long[] counts = scoreRoundByRound(prm);
      PrefixCache.Stats stats = prm.cacheStats();
      assertThat(stats.evictions()).isZero();
      assertThat(stats.hits()).isPositive();
      // Round k feeds step k only (the prompt once per question): several times fewer tokens.
      assertThat(counts[0] * 3).as("fed %d of %d tokens", counts[0], counts[1]).isLessThan(counts[1]);
      assertThat(prm.describeStats()).hasValueSatisfying(line -> assertThat(line)
          .startsWith(String.format(Locale.ROOT, "verifier: fed %,d of %,d solution tokens", counts[0], counts[1]))
          .contains("prefix cache"));
    }
  }

  @Test
  void evictedPrefixesAreRecomputedToTheSameScores() {
    // Room for a few solutions only: most lookups find their prefix evicted, or only the prompt.
    try (OnnxPrm prm = OnnxModels.loadVerifier(ShippedModels.dir(ShippedModels.PRM), SETTINGS.withPrefixCacheBytes(600_000))) {
      long[] counts = scoreRoundByRound(prm);
      assertThat(prm.cacheStats().evictions()).isGreaterThan(100);
      assertThat(counts[0]).isLessThan(counts[1]);
    }
  }

  @Test
  void siblingsInOneCallAndRepeatedTextsShareTheirPrefix() {
    try (OnnxPrm prm = OnnxModels.loadVerifier(ShippedModels.dir(ShippedModels.PRM), SETTINGS)) {
      // The whole solutions first (nothing cached), then again: the second call feeds nothing.
      List<ScoreReply> first = prm.score(requests(Integer.MAX_VALUE));
      long fedFirst = prm.tokenCounts()[0];
      List<ScoreReply> again = prm.score(requests(Integer.MAX_VALUE));
      assertThat(prm.tokenCounts()[0]).isEqualTo(fedFirst);
      for (int q = 0; q < questions.size(); q++) {
        assertThat(again.get(q).tokens()).isZero();
        for (int s = 0; s < SAMPLES; s++) {
          List<Double> want = full.get(q).get(s);
          for (int j = 0; j < want.size(); j++) {
            assertThat(Math.abs(first.get(q).scores().get(s).get(j) - want.get(j))).isLessThanOrEqualTo(TOLERANCE);
            assertThat(again.get(q).scores().get(s).get(j)).isEqualTo(first.get(q).scores().get(s).get(j));
          }
        }
      }
    }
  }

  @Test
  void anOldFullSequenceExportStillScoresAndAgreesWithItsWithPastExport() {
    try (OnnxPrm old = OnnxModels.loadVerifier(TinyPrms.FULL, SETTINGS);
        OnnxPrm withPast = OnnxModels.loadVerifier(TinyPrms.WITH_PAST, SETTINGS)) {
      assertThat(old.incremental()).isFalse();
      assertThat(withPast.incremental()).isTrue();
      // Step by step through the with-past export (cached), whole texts through the old one.
      for (int k = 1; k <= 4; k++) {
        List<ScoreRequest> batch = requests(k).subList(0, 10);
        List<ScoreReply> a = old.score(batch);
        List<ScoreReply> b = withPast.score(batch);
        for (int q = 0; q < batch.size(); q++) {
          for (int s = 0; s < SAMPLES; s++) {
            List<Double> x = a.get(q).scores().get(s);
            List<Double> y = b.get(q).scores().get(s);
            assertThat(y).hasSameSizeAs(x);
            for (int j = 0; j < x.size(); j++) {
              assertThat(Math.abs(x.get(j) - y.get(j))).isLessThanOrEqualTo(TOLERANCE);
            }
          }
          if (k > 1) {
            assertThat(b.get(q).tokens()).isLessThan(a.get(q).tokens());
          }
        }
      }
    }
  }
}
