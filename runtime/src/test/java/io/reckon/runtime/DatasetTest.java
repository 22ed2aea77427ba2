package io.reckon.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reckon.protocol.Question;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetTest {
  private static final List<String> SPLITS = List.of("validation.jsonl", "test.jsonl", "train_sample.jsonl");

  @TempDir Path dir;

  private Path write(String... lines) throws IOException {
    Path f = dir.resolve("questions.jsonl");
    Files.writeString(f, String.join("\n", lines) + "\n");
    return f;
  }

  @Test
  void readsQuestionsInOrder() throws IOException {
    Path f = write(
        "{\"id\": \"a\", \"question\": \"2+3\", \"answer\": \"5\", \"level\": 1}",
        "",
        "{\"id\": \"b\", \"question\": \"7*6\", \"answer\": 42}",
        "  {\"question\": \"1-9\", \"id\": \"c\", \"level\": null}  ");
    assertThat(Dataset.read(f)).containsExactly(
        new Question("a", "2+3", "5", 1),
        new Question("b", "7*6", "42", null),
        new Question("c", "1-9", null, null));
  }

  @Test
  void missingFile() {
    Path f = dir.resolve("nope.jsonl");
    assertThatThrownBy(() -> Dataset.read(f))
        .isInstanceOf(Dataset.InvalidDataException.class)
        .hasMessage("data file not found: " + f);
  }

  @Test
  void malformedJsonNamesItsLine() throws IOException {
    Path f = write(
        "{\"id\": \"a\", \"question\": \"2+3\"}",
        "",
        "{\"id\": \"b\", \"question\": \"2+3\"",
        "{\"id\": \"c\", \"question\": \"2+3\"}");
    assertThatThrownBy(() -> Dataset.read(f))
        .isInstanceOf(Dataset.InvalidDataException.class)
        .hasMessageStartingWith(f + ":3: malformed JSON");
  }

  @Test
  void trailingGarbageIsMalformedToo() throws IOException {
    Path f = write("{\"id\": \"a\", \"question\": \"2+3\"}}");
    assertThatThrownBy(() -> Dataset.read(f))
        .isInstanceOf(Dataset.InvalidDataException.class)
        .hasMessageStartingWith(f + ":1: malformed JSON");
  }

  @Test
  void missingRequiredField() throws IOException {
    Path f = write("{\"id\": \"a\", \"question\": \"2+3\"}", "{\"id\": \"b\", \"answer\": \"5\"}");
    assertThatThrownBy(() -> Dataset.read(f))
        .isInstanceOf(Dataset.InvalidDataException.class)
        .hasMessage(f + ":2: missing required field 'question'");
    Path g = write("{\"question\": \"2+3\"}");
    assertThatThrownBy(() -> Dataset.read(g))
        .isInstanceOf(Dataset.InvalidDataException.class)
        .hasMessage(g + ":1: missing required field 'id'");
  }

  @Test
  void duplicateId() throws IOException {
    Path f = write(
        "{\"id\": \"a\", \"question\": \"2+3\"}",
        "{\"id\": \"b\", \"question\": \"2+4\"}",
        "{\"id\": \"a\", \"question\": \"2+5\"}");
    assertThatThrownBy(() -> Dataset.read(f))
        .isInstanceOf(Dataset.InvalidDataException.class)
        .hasMessage(f + ":3: duplicate id 'a' (ids must be unique)");
  }

  @Test
  void badFieldTypes() throws IOException {
    Path f = write("{\"id\": \"a\", \"question\": {\"text\": \"2+3\"}}");
    assertThatThrownBy(() -> Dataset.read(f))
        .isInstanceOf(Dataset.InvalidDataException.class)
        .hasMessage(f + ":1: field 'question' must be a string or number");
    Path g = write("{\"id\": \"a\", \"question\": \"2+3\", \"level\": \"hard\"}");
    assertThatThrownBy(() -> Dataset.read(g))
        .isInstanceOf(Dataset.InvalidDataException.class)
        .hasMessage(g + ":1: field 'level' must be an integer");
    Path h = write("{\"id\": \"a\", \"question\": \"2+3\", \"level\": 2.5}");
    assertThatThrownBy(() -> Dataset.read(h))
        .isInstanceOf(Dataset.InvalidDataException.class)
        .hasMessage(h + ":1: field 'level' must be an integer");
    Path i = write("{\"id\": \"  \", \"question\": \"2+3\"}");
    assertThatThrownBy(() -> Dataset.read(i))
        .isInstanceOf(Dataset.InvalidDataException.class)
        .hasMessage(i + ":1: field 'id' is empty");
    Path j = write("[1, 2]");
    assertThatThrownBy(() -> Dataset.read(j))
        .isInstanceOf(Dataset.InvalidDataException.class)
        .hasMessage(j + ":1: expected a JSON object per line");
  }

  @Test
  void emptyFile() throws IOException {
    Path f = write("", "  ");
    assertThatThrownBy(() -> Dataset.read(f))
        .isInstanceOf(Dataset.InvalidDataException.class)
        .hasMessage("data file " + f + " holds no questions");
  }

  @Test
  void shippedSplitsLoadWithEveryLevelAndAnAnswer() {
    // sizes are not pinned (the train sample is regenerated with the models); the shape is
    for (String split : SPLITS) {
      List<Question> qs = Dataset.read(Repo.arith(split));
      assertThat(qs).as(split).allSatisfy(q -> {
        assertThat(q.answer()).isNotBlank();
        assertThat(q.level()).isBetween(1, 6);
      });
      Map<Integer, Long> perLevel =
          qs.stream().collect(Collectors.groupingBy(Question::level, Collectors.counting()));
      assertThat(perLevel).as(split).containsOnlyKeys(1, 2, 3, 4, 5, 6);
      // Balance is promised for the evaluation splits; the train sample is a random draw of the
      // training distribution, where level 1 has few distinct questions left after exclusions.
      if (!split.startsWith("train")) {
        long smallest = perLevel.values().stream().mapToLong(Long::longValue).min().orElseThrow();
        long largest = perLevel.values().stream().mapToLong(Long::longValue).max().orElseThrow();
        assertThat(smallest).as(split + ": levels balanced").isEqualTo(largest).isGreaterThanOrEqualTo(100);
      }
    }
  }

  @Test
  void noQuestionAppearsInTwoSplits() {
    Map<String, String> seenIn = new HashMap<>();
    Map<String, String> idSeenIn = new HashMap<>();
    for (String split : SPLITS) {
      // within a split, repeats are harmless (the train sample has a few); across splits they leak
      for (Question q : Dataset.read(Repo.arith(split))) {
        String key = q.text().replaceAll("\\s+", "").toLowerCase(Locale.ROOT);
        String other = seenIn.putIfAbsent(key, split);
        assertThat(other == null || other.equals(split))
            .as("question %s (%s) is in both %s and %s", q.id(), q.text(), other, split)
            .isTrue();
        String otherId = idSeenIn.putIfAbsent(q.id(), split);
        assertThat(otherId == null || otherId.equals(split))
            .as("id %s is in both %s and %s", q.id(), otherId, split)
            .isTrue();
      }
    }
    assertThat(seenIn).hasSizeGreaterThan(1000);
  }
}
