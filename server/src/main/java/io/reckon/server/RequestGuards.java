package io.reckon.server;

import com.typesafe.config.Config;
import io.reckon.protocol.api.RunRequest;
import io.reckon.protocol.openai.ChatCompletionRequest;
import io.reckon.protocol.openai.CompletionRequest;
import io.reckon.runtime.InputLimits;
import java.util.List;
import java.util.function.Function;

/**
 * Checks on what a client sends that come before any work on it, each refusal a 400 naming the
 * field. Kept here, apart from the routes, so that HTTP and Kafka refuse the same things.
 */
public final class RequestGuards {
  /** Longest question id: it becomes a record key, a journal entry and a dashboard cell. */
  public static final int MAX_ID = InputLimits.MAX_ID_CHARS;

  /** Longest server-side data path a run may name. */
  public static final int MAX_PATH = 1_024;

  /** The characters an id may hold besides letters and digits (ids of the shipped data sets). */
  private static final String ID_PUNCTUATION = "._-:/@+=";

  private RequestGuards() {}

  /**
   * Why {@code id} is not a usable question id, or {@code null}. Ids are shown in the dashboard,
   * used as Kafka keys and written into logs, so they are plain: 1 to {@value #MAX_ID} ASCII
   * letters, digits and {@code . _ - : / @ + =} (what {@code val-L1-0001} or
   * {@code test/precalculus/807.json} need); no markup, spaces or control characters. Checked
   * character by character, no regular expression.
   */
  public static String idProblem(String id) {
    if (id.isEmpty()) {
      return "is empty";
    }
    if (id.length() > MAX_ID) {
      return "is " + id.length() + " characters long: at most " + MAX_ID;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
          || ID_PUNCTUATION.indexOf(c) >= 0;
      if (!ok) {
        return "holds " + describe(c) + " at position " + i + ": use letters, digits and "
            + ". _ - : / @ + = only";
      }
    }
    return null;
  }

  private static String describe(char c) {
    return c >= 0x21 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
  }

  /**
   * A run's data path, free of control characters (a NUL would fail deep in the file system), and
   * its inline questions' ids, each usable when given (400 naming questions[i].id).
   */
  static void checkRun(RunRequest request) {
    String data = request.data();
    if (data != null) {
      if (data.length() > MAX_PATH) {
        throw ApiException.badRequest("data", "data is " + data.length() + " characters long: at "
            + "most " + MAX_PATH);
      }
      for (int i = 0; i < data.length(); i++) {
        char c = data.charAt(i);
        if (c < 0x20 || c == 0x7f) {
          throw ApiException.badRequest("data", "data holds a control character ("
              + describe(c) + ") at position " + i + ": name a question file under the server's "
              + "data directory, e.g. arith/test.jsonl");
        }
      }
    }
    List<RunRequest.SubmittedQuestion> questions = request.questions();
    if (questions == null) {
      return;
    }
    for (int i = 0; i < questions.size(); i++) {
      RunRequest.SubmittedQuestion q = questions.get(i);
      if (q == null) {
        continue; // refused, naming it, where the run is made
      }
      // A missing id defaults to the question's position.
      String problem = q.id() == null ? null : idProblem(q.id());
      if (problem != null) {
        String field = "questions[" + i + "].id";
        throw ApiException.badRequest(field, field + " " + problem);
      }
      bounded("questions[" + i + "].answer", q.answer());
    }
  }

  /**
   * The limit on a question's text that every door shares ({@code reckon.limits
   * .max-question-chars}), checked before {@code check} (which parses the question) runs: a
   * refusal of a longer question is one comparison, whatever the text holds.
   */
  public static Function<String, String> bounded(Config root, Function<String, String> check) {
    int max = root.hasPath("reckon.limits.max-question-chars")
        ? root.getInt("reckon.limits.max-question-chars")
        : InputLimits.DEFAULTS.maxQuestionChars();
    return q -> q.length() > max
        ? "the question is " + q.length() + " characters long: at most " + max
            + " (reckon.limits.max-question-chars)"
        : check.apply(q);
  }

  /** A completion request's fields other than the prompt text, bounded (400 naming the field). */
  static CompletionRequest check(CompletionRequest r) {
    bounded("model", r.model());
    stops(r.stop());
    return r;
  }

  /** A chat request's fields other than the question text, bounded (400 naming the field). */
  static ChatCompletionRequest check(ChatCompletionRequest r) {
    bounded("model", r.model());
    if (r.messages() != null && r.messages().size() > InputLimits.MAX_MESSAGES) {
      throw ApiException.badRequest("messages", "at most " + InputLimits.MAX_MESSAGES
          + " messages; got " + r.messages().size());
    }
    stops(r.stop());
    return r;
  }

  private static void stops(List<String> stop) {
    if (stop == null) {
      return;
    }
    for (int i = 0; i < stop.size(); i++) {
      bounded("stop[" + i + "]", stop.get(i));
    }
  }

  private static void bounded(String field, String value) {
    if (value != null && value.length() > InputLimits.MAX_FIELD_CHARS) {
      throw ApiException.badRequest(field, field + " is " + value.length() + " characters long: "
          + "at most " + InputLimits.MAX_FIELD_CHARS);
    }
  }
}
