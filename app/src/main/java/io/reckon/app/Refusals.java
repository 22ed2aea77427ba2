package io.reckon.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.reckon.protocol.Compute;
import io.reckon.protocol.Question;
import io.reckon.protocol.QuestionResult;
import io.reckon.runtime.Proposer;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;

/**
 * The questions a model cannot take at all (a prompt longer than its context), found before a
 * run: each becomes a failed result line with the reason, the rest run. Without this a model
 * answers such a question with nothing and the run reports it as merely wrong.
 *
 * @param runnable the questions to run, in their order
 * @param refused a failed result per refused question
 */
record Refusals(List<Question> runnable, List<QuestionResult> refused) {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Nothing refused (what a resumed or exported run knows of refusals: they are not journaled). */
  static final Refusals NONE = new Refusals(List.of(), List.of());

  static Refusals check(Proposer proposer, List<Question> questions, String strategy) {
    List<Question> runnable = new ArrayList<>(questions.size());
    List<QuestionResult> refused = new ArrayList<>();
    for (Question q : questions) {
      String why = proposer.refusal(q.text());
      if (why == null) {
        runnable.add(q);
      } else {
        refused.add(new QuestionResult(q.id(), q.level(), null, q.answer(),
            q.answer() == null ? null : Boolean.FALSE, QuestionResult.FAILED, why, strategy, null,
            0, 0, 0, 0, 0, null, null, 0, Compute.ZERO, List.of()));
      }
    }
    return new Refusals(runnable, refused);
  }

  /** Writes the refused questions' result lines. */
  void write(Writer out) throws IOException {
    for (QuestionResult r : refused) {
      out.write(JSON.writeValueAsString(r));
      out.write('\n');
    }
  }

  /** The summary's line about them, or empty. */
  String summaryLine() {
    return refused.isEmpty() ? "" : String.format(java.util.Locale.ROOT,
        "  refused     %d question%s: the prompt does not fit the model's context (failed in the "
            + "results, not in the table above)%n", refused.size(), refused.size() == 1 ? "" : "s");
  }
}
