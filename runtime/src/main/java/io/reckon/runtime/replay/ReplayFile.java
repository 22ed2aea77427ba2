package io.reckon.runtime.replay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.reckon.protocol.Question;
import io.reckon.runtime.BoundedLines;
import io.reckon.runtime.Dataset;
import io.reckon.runtime.InputLimits;
import io.reckon.runtime.UserMessages;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A file of recorded samples (see {@code data/recorded/convert.py}): JSONL, one question per line,
 * {@code {"id", "question", "answer"?, "level"?, "samples": [{"final", "tokens", "score"?,
 * "text"?}, ...]}}. It is also a question file: {@link Dataset} reads the same lines.
 *
 * <p>{@code final} is the sample's answer-bearing tail (the task extracts the answer from it),
 * {@code tokens} its generated tokens, {@code score} a verifier's score in [0, 1] where one was
 * recorded, {@code text} the whole sample where it was kept.
 */
public final class ReplayFile {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** One recorded sample. {@code score} is {@code NaN} and {@code text} null where not recorded. */
  public record Sample(String finalText, int tokens, double score, String text) {
    public boolean scored() {
      return !Double.isNaN(score);
    }
  }

  /** One question with its samples, in the file's order. */
  public record Entry(Question question, List<Sample> samples) {
    public Entry {
      samples = List.copyOf(samples);
    }
  }

  private final Path path;
  private final Map<String, Entry> byId;
  private final Map<String, Entry> byText;
  private final boolean scored;
  private final int minSamples;

  private ReplayFile(Path path, List<Entry> entries) {
    this.path = path;
    Map<String, Entry> ids = new LinkedHashMap<>();
    Map<String, Entry> texts = new HashMap<>();
    boolean allScored = true;
    int min = Integer.MAX_VALUE;
    for (Entry e : entries) {
      ids.put(e.question().id(), e);
      texts.putIfAbsent(e.question().text().strip(), e);
      min = Math.min(min, e.samples().size());
      for (Sample s : e.samples()) {
        allScored &= s.scored();
      }
    }
    this.byId = Collections.unmodifiableMap(ids);
    this.byText = Collections.unmodifiableMap(texts);
    this.scored = allScored;
    this.minSamples = min;
  }

  public Path path() {
    return path;
  }

  public List<Entry> entries() {
    return List.copyOf(byId.values());
  }

  /** The question the request is about: by its id, else by its text (a served request's id is new). */
  public Entry find(String questionId, String questionText) {
    Entry e = questionId == null ? null : byId.get(questionId);
    if (e == null && questionText != null) {
      e = byText.get(questionText.strip());
    }
    return e;
  }

  /** True when every sample carries a recorded verifier score. */
  public boolean scored() {
    return scored;
  }

  /** The fewest samples any question has: what a run may draw per question at most. */
  public int minSamples() {
    return minSamples;
  }

  /**
   * Reads and checks a replay file.
   *
   * @throws Dataset.InvalidDataException with one line naming the file, the line and the fix
   */
  public static ReplayFile read(Path file, InputLimits limits) {
    if (Files.isDirectory(file)) {
      throw new Dataset.InvalidDataException(file + " is a directory, not a replay file");
    }
    List<Question> questions = Dataset.read(file, limits);
    List<Entry> entries = new ArrayList<>(questions.size());
    try (BoundedLines in = new BoundedLines(
        file, limits.maxLineBytes(), "reckon.limits.max-line-bytes, env RECKON_MAX_LINE_BYTES")) {
      String line;
      int q = 0;
      while ((line = in.next()) != null) {
        if (line.isBlank()) {
          continue;
        }
        String where = file + ":" + in.number() + ": ";
        entries.add(new Entry(questions.get(q++), samples(where, line)));
      }
    } catch (BoundedLines.BadLineException e) {
      throw new Dataset.InvalidDataException(e.getMessage());
    } catch (NoSuchFileException e) {
      throw new Dataset.InvalidDataException("replay file not found: " + file);
    } catch (AccessDeniedException e) {
      throw new Dataset.InvalidDataException("cannot read replay file " + file + ": permission denied");
    } catch (IOException e) {
      throw new Dataset.InvalidDataException("cannot read replay file " + file + ": " + UserMessages.io(e));
    }
    return new ReplayFile(file, entries);
  }

  private static List<Sample> samples(String where, String line) {
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      throw new Dataset.InvalidDataException(where + "malformed JSON (" + UserMessages.json(e) + ")");
    }
    JsonNode samples = node.get("samples");
    if (samples == null || !samples.isArray() || samples.isEmpty()) {
      throw new Dataset.InvalidDataException(where + "a replay file needs a non-empty 'samples' "
          + "array per question (is this a plain question file? see data/recorded/convert.py)");
    }
    List<Sample> out = new ArrayList<>(samples.size());
    for (int i = 0; i < samples.size(); i++) {
      JsonNode s = samples.get(i);
      String at = where + "samples[" + i + "]: ";
      if (!s.isObject()) {
        throw new Dataset.InvalidDataException(at + "expected an object");
      }
      JsonNode f = s.get("final");
      if (f == null || !f.isTextual()) {
        throw new Dataset.InvalidDataException(at + "'final' (the sample's answer-bearing text) must be a string");
      }
      JsonNode t = s.get("tokens");
      if (t == null || !t.isIntegralNumber() || !t.canConvertToInt() || t.asInt() < 0) {
        throw new Dataset.InvalidDataException(at + "'tokens' must be an integer >= 0");
      }
      double score = Double.NaN;
      JsonNode sc = s.get("score");
      if (sc != null && !sc.isNull()) {
        if (!sc.isNumber() || !(sc.asDouble() >= 0 && sc.asDouble() <= 1)) {
          throw new Dataset.InvalidDataException(at + "'score' must be a number in [0, 1] (a "
              + "verifier's probability; map raw reward-model values first, as convert.py does)");
        }
        score = sc.asDouble();
      }
      JsonNode tx = s.get("text");
      if (tx != null && !tx.isNull() && !tx.isTextual()) {
        throw new Dataset.InvalidDataException(at + "'text' must be a string");
      }
      out.add(new Sample(f.asText(), t.asInt(), score, tx == null || tx.isNull() ? null : tx.asText()));
    }
    return out;
  }
}
