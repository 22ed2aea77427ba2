package io.reckon.runtime.onnx;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A Hugging Face {@code tokenizer.json}, read by the tokenizers library itself (through DJL's
 * binding) so that any exported model's tokenizer (GPT-2, Llama, Qwen, the shipped
 * character-level one) behaves exactly as it does in Python.
 *
 * <p>The binding's jar carries its native library for linux-x86_64 (and aarch64, macOS, Windows);
 * it never needs the network as long as it is told to stay offline, which {@link #load} does:
 * otherwise, on a machine with a GPU, it would try to download a CUDA flavour of the library.
 */
public final class HfTokenizer implements AutoCloseable {

  private final HuggingFaceTokenizer tokenizer;
  private final Path file;

  private HfTokenizer(HuggingFaceTokenizer tokenizer, Path file) {
    this.tokenizer = tokenizer;
    this.file = file;
  }

  /** Token ids and, for each token, the code-point span of the text it came from. */
  public record Encoded(long[] ids, int[] starts, int[] ends) {
    public int length() {
      return ids.length;
    }

    /**
     * The index of the token that covers code point {@code codePoint}, or -1: the last token
     * whose span holds it, so that a token merged across the point still counts.
     */
    public int tokenCovering(int codePoint) {
      for (int i = ids.length - 1; i >= 0; i--) {
        if (starts[i] <= codePoint && codePoint < ends[i]) {
          return i;
        }
      }
      return -1;
    }
  }

  public static HfTokenizer load(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ModelLoadException(
          "tokenizer not found: " + file + " (expected a Hugging Face tokenizer.json beside model.onnx)");
    }
    stayOffline();
    try {
      // Truncation and padding are ours to do (left for generation, right for the PRM); special
      // tokens follow the tokenizer's own post-processor, as transformers does by default.
      HuggingFaceTokenizer t =
          HuggingFaceTokenizer.newInstance(
              file,
              Map.of("addSpecialTokens", "true", "truncation", "false", "padding", "false"));
      return new HfTokenizer(t, file);
    } catch (IOException | RuntimeException e) {
      throw new ModelLoadException(
          "cannot read tokenizer " + file + " (expected a Hugging Face tokenizer.json): "
              + rootMessage(e), e);
    }
  }

  private static void stayOffline() {
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
    if (System.getProperty("RUST_FLAVOR") == null && System.getenv("RUST_FLAVOR") == null) {
      System.setProperty("RUST_FLAVOR", "cpu");
    }
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage();
    return m == null ? t.getClass().getSimpleName() : m;
  }

  public Path file() {
    return file;
  }

  public long[] encode(String text) {
    return tokenizer.encode(text).getIds();
  }

  /** Encodes with code-point spans; special tokens added by the post-processor get empty spans. */
  public Encoded encodeWithSpans(String text) {
    Encoding e = tokenizer.encode(text);
    long[] ids = e.getIds();
    CharSpan[] spans = e.getCharTokenSpans();
    int[] starts = new int[ids.length];
    int[] ends = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      CharSpan s = spans != null && i < spans.length ? spans[i] : null;
      if (s != null) {
        starts[i] = s.getStart();
        ends[i] = s.getEnd();
      }
    }
    return new Encoded(ids, starts, ends);
  }

  /** Text of {@code ids}, special tokens (padding, end of text) left out. */
  public String decode(long[] ids) {
    return tokenizer.decode(ids, true);
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
