package io.reckon.runtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the tokenizers library on a character-level tokenizer.json like the shipped models'. */
class HfTokenizerTest {
  static final String VOCAB_CHARS = "\n *+-;:=0123456789APQ";

  /** The shipped models' tokenizer: BPE with no merges over single characters, Fuse decoder. */
  static String charTokenizerJson() {
    StringBuilder vocab = new StringBuilder("\"<pad>\": 0, \"<eos>\": 1, \"<unk>\": 2");
    for (int i = 0; i < VOCAB_CHARS.length(); i++) {
      char c = VOCAB_CHARS.charAt(i);
      String s = c == '\n' ? "\\n" : String.valueOf(c);
      vocab.append(", \"").append(s).append("\": ").append(i + 3);
    }
    String added =
        "{\"id\": %d, \"content\": \"%s\", \"single_word\": false, \"lstrip\": false, "
            + "\"rstrip\": false, \"normalized\": false, \"special\": true}";
    return "{\"version\": \"1.0\", \"truncation\": null, \"padding\": null, \"added_tokens\": ["
        + String.format(added, 0, "<pad>") + ", " + String.format(added, 1, "<eos>") + ", "
        + String.format(added, 2, "<unk>") + "], \"normalizer\": null, \"pre_tokenizer\": null, "
        + "\"post_processor\": null, \"decoder\": {\"type\": \"Fuse\"}, \"model\": {\"type\": \"BPE\", "
        + "\"dropout\": null, \"unk_token\": \"<unk>\", \"continuing_subword_prefix\": null, "
        + "\"end_of_word_suffix\": null, \"fuse_unk\": false, \"byte_fallback\": false, \"vocab\": {"
        + vocab + "}, \"merges\": []}}";
  }

  @TempDir static Path dir;
  static HfTokenizer tokenizer;

  @BeforeAll
  static void load() throws IOException {
    Path f = dir.resolve("tokenizer.json");
    Files.writeString(f, charTokenizerJson());
    tokenizer = HfTokenizer.load(f);
  }

  @AfterAll
  static void close() {
    tokenizer.close();
  }

  @Test
  void encodesOneTokenPerCharacterAndDecodesBack() {
    String text = "Q: 37*4+129-56\n37*4=148\nA: 221\n";
    long[] ids = tokenizer.encode(text);
    assertThat(ids).hasSize(text.length());
    assertThat(ids[0]).isEqualTo(3 + VOCAB_CHARS.indexOf('Q'));
    assertThat(ids[ids.length - 1]).isEqualTo(3);
    assertThat(tokenizer.decode(ids)).isEqualTo(text);
  }

  @Test
  void decodingLeavesSpecialTokensOutAndUnknownCharactersBecomeUnk() {
    assertThat(tokenizer.decode(new long[] {0, 23, 1, 20})).isEqualTo("Q9");
    assertThat(tokenizer.encode("x")).containsExactly(2);
  }

  @Test
  void spansMapCharactersToTokens() {
    HfTokenizer.Encoded e = tokenizer.encodeWithSpans("Q: 1\n2\n");
    assertThat(e.length()).isEqualTo(7);
    assertThat(e.tokenCovering(4)).isEqualTo(4);
    assertThat(e.tokenCovering(6)).isEqualTo(6);
    assertThat(e.tokenCovering(99)).isEqualTo(-1);
  }

  @Test
  void aMissingOrMalformedFileNamesTheFile(@TempDir Path other) throws IOException {
    Path missing = other.resolve("tokenizer.json");
    assertThatThrownBy(() -> HfTokenizer.load(missing))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("tokenizer not found: " + missing);
    Files.writeString(missing, "{\"model\": {\"type\": \"Nonsense\"}}");
    assertThatThrownBy(() -> HfTokenizer.load(missing))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("cannot read tokenizer " + missing);
  }
}
