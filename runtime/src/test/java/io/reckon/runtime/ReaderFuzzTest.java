package io.reckon.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.reckon.protocol.Question;
import io.reckon.runtime.synthetic.Arithmetic;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random and adversarial input to the readers: a data file gives questions or one
 * {@link Dataset.InvalidDataException} with a one-line message, a JSON document a value or one
 * {@link JsonFiles.InvalidJsonException}; never another exception, never more memory than the
 * limits allow, never a hang.
 */
@Timeout(120)
class ReaderFuzzTest {
  private static final InputLimits SMALL = new InputLimits(4096, 200, 50, 8192);
  private static final List<String> VALUES = List.of(
      "\"a\"", "1", "-1", "0", "1.5", "1e400", "true", "false", "null", "[]", "{}", "[1]",
      "{\"x\":1}", "\"\"", "\" \"", "99999999999999999999999", "\"1+2\"", "\"12345678901234567890*9\"",
      "\"\\u0000\"", "\"\\ud800\"", "\"é\"", "NaN", "\"" + "y".repeat(300) + "\"");
  private static final List<String> KEYS = List.of("id", "question", "answer", "level", "extra", "");

  @TempDir Path dir;

  @Test
  void randomJsonlGivesQuestionsOrOneLine() throws IOException {
    SplittableRandom rnd = new SplittableRandom(42);
    int read = 0;
    for (int i = 0; i < 1_200; i++) {
      StringBuilder file = new StringBuilder();
      int lines = rnd.nextInt(1, 6);
      for (int l = 0; l < lines; l++) {
        file.append(randomLine(rnd, l)).append(rnd.nextInt(8) == 0 ? "\r\n" : "\n");
      }
      byte[] bytes = file.toString().getBytes(StandardCharsets.UTF_8);
      if (rnd.nextInt(6) == 0 && bytes.length > 0) { // corrupt a byte: invalid UTF-8, broken JSON
        bytes[rnd.nextInt(bytes.length)] = (byte) rnd.nextInt(256);
      }
      Path f = dir.resolve("q.jsonl");
      Files.write(f, bytes);
      try {
        List<Question> qs = Dataset.read(f, SMALL);
        read++;
        assertThat(qs).isNotEmpty().hasSizeLessThanOrEqualTo(SMALL.maxQuestions());
        for (Question q : qs) {
          assertThat(q.id()).isNotBlank();
          assertThat(q.text().length()).isLessThanOrEqualTo(SMALL.maxQuestionChars());
          Arithmetic.parse(q.text()); // never throws, whatever the numbers
        }
      } catch (Dataset.InvalidDataException e) {
        assertOneLine(e.getMessage());
        assertThat(e.getMessage()).contains(f.toString());
      } catch (RuntimeException e) {
        fail(new String(bytes, StandardCharsets.UTF_8) + " threw " + e);
      }
    }
    assertThat(read).as("the generator reaches valid files too").isGreaterThan(20);
  }

  private static String randomLine(SplittableRandom rnd, int l) {
    switch (rnd.nextInt(10)) {
      case 0:
        return "";
      case 1:
        return "x".repeat(rnd.nextInt(5000)); // maybe longer than the line limit
      case 2:
        return "{\"id\": \"q" + l + "\", \"question\": \"" + rnd.nextInt(1000) + "*" + rnd.nextLong() + "\"}";
      default:
        StringBuilder b = new StringBuilder("{");
        boolean withId = rnd.nextInt(4) != 0;
        if (withId) {
          b.append("\"id\": \"q").append(l).append('"');
        }
        int fields = rnd.nextInt(4);
        for (int k = 0; k < fields; k++) {
          if (b.length() > 1) {
            b.append(", ");
          }
          b.append('"').append(KEYS.get(rnd.nextInt(KEYS.size()))).append("\": ")
              .append(VALUES.get(rnd.nextInt(VALUES.size())));
        }
        if (rnd.nextBoolean()) {
          b.append(b.length() > 1 ? ", " : "").append("\"question\": \"").append(rnd.nextInt(100))
              .append('+').append(rnd.nextInt(100)).append('"');
        }
        return b.append(rnd.nextInt(10) == 0 ? "}}" : "}").toString();
    }
  }

  @Test
  void randomBytesAreRefusedWithinTheLineLimit() throws IOException {
    SplittableRandom rnd = new SplittableRandom(7);
    for (int i = 0; i < 100; i++) {
      byte[] bytes = new byte[rnd.nextInt(1, 20_000)];
      for (int k = 0; k < bytes.length; k++) {
        bytes[k] = (byte) rnd.nextInt(256);
      }
      Path f = dir.resolve("noise.bin");
      Files.write(f, bytes);
      try {
        Dataset.read(f, SMALL);
      } catch (Dataset.InvalidDataException e) {
        assertOneLine(e.getMessage());
      }
    }
  }

