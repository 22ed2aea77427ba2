package io.reckon.runtime.replay;

import io.reckon.protocol.Continuation;
import io.reckon.protocol.GenerateReply;
import io.reckon.protocol.GenerateRequest;
import io.reckon.protocol.ScoreReply;
import io.reckon.protocol.ScoreRequest;
import io.reckon.runtime.Proposer;
import io.reckon.runtime.Verifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The replay backend: recorded solutions of a real model, served as if sampled. Each question's
 * samples are served without replacement in an order drawn from {@link Settings#seed} and the
 * question's id, with their recorded token counts; a recorded score is the verifier's answer.
 *
 * <p>It serves parallel sampling only: a request that continues a partial solution (beam and
 * lookahead search, tree searches, revisions) needs text nobody recorded and is refused. Each
 * served solution starts with a step naming the recorded sample ({@code [replay ID #K]}), so that
 * the verifier finds its recorded score and a trace says where the text came from; the sample's
 * text follows, split at the task's step delimiter (or only its answer-bearing tail where the
 * file keeps no full text).
 *
 * <p>Thread-safe: workers call it from several threads.
 */
public final class Replay {

  /**
   * @param seed draws each question's sample order (another seed, another order)
   * @param parameters the recorded policy's parameter count, for FLOPs (0 = unknown: FLOPs 0)
   * @param verifierParameters the recorded verifier's parameter count (0 = unknown)
   * @param stepDelimiter the run's task's step delimiter, to split a kept full text into steps
   */
  public record Settings(long seed, long parameters, long verifierParameters, String stepDelimiter) {
    public Settings {
      if (parameters < 0 || verifierParameters < 0) {
        throw new IllegalArgumentException("replay parameter counts must be >= 0 (0 = unknown)");
      }
      if (stepDelimiter == null || stepDelimiter.isEmpty()) {
        throw new IllegalArgumentException("replay needs the task's step delimiter");
      }
    }
  }

  /** Why a replayed run cannot do something, for messages: it serves complete samples only. */
  public static final String PARALLEL_ONLY =
      "the replay backend serves parallel sampling only (best-of-N over recorded samples)";

  private static final Pattern HEADER = Pattern.compile("^\\[replay (.+) #(\\d+)]$");
  /** Cursors kept at most (a long-running service sees new question ids without end). */
  private static final int MAX_CURSORS = 100_000;

  private final ReplayFile file;
  private final Settings settings;
  private final String name;
  private final Map<String, Cursor> cursors = Collections.synchronizedMap(
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Cursor> eldest) {
          return size() > MAX_CURSORS;
        }
      });

  public Replay(ReplayFile file, Settings settings) {
    this.file = file;
    this.settings = settings;
    String f = file.path().getFileName().toString();
    this.name = "replay:" + (f.endsWith(".jsonl") ? f.substring(0, f.length() - 6) : f);
  }

  public ReplayFile file() {
    return file;
  }

  /** The policy side. */
  public Proposer proposer() {
    return new ReplayProposer();
  }

  /**
   * The verifier side: the recorded scores.
   *
   * @throws IllegalStateException when the file records no score for some sample
   */
  public Verifier verifier() {
    if (!file.scored()) {
      throw new IllegalStateException("replay file " + file.path() + " records no verifier score "
          + "for some samples, so it cannot stand in for a verifier: use majority selection "
          + "(best-of-n:sel=majority) with --probe 0 or --allocation adaptive");
    }
    return new ReplayVerifier();
  }

  /**
   * The order in which a question's {@code n} recorded samples are served under {@code seed}: a
   * permutation drawn from the seed and the question's id (offline simulations use the same).
   */
  public static int[] order(long seed, String questionId, int n) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + questionId.hashCode());
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  /** The steps the sample is served as: its header, then its text (or its final tail). */
  public List<String> steps(ReplayFile.Entry entry, int k) {
    ReplayFile.Sample s = entry.samples().get(k);
    List<String> steps = new ArrayList<>();
    steps.add("[replay " + entry.question().id() + " #" + k + "]");
    if (s.text() != null) {
      for (String part : s.text().split(Pattern.quote(settings.stepDelimiter()))) {
        if (!part.isBlank()) {
          steps.add(part.strip());
        }
      }
    } else {
      steps.add(s.finalText());
    }
    return steps;
  }

  /** Which recorded sample a served solution is, from its header; null when it is not one. */
  ReplayFile.Sample recorded(List<String> solution, String questionId, String questionText) {
    if (solution.isEmpty()) {
      return null;
    }
    Matcher m = HEADER.matcher(solution.get(0));
    if (!m.matches()) {
      return null;
    }
    ReplayFile.Entry e = file.find(m.group(1), null);
    if (e == null) {
      e = file.find(questionId, questionText);
    }
    int k;
    try {
      k = Integer.parseInt(m.group(2));
    } catch (NumberFormatException ex) {
      return null;
    }
    return e == null || k >= e.samples().size() ? null : e.samples().get(k);
  }

  private ReplayFile.Entry entry(String questionId, String questionText) {
    ReplayFile.Entry e = file.find(questionId, questionText);
    if (e == null) {
      throw new IllegalArgumentException("replay file " + file.path() + " has no question with id '"
          + questionId + "' or its text: a replay answers only the questions it recorded");
    }
    return e;
  }

  private final class Cursor {
    private final int[] order;
    private int next;

    Cursor(ReplayFile.Entry e) {
      order = order(settings.seed(), e.question().id(), e.samples().size());
    }

    synchronized int[] take(String questionId, int n) {
      if (next + n > order.length) {
        throw new IllegalStateException("replay: question '" + questionId + "' has "
            + order.length + " recorded samples and " + (order.length - next) + " are left, but "
            + n + " were asked for (each is served once; cap the run's samples per question)");
      }
      int[] out = new int[n];
      System.arraycopy(order, next, out, 0, n);
      next += n;
      return out;
    }
  }

  private final class ReplayProposer implements Proposer {
    @Override
    public List<GenerateReply> generate(List<GenerateRequest> batch) {
      List<GenerateReply> out = new ArrayList<>(batch.size());
      for (GenerateRequest r : batch) {
        if (!r.prefix().isEmpty() || !r.attempts().isEmpty() || r.maxSteps() != GenerateRequest.TO_END) {
          throw new IllegalArgumentException(PARALLEL_ONLY + ": this request continues a partial "
              + "solution or a revision, which needs text nobody recorded");
        }
        ReplayFile.Entry e = entry(r.questionId(), r.question());
        Cursor c = cursors.computeIfAbsent(r.questionId(), id -> new Cursor(e));
        List<Continuation> rows = new ArrayList<>(r.samples());
        long tokens = 0;
        for (int k : c.take(r.questionId(), r.samples())) {
          int t = e.samples().get(k).tokens();
          tokens += t;
          rows.add(new Continuation(steps(e, k), true, t, 0.0));
        }
        out.add(new GenerateReply(r.requestId(), rows, 0, tokens, 2.0 * settings.parameters() * tokens));
      }
      return out;
    }

    @Override
    public String refusal(String question) {
      return file.find(null, question) == null
          ? "not in the replay file " + file.path() + " (a replay answers only the questions it recorded)"
          : null;
    }

    @Override
    public long parameters() {
      return settings.parameters();
    }

    @Override
    public String name() {
      return name;
    }
  }

  private final class ReplayVerifier implements Verifier {
    @Override
    public List<ScoreReply> score(List<ScoreRequest> batch) {
      List<ScoreReply> out = new ArrayList<>(batch.size());
      for (ScoreRequest r : batch) {
        List<List<Double>> scores = new ArrayList<>(r.solutions().size());
        long tokens = 0;
        for (List<String> solution : r.solutions()) {
          ReplayFile.Sample s = recorded(solution, r.questionId(), r.question());
          if (s == null) {
            throw new IllegalArgumentException("the replay verifier scores only replayed samples "
                + "(a solution whose first step is '[replay ID #K]'); " + PARALLEL_ONLY);
          }
          // The recorded score is one number per solution: it goes on the last step, every
          // earlier step gets 1, so that last, min and prod aggregation all read the recorded score.
          List<Double> steps = new ArrayList<>(Collections.nCopies(solution.size(), 1.0));
          steps.set(solution.size() - 1, s.score());
          scores.add(steps);
          tokens += s.tokens();
        }
        out.add(new ScoreReply(r.requestId(), scores, tokens, 2.0 * settings.verifierParameters() * tokens));
      }
      return out;
    }

    @Override
    public long parameters() {
      return settings.verifierParameters();
    }

    @Override
    public String name() {
      return name + "-scores";
    }
  }
}
