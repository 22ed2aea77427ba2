package io.reckon.actors;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.reckon.actors.store.Digests;
import io.reckon.protocol.Question;
import io.reckon.runtime.Dataset;
import io.reckon.search.task.Task;
import io.reckon.search.task.Tasks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The shipped benchmarks: every file named in data/SOURCES.md has the hash written there, reads
 * as a question set, and its own reference solutions grade 100 % correct under its task (the
 * answer extracted from the solution's text by the task, compared by the task's equivalence).
 */
class BenchmarkDataTest {
  private static final Path ROOT = Path.of(System.getProperty("reckon.root", "..")).toAbsolutePath();
  private static final Pattern ROW = Pattern.compile(
      "^\\| ([^ |]+) \\|.*\\| ([0-9a-f]{64}) \\|\\s*$", Pattern.MULTILINE);
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void everySourcedFileHasItsRecordedHash() throws IOException {
    String sources = Files.readString(ROOT.resolve("data/SOURCES.md"));
    Map<String, String> recorded = new LinkedHashMap<>();
    Matcher m = ROW.matcher(sources);
    while (m.find()) {
      recorded.put(m.group(1), m.group(2));
    }
    assertThat(recorded).containsKeys("data/math500/test.jsonl", "data/gsm8k/test.jsonl",
        "search/src/test/resources/grader/hendrycks-math-is-equiv.tsv");
    for (Map.Entry<String, String> e : recorded.entrySet()) {
      Path file = ROOT.resolve(e.getKey());
      assertThat(file).as(e.getKey() + " named in data/SOURCES.md").isRegularFile();
      assertThat(Digests.file(file)).as("SHA-256 of " + e.getKey()).isEqualTo(e.getValue());
    }
  }

  @Test
  void math500ReadsWithLevelsAndSubjectsAndItsSolutionsGradeCorrect() throws IOException {
    List<Question> qs = Dataset.read(ROOT.resolve("data/math500/test.jsonl"));
    assertThat(qs).hasSize(500);
    assertThat(qs).allSatisfy(q -> {
      assertThat(q.level()).isBetween(1, 5);
      assertThat(q.subject()).isNotBlank();
      assertThat(q.answer()).isNotBlank();
    });
    assertThat(qs.stream().map(Question::subject).distinct()).hasSize(7);
    assertThat(gradeReferences("data/math500/test.jsonl", Tasks.MATH)).isEqualTo(500);
  }

  @Test
  void gsm8kReadsAndItsSolutionsGradeCorrect() throws IOException {
    List<Question> qs = Dataset.read(ROOT.resolve("data/gsm8k/test.jsonl"));
    assertThat(qs).hasSize(1319);
    assertThat(qs).allSatisfy(q -> assertThat(q.answer()).isNotBlank());
    assertThat(gradeReferences("data/gsm8k/test.jsonl", Tasks.GSM8K)).isEqualTo(1319);
    // 14 answers carry thousands separators ("2,125"): a model's plain 2125 is the same answer
    List<Question> separated = qs.stream().filter(q -> q.answer().contains(",")).toList();
    assertThat(separated).hasSize(14);
    for (Question q : separated) {
      String plain = q.answer().replace(",", "");
      assertThat(Tasks.GSM8K.equivalent(
          Tasks.GSM8K.extract("so the total is $\\boxed{" + plain + "}$."), q.answer()))
          .as(q.id()).isTrue();
      assertThat(Tasks.GSM8K.equivalent(plain + "1", q.answer())).as(q.id()).isFalse();
    }
  }

  @Test
  void math500RowsWithSeveralBoxesGradeTheLastOne() throws IOException {
    int several = 0;
    for (String line : Files.readAllLines(ROOT.resolve("data/math500/test.jsonl"))) {
      JsonNode row = JSON.readTree(line);
      String solution = row.get("solution").asText();
      if (solution.indexOf("\\boxed") != solution.lastIndexOf("\\boxed")) {
        several++;
        // the first box alone is not what the solution ends with
        String first = solution.substring(0, solution.indexOf("\\boxed") + 1);
        assertThat(Tasks.MATH.extract(solution)).as(row.get("id").asText())
            .isNotNull().isNotEqualTo(Tasks.MATH.extract(first));
      }
    }
    assertThat(several).isEqualTo(8);
  }

  /** Rows whose reference solution, read by the task, is equivalent to the row's answer. */
  private static int gradeReferences(String file, Task task) throws IOException {
    List<String> wrong = new ArrayList<>();
    int right = 0;
    int textEqual = 0;
    for (String line : Files.readAllLines(ROOT.resolve(file))) {
      JsonNode row = JSON.readTree(line);
      String extracted = task.extract(row.get("solution").asText());
      String answer = row.get("answer").asText();
      if (task.equivalent(extracted, answer)) {
        right++;
        if (extracted.strip().equals(answer.strip())) {
          textEqual++;
        } else {
          System.out.printf(Locale.ROOT, "  %s %s: solution's [%s] = answer [%s] (needed the grader)%n",
              file, row.get("id").asText(), extracted, answer);
        }
      } else {
        wrong.add(row.get("id").asText() + ": solution gives [" + extracted + "], answer ["
            + answer + "]");
      }
    }
    System.out.printf(Locale.ROOT, "%s: %d reference solutions graded correct (%d as identical "
        + "text, %d by equivalence), %d wrong%n", file, right, textEqual, right - textEqual,
        wrong.size());
    assertThat(wrong).as(file + ": reference solutions graded wrong").isEmpty();
    return right;
  }
}