  @Test
  void aDeviceWithoutLineBreaksStopsAtTheLimit() {
    try {
      Dataset.read(Path.of("/dev/zero"), SMALL);
      fail("read /dev/zero");
    } catch (Dataset.InvalidDataException e) {
      assertOneLine(e.getMessage());
      assertThat(e.getMessage()).contains("line longer than 4096 bytes", "reckon.limits.max-line-bytes");
    }
  }

  @Test
  void invalidUtf8NamesTheLineAndByte() throws IOException {
    Path f = dir.resolve("latin1.jsonl");
    byte[] line2 = "{\"id\": \"b\", \"question\": \"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1);
    byte[] line1 = "{\"id\": \"a\", \"question\": \"1+2\"}\n".getBytes(StandardCharsets.UTF_8);
    byte[] all = new byte[line1.length + line2.length];
    System.arraycopy(line1, 0, all, 0, line1.length);
    System.arraycopy(line2, 0, all, line1.length, line2.length);
    Files.write(f, all);
    try {
      Dataset.read(f);
      fail("read Latin-1 as UTF-8");
    } catch (Dataset.InvalidDataException e) {
      assertThat(e.getMessage()).isEqualTo(f + ":2: not valid UTF-8 (a malformed byte sequence at "
          + "byte 29 of the line): save the file as UTF-8");
    }
  }

  @Test
  void randomJsonDocumentsGiveAValueOrOneLine() throws IOException {
    SplittableRandom rnd = new SplittableRandom(3);
    record Doc(List<Integer> xs, double y, String z) {}
    for (int i = 0; i < 400; i++) {
      StringBuilder b = new StringBuilder();
      int n = rnd.nextInt(1, 8);
      String[] parts = {"{", "}", "[", "]", "\"xs\"", "\"y\"", "\"z\"", ":", ",", "1", "-2",
          "2.5", "\"NaN\"", "null", "true", "\"s\"", "1e999", "99999999999", " ", "\n", "/*", "\u00e9"};
      for (int k = 0; k < n * 3; k++) {
        b.append(parts[rnd.nextInt(parts.length)]);
      }
      if (rnd.nextInt(4) == 0) {
        b = new StringBuilder("{\"xs\": [1, 2], \"y\": " + (rnd.nextBoolean() ? "0.5" : "\"NaN\"")
            + ", \"z\": \"ok\"}");
      }
      Path f = dir.resolve("doc.json");
      Files.writeString(f, b.toString());
      try {
        JsonFiles.read(f, Doc.class, "test", 4096);
      } catch (JsonFiles.InvalidJsonException e) {
        assertOneLine(e.getMessage());
      } catch (RuntimeException e) {
        fail(b + " threw " + e);
      }
    }
  }

  @Test
  void aJsonDocumentBeyondTheLimitIsRefusedBeforeItIsRead() {
    try {
      JsonFiles.read(Path.of("/dev/zero"), Object.class, "policy", 1 << 16);
      fail("read /dev/zero");
    } catch (JsonFiles.InvalidJsonException e) {
      assertThat(e.getMessage()).contains("larger than 65536 bytes", "reckon.limits.max-file-bytes");
    }
  }

  @Test
  void arithmeticNeverOverflowsIntoAnAnswer() {
    assertThat(Arithmetic.parse("12345678901234567890+1")).isNull();
    assertThat(Arithmetic.parse("999999999999*999999999999")).isNull();
    assertThat(Arithmetic.parse("9223372036854775807+0")).isNull(); // 19 digits: beyond the task
    assertThat(Arithmetic.parse("4000000000*2")).isNotNull();
    assertThat(Arithmetic.result("x=99999999999999999999999")).isNull();
    SplittableRandom rnd = new SplittableRandom(11);
    for (int i = 0; i < 5_000; i++) {
      StringBuilder q = new StringBuilder(Long.toString(Math.abs(rnd.nextLong() >> rnd.nextInt(64))));
      for (int k = rnd.nextInt(6); k > 0; k--) {
        q.append("+-*".charAt(rnd.nextInt(3))).append(Math.abs(rnd.nextLong() >> rnd.nextInt(64)));
      }
      Arithmetic.State s = Arithmetic.parse(q.toString());
      if (s != null) {
        assertThat(Arithmetic.evaluate(q.toString())).isNotNull();
      }
    }
  }

  static void assertOneLine(String message) {
    assertThat(message).isNotBlank().doesNotContain("\n").doesNotContain("\r");
    assertThat(message.length()).isLessThan(600);
    assertThat(message).doesNotContainPattern("\\b(?:java|com|io|org)\\.[a-z]+\\.[a-z]*\\.?[A-Z]")
        .doesNotContain("Exception").doesNotContain("JsonToken").doesNotContain("REDACTED");
  }
}
