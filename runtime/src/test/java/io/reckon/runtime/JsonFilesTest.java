package io.reckon.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonFilesTest {
  @TempDir Path dir;

  record Inner(List<Double> values) {}

  record Doc(String name, int size, Inner inner) {
    Doc {
      if (size < 0) {
        throw new IllegalArgumentException("size must be >= 0, got " + size);
      }
    }
  }

  private Path write(String text) throws IOException {
    Path p = dir.resolve("doc.json");
    Files.writeString(p, text);
    return p;
  }

  private void refused(String text, String... fragments) throws IOException {
    Path p = write(text);
    assertThatThrownBy(() -> JsonFiles.read(p, Doc.class, "doc"))
        .isInstanceOf(JsonFiles.InvalidJsonException.class)
        .satisfies(e -> {
          assertThat(e.getMessage()).doesNotContain("\n").contains("doc.json");
          for (String f : fragments) {
            assertThat(e.getMessage()).contains(f);
          }
        });
  }

  @Test
  void roundTripsARecordAndLeavesNoTemporaryFile() throws IOException {
    Doc doc = new Doc("a", 3, new Inner(java.util.Arrays.asList(0.5, null)));
    Path p = dir.resolve("out.json");
    JsonFiles.write(p, doc);
    assertThat(JsonFiles.read(p, Doc.class, "doc")).isEqualTo(doc);
    try (var files = Files.list(dir)) {
      assertThat(files.map(f -> f.getFileName().toString())).containsExactly("out.json");
    }
  }

  @Test
  void everyProblemIsOneLineWithWhereAndWhat() throws IOException {
    refused("{\"name\": \"a\", \"size\": 3,", "malformed JSON", "line 1");
    refused("{\"name\": \"a\", \"size\": 3, \"inner\": {\"values\": [1.0, oops]}}", "malformed JSON", "column");
    refused("{\"name\": \"a\", \"inner\": {\"values\": []}}", "missing field 'size'");
    refused("{\"name\": \"a\", \"size\": null, \"inner\": {\"values\": []}}", "size");
    refused("{\"name\": \"a\", \"size\": \"3\", \"inner\": {\"values\": []}}", "field size");
    refused("{\"name\": \"a\", \"size\": 2.5, \"inner\": {\"values\": []}}", "field size");
    refused("{\"name\": \"a\", \"size\": 3, \"inner\": {\"values\": [\"x\"]}}", "field inner.values[0]");
    refused("{\"name\": \"a\", \"size\": 3, \"inner\": {\"values\": []}, \"extra\": 1}", "unknown field 'extra'");
    refused("{\"name\": \"a\", \"size\": -1, \"inner\": {\"values\": []}}", "size must be >= 0, got -1");
    assertThatThrownBy(() -> JsonFiles.read(dir.resolve("none.json"), Doc.class, "doc"))
        .hasMessageContaining("doc file").hasMessageContaining("not found");
  }
}
