package io.reckon.runtime.onnx;

import io.reckon.protocol.Continuation;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

/**
 * One row the {@link ContinuousDecoder} decodes: a request's sample (or the single row of a
 * greedy request), with its text so far and its place in the running batch's KV cache.
 */
final class DecodeRow {
  /** One generate() call, waiting for its rows. */
  static final class Call {
    final CompletableFuture<Void> done = new CompletableFuture<>();
    /** Rows not yet finished; touched by the decode thread only once submitted. */
    int remaining;
  }

  final long[] prompt;
  final double temperature;
  final SplittableRandom rng;
  final LineAssembler text;
  Call call;
  int generated;
  double logProb;
  long lastToken;
  /** Left-padding columns of this row in the current KV cache. */
  int pad;
  /** Prompt tokens this row prefilled (0 when another row of the same prompt did, or the cache). */
  int prefilled;
  /** The prompt's KV, [heads, length, dim] per layer key/value, until the row joins the batch. */
  float[][] promptKv;

  DecodeRow(long[] prompt, double temperature, SplittableRandom rng, LineAssembler text) {
    this.prompt = prompt;
    this.temperature = temperature;
    this.rng = rng;
    this.text = text;
  }

  Continuation continuation() {
    return new Continuation(text.steps(), text.finished(), generated, logProb);
  }
}
