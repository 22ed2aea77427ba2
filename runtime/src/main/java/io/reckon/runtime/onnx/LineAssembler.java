package io.reckon.runtime.onnx;

import io.reckon.runtime.PromptFormat;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * Turns one row's generated tokens into step lines and decides when the row is done: at the step
 * delimiter once {@code maxSteps} lines are written, at the end of the answer line, or at the end
 * of text. Tokens are decoded a line at a time (not one by one), because a byte-level or
 * SentencePiece token may be only part of a character or carry a space that belongs to its
 * neighbour; a cheap per-token test says when a line may have ended.
 */
final class LineAssembler {

  /** Decodes a run of token ids to text, special tokens left out. */
  interface Decoder {
    String decode(long[] ids);
  }

  private final PromptFormat format;
  private final int maxSteps;
  private final long eos;
  private final Decoder decoder;
  private final LongPredicate mayEndLine;

  private final List<String> steps = new ArrayList<>();
  private long[] pending = new long[16];
  private int pendingCount;
  /** Text after the last delimiter that arrived inside a token which also ended a line. */
  private String carry = "";
  private boolean done;
  private boolean finished;

  /**
   * @param maxSteps lines to write before stopping; 0 = until the answer line or end of text
   * @param mayEndLine true for a token whose text could hold (the end of) the step delimiter; a
   *     false positive costs one decode, a false negative would miss a line end
   */
  LineAssembler(
      PromptFormat format, int maxSteps, long eos, Decoder decoder, LongPredicate mayEndLine) {
    this.format = format;
    this.maxSteps = maxSteps;
    this.eos = eos;
    this.decoder = decoder;
    this.mayEndLine = mayEndLine;
  }

  /** Takes the next generated token; returns true when the row needs no more. */
  boolean accept(long token) {
    if (done) {
      throw new IllegalStateException("row is already done");
    }
    if (token == eos) {
      String rest = pendingText();
      if (!rest.isBlank()) {
        steps.add(rest);
      }
      clearPending();
      finished = true;
      done = true;
      return true;
    }
    if (pendingCount == pending.length) {
      pending = Arrays.copyOf(pending, pending.length * 2);
    }
    pending[pendingCount++] = token;
    if (!mayEndLine.test(token)) {
      return false;
    }
    String text = pendingText();
    String delimiter = format.stepDelimiter();
    int at = text.indexOf(delimiter);
    if (at < 0) {
      return false;
    }
    clearPending();
    while (at >= 0) {
      String line = text.substring(0, at);
      text = text.substring(at + delimiter.length());
      // Blank lines carry no step; a model that writes them is not penalised with an empty step.
      if (!line.isBlank()) {
        steps.add(line);
        if (format.isAnswerLine(line)) {
          finished = true;
          done = true;
          return true;
        }
        if (maxSteps > 0 && steps.size() >= maxSteps) {
          done = true;
          return true;
        }
      }
      at = text.indexOf(delimiter);
    }
    carry = text;
    return false;
  }

  /**
   * The row hit its token or position limit. A line without its delimiter is dropped: it may be
   * cut mid-number, and a search would otherwise score and extend a step the model never ended.
   */
  void cutOff() {
    clearPending();
    done = true;
  }

  boolean done() {
    return done;
  }

  /** True when the answer line was written or the model ended the text. */
  boolean finished() {
    return finished;
  }

  List<String> steps() {
    return List.copyOf(steps);
  }

  private String pendingText() {
    if (pendingCount == 0) {
      return carry;
    }
    return carry + decoder.decode(Arrays.copyOf(pending, pendingCount));
  }

  private void clearPending() {
    pendingCount = 0;
    carry = "";
  }
}
