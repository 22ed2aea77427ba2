package io.reckon.bench.adaptive;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reckon.protocol.Continuation;
import io.reckon.protocol.GenerateReply;
import io.reckon.protocol.GenerateRequest;
import io.reckon.protocol.Question;
import io.reckon.protocol.ScoreReply;
import io.reckon.protocol.ScoreRequest;
import io.reckon.runtime.Dataset;
import io.reckon.runtime.Proposer;
import io.reckon.runtime.Verifier;
import io.reckon.runtime.onnx.OnnxModels;
import io.reckon.runtime.onnx.OnnxSettings;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Records the shipped ONNX policy's samples, scored by the shipped PRM, as a replay file (the
 * format of {@code data/recorded/}): {@code --samples} per question at the strategies' default
 * temperature, each with its generated tokens and its PRM score on the last step (aggregation
 * {@code last}, the shipped default). The replay then serves them exactly as the models would
 * have, so the adaptive experiment runs the shipped models' own samples without recomputing them
 * for every method and sample order. Seeded: the same seed records the same file.
 *
 * <p>Usage: {@code RecordReplay --questions data/arith/test.jsonl [--per-level 100] [--samples 32]
 * [--seed 0] [--temperature 0.8] [--policy models/arith-policy] [--prm models/arith-prm]
 * --out FILE}
 */
public final class RecordReplay {
  private RecordReplay() {}

  public static void main(String[] args) throws Exception {
    // ONNX Runtime's environment set-up overflows the launcher's main-thread stack (a SIGSEGV
    // without a JVM crash report, seen on this machine): record on a thread with a larger one.
    Throwable[] failure = new Throwable[1];
    Thread t = new Thread(null, () -> {
      try {
        record(args);
      } catch (Throwable e) {
        failure[0] = e;
      }
    }, "record", 64L << 20);
    t.start();
    t.join();
    if (failure[0] != null) {
      System.err.println("RecordReplay: " + failure[0]);
      System.exit(1);
    }
  }

  private static void record(String[] args) throws Exception {
    Map<String, String> o = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    Path questionsFile = Path.of(o.getOrDefault("questions", "data/arith/test.jsonl"));
    int perLevel = Integer.parseInt(o.getOrDefault("per-level", "0"));
    int samples = Integer.parseInt(o.getOrDefault("samples", "32"));
    long seed = Long.parseLong(o.getOrDefault("seed", "0"));
    double temperature = Double.parseDouble(o.getOrDefault("temperature", "0.8"));
    Path out = Path.of(o.getOrDefault("out", "out/adaptive/arith-test.jsonl"));
    int chunk = Math.max(1, 64 / samples) * 2;

    List<Question> questions = new ArrayList<>();
    Map<Integer, Integer> perLevelCount = new HashMap<>();
    for (Question q : Dataset.read(questionsFile)) {
      int level = q.level() == null ? 0 : q.level();
      if (perLevel > 0 && perLevelCount.merge(level, 1, Integer::sum) > perLevel) {
        continue;
      }
      questions.add(q);
    }
    OnnxSettings onnx = new OnnxSettings(1, "cpu", 256, 1.0, 64, 128L << 20);
    ObjectMapper json = new ObjectMapper();
    long t0 = System.nanoTime();
    if (out.getParent() != null) {
      Files.createDirectories(out.getParent());
    }
    Path tmp = out.resolveSibling(out.getFileName() + ".part");
    ExecutorService generator = Executors.newSingleThreadExecutor();
    try (Proposer policy = OnnxModels.loadProposer(Path.of(o.getOrDefault("policy", "models/arith-policy")), onnx);
         Verifier prm = OnnxModels.loadVerifier(Path.of(o.getOrDefault("prm", "models/arith-prm")), onnx);
         BufferedWriter w = Files.newBufferedWriter(tmp)) {
      // Generation of the next chunk overlaps the scoring of this one (two cores, two models).
      CompletableFuture<List<GenerateReply>> next = generate(generator, policy, questions, 0, chunk, samples,
          temperature, seed);
      for (int from = 0; from < questions.size(); from += chunk) {
        List<GenerateReply> replies = next.get();
        if (from + chunk < questions.size()) {
          next = generate(generator, policy, questions, from + chunk, chunk, samples, temperature, seed);
        }
        List<ScoreRequest> scoring = new ArrayList<>();
        for (int i = 0; i < replies.size(); i++) {
          Question q = questions.get(from + i);
          List<List<String>> solutions = replies.get(i).continuations().stream().map(Continuation::steps).toList();
          scoring.add(new ScoreRequest(i, q.id(), q.text(), solutions));
        }
        List<ScoreReply> scores = prm.score(scoring);
        for (int i = 0; i < replies.size(); i++) {
          Question q = questions.get(from + i);
          ObjectNode line = json.createObjectNode();
          line.put("id", q.id());
          line.put("question", q.text());
          if (q.answer() != null) {
            line.put("answer", q.answer());
          }
          if (q.level() != null) {
            line.put("level", q.level());
          }
          ArrayNode arr = line.putArray("samples");
          List<Continuation> rows = replies.get(i).continuations();
          for (int k = 0; k < rows.size(); k++) {
            Continuation c = rows.get(k);
            List<Double> stepScores = scores.get(i).scores().get(k);
            ObjectNode s = arr.addObject();
            s.put("final", c.steps().isEmpty() ? "" : c.steps().get(c.steps().size() - 1));
            s.put("tokens", c.tokens());
            double score = stepScores.isEmpty() ? 0.0 : stepScores.get(stepScores.size() - 1);
            s.put("score", Math.round(score * 1e6) / 1e6);
            if (k == 0) {
              s.put("text", String.join("\n", c.steps()));
            }
          }
          w.write(json.writeValueAsString(line));
          w.newLine();
        }
        System.err.printf(Locale.ROOT, "\r%d/%d questions, %.0f s", Math.min(from + chunk, questions.size()),
            questions.size(), (System.nanoTime() - t0) / 1e9);
      }
    } finally {
      generator.shutdownNow();
    }
    Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    System.err.printf(Locale.ROOT, "%nrecorded %d questions x %d samples in %.1f s -> %s%n", questions.size(),
        samples, (System.nanoTime() - t0) / 1e9, out);
  }

  private static CompletableFuture<List<GenerateReply>> generate(ExecutorService ex, Proposer policy,
      List<Question> questions, int from, int chunk, int samples, double temperature, long seed) {
    return CompletableFuture.supplyAsync(() -> {
      List<GenerateRequest> batch = new ArrayList<>();
      for (int i = from; i < Math.min(questions.size(), from + chunk); i++) {
        Question q = questions.get(i);
        batch.add(new GenerateRequest(i, q.id(), q.text(), List.of(), List.of(), samples, GenerateRequest.TO_END,
            temperature, seed * 1_000_003L + i, samples));
      }
      return policy.generate(batch);
    }, ex);
  }
}
