package io.reckon.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunCommandTest {
  @TempDir Path dir;

  record Result(int status, String out, String err) {}

  private static Result reckon(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(status, out.toString(), err.toString());
  }

  private static Path root() {
    return Path.of(System.getProperty("reckon.root", "..")).toAbsolutePath().normalize();
  }

  /** The first {@code n} questions of every level of the shipped test set. */
  private Path smallData(int perLevel) throws IOException {
    List<String> lines = Files.readAllLines(root().resolve("data/arith/test.jsonl"));
    List<String> picked = new ArrayList<>();
    for (int level = 1; level <= 6; level++) {
      String tag = "\"level\": " + level + "}";
      lines.stream().filter(l -> l.contains(tag)).limit(perLevel).forEach(picked::add);
    }
    Path file = dir.resolve("small.jsonl");
    Files.write(file, picked, StandardCharsets.UTF_8);
    return file;
  }

  private void assertBadInput(Result r, String... fragments) throws IOException {
    assertThat(r.status()).as(r.err()).isEqualTo(Main.BAD_INPUT);
    String message = r.err().strip();
    assertThat(message).as("one line, no stack trace").doesNotContain("\n").doesNotContain("\tat ");
    for (String f : fragments) {
      assertThat(message).contains(f);
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .as("nothing half-written")
          .noneMatch(n -> n.startsWith("out") || n.endsWith(".tmp"));
    }
  }

  @Test
  void missingDataFile() throws IOException {
    Result r = reckon("run", "--data", dir.resolve("nope.jsonl").toString(),
        "--out", dir.resolve("out.jsonl").toString());
    assertBadInput(r, "not found", "nope.jsonl");
  }

  @Test
  void missingShippedDefaultSaysWhereToRunFrom() throws IOException {
    // Tests run in app/, where data/arith/test.jsonl is not.
    Result r = reckon("run", "--out", dir.resolve("out.jsonl").toString());
    assertBadInput(r, "data/arith/test.jsonl", "repository root");
  }

  @Test
  void malformedJsonLineIsNamedWithItsNumber() throws IOException {
    Path data = dir.resolve("bad.jsonl");
    Files.writeString(data, "{\"id\": \"a\", \"question\": \"1+2\", \"answer\": \"3\"}\n{\"id\": \"b\", \n");
    Result r = reckon("run", "--data", data.toString(), "--out", dir.resolve("out.jsonl").toString());
    assertBadInput(r, "bad.jsonl:2", "malformed JSON");
  }

  @Test
  void unknownTaskListsTheKnownOnes() throws IOException {
    Result r = reckon("run", "--task", "aime", "--out", dir.resolve("out.jsonl").toString());
    assertBadInput(r, "--task: unknown task 'aime': known tasks are arith, gsm8k, math, short-answer");
  }

  @Test
  void theSyntheticBackendRefusesATaskItCannotWrite() throws IOException {
    Result r = reckon("run", "--task", "math", "--data",
        root().resolve("data/arith/test.jsonl").toString(), "--out",
        dir.resolve("out.jsonl").toString());
    assertBadInput(r, "--task math", "synthetic backend writes the arith format only");
  }

  @Test
  void aPolicyOfAnotherTaskIsRefused() throws IOException {
    Result r = reckon("run", "--strategy", "compute-optimal", "--task", "gsm8k", "--policy",
        root().resolve("models/policy.json").toString(), "--out", dir.resolve("out.jsonl").toString());
    assertBadInput(r, "--task gsm8k", "was learned on task arith");
  }

  @Test
  void unknownStrategy() throws IOException {
    Result r = reckon("run", "--strategy", "telepathy", "--out", dir.resolve("out.jsonl").toString());
    assertBadInput(r, "unknown strategy 'telepathy'", "beam");
  }

  @Test
  void budgetMustBePositive() throws IOException {
    assertBadInput(reckon("run", "--budget", "0", "--out", dir.resolve("out.jsonl").toString()),
        "--budget must be >= 1");
    assertBadInput(reckon("run", "--budget", "-3", "--out", dir.resolve("out.jsonl").toString()),
        "--budget must be >= 1", "-3");
    assertBadInput(reckon("run", "--budget", "lots", "--out", dir.resolve("out.jsonl").toString()),
        "--budget", "lots");
  }

  @Test
  void budgetTooSmallForTheStrategy() throws IOException {
    assertBadInput(reckon("run", "--strategy", "lookahead:k=3,m=4", "--budget", "6",
        "--out", dir.resolve("out.jsonl").toString()), "too small", "16");
  }

  @Test
  void outputDirectoryMustExist() throws IOException {
    assertBadInput(reckon("run", "--data", smallData(1).toString(),
        "--out", dir.resolve("missing/out.jsonl").toString()), "does not exist");
  }

  @Test
  void unknownOptionIsOneLine() throws IOException {
    assertBadInput(reckon("run", "--bogus"), "--bogus");
  }

  @Test
  void endToEndRunWritesOneJsonLinePerQuestionAndASummary() throws IOException {
    Path data = smallData(5);
    Path out = dir.resolve("out.jsonl");
    Result r = reckon("run", "--data", data.toString(), "--strategy", "beam:m=4", "--budget", "16",
        "--out", out.toString(), "--workers", "2", "--seed", "5");

    assertThat(r.status()).as(r.err()).isZero();
    List<String> lines = Files.readAllLines(out);
    assertThat(lines).hasSize(30);
    ObjectMapper json = new ObjectMapper();
    Set<String> ids = new HashSet<>();
    for (String line : lines) {
      JsonNode n = json.readTree(line);
      ids.add(n.get("id").asText());
      assertThat(n.get("status").asText()).isEqualTo("ok");
      assertThat(n.get("strategy").asText()).isEqualTo("beam:m=4,agg=last");
      assertThat(n.has("answer")).isTrue();
      assertThat(n.get("correct").isBoolean()).isTrue();
      assertThat(n.get("spent").asLong()).isLessThanOrEqualTo(n.get("granted").asLong());
      assertThat(n.get("tokens").asLong()).isPositive();
      assertThat(n.get("flops").asDouble()).isPositive();
      assertThat(n.get("difficulty").isNumber()).isTrue();
      assertThat(n.get("candidates").size()).isPositive();
      assertThat(n.get("candidates").get(0).has("score")).isTrue();
    }
    assertThat(ids).hasSize(30);
    assertThat(r.out()).contains("accuracy", "all", "questions/s", "wall time", "generations");
    for (int level = 1; level <= 6; level++) {
      assertThat(r.out()).containsPattern("(?m)^\\s+" + level + "\\s+5\\s");
    }
    assertThat(r.err()).contains("30/30 questions");
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
    }
  }
}
