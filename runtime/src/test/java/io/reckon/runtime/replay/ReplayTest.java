package io.reckon.runtime.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reckon.protocol.Continuation;
import io.reckon.protocol.GenerateReply;
import io.reckon.protocol.GenerateRequest;
import io.reckon.protocol.ScoreReply;
import io.reckon.protocol.ScoreRequest;
import io.reckon.runtime.Dataset;
import io.reckon.runtime.InputLimits;
import io.reckon.runtime.Repo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayTest {

  private static final Path DATE = Repo.root().resolve("data/recorded/date.jsonl");
  private static final Path MATH = Repo.root().resolve("data/recorded/math.jsonl");

  private static String sha256(Path file) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }

  @Test
  void shippedFilesHaveTheHashesDataSourcesRecords() throws Exception {
    String sources = Files.readString(Repo.root().resolve("data/SOURCES.md"));
    String date = "6fa5e8f0e1638497554c19c0a5b9bbc7071c5667189f0abd0c511c18b54540bb";
    String math = "2e04fc2f780c0c61d02ebc9765fbd250345b9f3445b14c5e4e03f5d17e856907";
    assertThat(sha256(DATE)).isEqualTo(date);
    assertThat(sha256(MATH)).isEqualTo(math);
    assertThat(sources).contains(date).contains(math);
  }

  @Test
  void readsTheShippedFiles() {
    ReplayFile date = ReplayFile.read(DATE, InputLimits.DEFAULTS);
    assertThat(date.entries()).hasSize(359);
    assertThat(date.minSamples()).isEqualTo(40);
    assertThat(date.scored()).isFalse();
    ReplayFile math = ReplayFile.read(MATH, InputLimits.DEFAULTS);
    assertThat(math.entries()).hasSize(100);
    assertThat(math.minSamples()).isEqualTo(8);
    assertThat(math.scored()).isTrue();
    // one full text kept per question, for extraction tests
    long texts = date.entries().stream().flatMap(e -> e.samples().stream()).filter(s -> s.text() != null).count();
    assertThat(texts).isEqualTo(359);
  }

  private static GenerateRequest ask(long id, String questionId, int n) {
    return new GenerateRequest(id, questionId, "", List.of(), List.of(), n, GenerateRequest.TO_END, 0.8, id, n);
  }

  private static int sampleIndex(Continuation c) {
    String header = c.steps().get(0);
    return Integer.parseInt(header.substring(header.indexOf('#') + 1, header.length() - 1));
  }

  private static List<Integer> serveAll(Replay replay, String id, int n) {
    List<Integer> served = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      GenerateReply r = replay.proposer().generate(List.of(ask(i, id, 1))).get(0);
      served.add(sampleIndex(r.continuations().get(0)));
    }
    return served;
  }

  @Test
  void servesEachRecordedSampleOnceThenRefuses() {
    Replay replay = new Replay(ReplayFile.read(DATE, InputLimits.DEFAULTS), new Replay.Settings(3, 0, 0, "\n"));
    List<Integer> served = serveAll(replay, "date-7", 40);
    assertThat(new HashSet<>(served)).hasSize(40);
    assertThatThrownBy(() -> replay.proposer().generate(List.of(ask(99, "date-7", 1))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("date-7").hasMessageContaining("40 recorded samples");
  }

  @Test
  void theOrderIsTheSeedsAndOnlyTheSeeds() {
    ReplayFile file = ReplayFile.read(DATE, InputLimits.DEFAULTS);
    List<Integer> a = serveAll(new Replay(file, new Replay.Settings(5, 0, 0, "\n")), "date-3", 40);
    List<Integer> b = serveAll(new Replay(file, new Replay.Settings(5, 0, 0, "\n")), "date-3", 40);
    List<Integer> c = serveAll(new Replay(file, new Replay.Settings(6, 0, 0, "\n")), "date-3", 40);
    assertThat(a).isEqualTo(b).isNotEqualTo(c);
    int[] order = Replay.order(5, "date-3", 40);
    for (int i = 0; i < 40; i++) {
      assertThat(a.get(i)).isEqualTo(order[i]);
    }
  }

  @Test
  void servesRecordedTokensTextAndScores() {
    ReplayFile file = ReplayFile.read(MATH, InputLimits.DEFAULTS);
    Replay replay = new Replay(file, new Replay.Settings(0, 7_000_000_000L, 72_000_000_000L, "\n\n"));
    GenerateReply g = replay.proposer().generate(List.of(ask(1, "math-0", 8))).get(0);
    ReplayFile.Entry e = file.find("math-0", null);
    long tokens = 0;
    Set<Integer> seen = new HashSet<>();
    for (Continuation c : g.continuations()) {
      int k = sampleIndex(c);
      seen.add(k);
      assertThat(c.tokens()).isEqualTo(e.samples().get(k).tokens());
      assertThat(c.steps().get(c.steps().size() - 1)).contains("\\boxed");
      tokens += c.tokens();
    }
    assertThat(seen).hasSize(8);
    assertThat(g.generatedTokens()).isEqualTo(tokens);
    assertThat(g.flops()).isEqualTo(2.0 * 7_000_000_000L * tokens);
    List<List<String>> solutions = g.continuations().stream().map(Continuation::steps).toList();
    ScoreReply s = replay.verifier().score(List.of(new ScoreRequest(2, "math-0", "", solutions))).get(0);
    for (int i = 0; i < solutions.size(); i++) {
      List<Double> steps = s.scores().get(i);
      assertThat(steps.get(steps.size() - 1)).isEqualTo(e.samples().get(sampleIndex(g.continuations().get(i))).score());
      assertThat(steps.subList(0, steps.size() - 1)).allMatch(x -> x == 1.0);
    }
  }

  @Test
  void refusesWhatNeedsNewText() {
    Replay replay = new Replay(ReplayFile.read(MATH, InputLimits.DEFAULTS), new Replay.Settings(0, 0, 0, "\n\n"));
    GenerateRequest beamStep = new GenerateRequest(1, "math-0", "", List.of(), List.of("a first step"), 4, 1, 0.8, 1, 4);
    assertThatThrownBy(() -> replay.proposer().generate(List.of(beamStep)))
        .hasMessageContaining("parallel sampling only");
    GenerateRequest revision = new GenerateRequest(1, "math-0", "", List.of(List.of("A: 1")), List.of(), 1,
        GenerateRequest.TO_END, 0.8, 1, 1);
    assertThatThrownBy(() -> replay.proposer().generate(List.of(revision)))
        .hasMessageContaining("parallel sampling only");
    assertThatThrownBy(() -> replay.verifier().score(List.of(
        new ScoreRequest(1, "math-0", "", List.of(List.of("not a replayed sample"))))))
        .hasMessageContaining("scores only replayed samples");
    assertThatThrownBy(() -> replay.proposer().generate(List.of(ask(1, "no-such-question", 1))))
        .hasMessageContaining("no question with id 'no-such-question'");
  }

  @Test
  void aFileWithoutScoresIsNoVerifier() {
    Replay replay = new Replay(ReplayFile.read(DATE, InputLimits.DEFAULTS), new Replay.Settings(0, 0, 0, "\n"));
    assertThatThrownBy(replay::verifier).hasMessageContaining("records no verifier score");
  }

  @Test
  void findsAQuestionByItsTextWhenItsIdIsNew() {
    ReplayFile file = ReplayFile.read(DATE, InputLimits.DEFAULTS);
    ReplayFile.Entry e = file.entries().get(5);
    assertThat(file.find("served-123", "  " + e.question().text() + " ")).isSameAs(e);
    Replay replay = new Replay(file, new Replay.Settings(0, 0, 0, "\n"));
    assertThat(replay.proposer().refusal(e.question().text())).isNull();
    assertThat(replay.proposer().refusal("What is 2+2?")).contains("not in the replay file");
  }

  @Test
  void badFilesAreRefusedWithTheLine(@TempDir Path dir) throws IOException {
    Path plain = dir.resolve("plain.jsonl");
    Files.writeString(plain, "{\"id\": \"a\", \"question\": \"q\", \"answer\": \"1\"}\n");
    assertThatThrownBy(() -> ReplayFile.read(plain, InputLimits.DEFAULTS))
        .isInstanceOf(Dataset.InvalidDataException.class)
        .hasMessageContaining("plain.jsonl:1").hasMessageContaining("'samples'");
    Path badScore = dir.resolve("score.jsonl");
    Files.writeString(badScore,
        "{\"id\": \"a\", \"question\": \"q\", \"samples\": [{\"final\": \"x\", \"tokens\": 3, \"score\": 3.5}]}\n");
    assertThatThrownBy(() -> ReplayFile.read(badScore, InputLimits.DEFAULTS))
        .hasMessageContaining("score.jsonl:1: samples[0]").hasMessageContaining("[0, 1]");
  }
}
