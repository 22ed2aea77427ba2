package io.reckon.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The hardening corpus ({@code corpus/cases.txt}): bad and hostile inputs to {@code run},
 * {@code sweep} and {@code report} through the real CLI entry point. Each must end with its exit
 * status, one line on stderr that names the problem and holds no Java class name, nothing on
 * stdout, no file in its output folder, the fixtures untouched, and within a time limit.
 */
class CliCorpusTest {
  // a.b.C or a Java exception's name: what a user must never see
  static final Pattern CLASS_NAME = Pattern.compile(
      "\\b(?:java|javax|com|org|io|picocli)\\.[a-z]+\\.|[A-Z][A-Za-z]*(?:Exception|Error)\\b|\\bat [a-z]+\\.");
  private static final Duration LIMIT = Duration.ofSeconds(60);

  @TempDir static Path fixtures;
  @TempDir Path out;

  record Case(String name, int status, String fragment, Map<String, String> settings, List<String> args) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> cases() throws IOException {
    List<Arguments> cases = new ArrayList<>();
    try (InputStream in = CliCorpusTest.class.getResourceAsStream("/corpus/cases.txt")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] f = line.split("\\|", 5);
        Map<String, String> settings = new LinkedHashMap<>();
        if (!f[3].strip().equals("-")) {
          for (String kv : f[3].strip().split(",")) {
            String[] p = kv.split("=", 2);
            settings.put(p[0].strip(), p[1].strip());
          }
        }
        String args = f.length > 4 ? f[4].strip() : "";
        cases.add(Arguments.of(new Case(f[0].strip(), Integer.parseInt(f[1].strip()), f[2].strip(),
            settings, args.isEmpty() ? List.of() : Arrays.asList(args.split("\\s+")))));
      }
    }
    return cases.stream();
  }

  @BeforeAll
  static void writeFixtures() throws IOException {
    String good = "{\"id\": \"a\", \"question\": \"1+2\", \"answer\": \"3\", \"level\": 1}\n"
        + "{\"id\": 7, \"question\": \"4*5-6\", \"answer\": 14, \"level\": 2}\n"
        + "{\"id\": \"c\", \"question\": \"9-3+2\", \"answer\": \"8\", \"level\": 1}\n";
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("good.jsonl", good);
    f.put("empty.jsonl", "");
    f.put("blank.jsonl", "\n   \n\t\n");
    f.put("not-json.jsonl", "this is not json\n");
    f.put("array.jsonl", "[1, 2, 3]\n");
    f.put("trailing.jsonl", "{\"id\": \"a\", \"question\": \"1+2\"}}\n");
    f.put("id-bool.jsonl", "{\"id\": true, \"question\": \"1+2\"}\n");
    f.put("id-float.jsonl", "{\"id\": 1.5, \"question\": \"1+2\"}\n");
    f.put("id-object.jsonl", "{\"id\": {\"x\": 1}, \"question\": \"1+2\"}\n");
    f.put("id-empty.jsonl", "{\"id\": \"  \", \"question\": \"1+2\"}\n");
    f.put("id-missing.jsonl", "{\"question\": \"1+2\"}\n");
    f.put("id-huge.jsonl", "{\"id\": \"" + "x".repeat(5000) + "\", \"question\": \"1+2\"}\n");
    f.put("id-dup.jsonl", "{\"id\": \"a\", \"question\": \"1+2\"}\n{\"id\": \"a\", \"question\": \"2+2\"}\n");
    f.put("q-number.jsonl", "{\"id\": \"a\", \"question\": true}\n");
    f.put("q-missing.jsonl", "{\"id\": \"a\"}\n");
    f.put("q-empty.jsonl", "{\"id\": \"a\", \"question\": \"\"}\n");
    f.put("q-long.jsonl", "{\"id\": \"a\", \"question\": \"" + "1+".repeat(15000) + "1\"}\n");
    f.put("line-long.jsonl", "{\"id\": \"a\", \"question\": \"1+2\", \"pad\": \"" + "x".repeat(1_100_000) + "\"}\n");
    f.put("level-float.jsonl", "{\"id\": \"a\", \"question\": \"1+2\", \"level\": 2.5}\n");
    f.put("answer-object.jsonl", "{\"id\": \"a\", \"question\": \"1+2\", \"answer\": [3]}\n");
    f.put("twenty-digits.jsonl", "{\"id\": \"a\", \"question\": \"12345678901234567890+1\"}\n");
    f.put("overflow.jsonl", "{\"id\": \"a\", \"question\": \"999999999999*999999999999\"}\n");
    f.put("many-ops.jsonl", "{\"id\": \"a\", \"question\": \"" + "1+".repeat(5000) + "1\"}\n");
    f.put("words.jsonl", "{\"id\": \"a\", \"question\": \"What is the capital of France?\"}\n");
    f.put("no-answer.jsonl", "{\"id\": \"a\", \"question\": \"1+2\"}\n{\"id\": \"b\", \"question\": \"2+2\"}\n");
    byte[] badUtf8 = ("{\"id\": \"a\", \"question\": \"1+2\"}\n{\"id\": \"b\", \"question\": \"2+\u0000\"}\n")
        .getBytes(StandardCharsets.UTF_8);
    badUtf8[badUtf8.length - 4] = (byte) 0xC3; // a lead byte followed by an ASCII quote
    f.put("bad-utf8.jsonl", badUtf8);
    String policy = Files.readString(Cli.root().resolve("models/policy.json"));
    f.put("policy-ok.json", policy);
    f.put("summary.json", policy);
    f.put("policy-nan.json", policy.replaceFirst("(\"accuracy\"\\s*:\\s*\\[)\\s*[0-9.]+", "$1 \"NaN\""));
    f.put("policy-big.json", policy.replaceFirst("(\"accuracy\"\\s*:\\s*\\[)\\s*[0-9.]+", "$1 1.5"));
    for (Map.Entry<String, Object> e : f.entrySet()) {
      Path p = fixtures.resolve(e.getKey());
      if (e.getValue() instanceof byte[] bytes) {
        Files.write(p, bytes);
      } else {
        Files.writeString(p, (String) e.getValue(), StandardCharsets.UTF_8);
      }
    }
    assertThat(Files.readString(fixtures.resolve("policy-nan.json"))).contains("\"NaN\"");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void corpusCase(Case c) throws IOException {
    Map<String, byte[]> before = snapshot(fixtures);
    List<String> args = new ArrayList<>();
    for (String a : c.args()) {
      args.add(a.replace("%out", out.toString())
          .replace("LONGNAME", "n".repeat(300))
          .replaceAll("^@", fixtures + "/")
          .replace("=@", "=" + fixtures + "/"));
    }
    c.settings().forEach(System::setProperty);
    ConfigFactory.invalidateCaches();
    Cli.Result r;
    try {
      r = assertTimeoutPreemptively(LIMIT, () -> Cli.reckon(args.toArray(String[]::new)), c.name());
    } finally {
      c.settings().keySet().forEach(System::clearProperty);
      ConfigFactory.invalidateCaches();
    }
    String err = r.err().strip();
    assertThat(r.status()).as(c.name() + ": " + err).isEqualTo(c.status());
    assertThat(err).as(c.name()).contains(c.fragment()).doesNotContain("\n");
    assertThat(CLASS_NAME.matcher(err).find()).as(c.name() + ": no class names in " + err).isFalse();
    assertThat(err.length()).as(c.name() + ": a short message").isLessThan(600);
    assertThat(err).as(c.name() + ": no doubled word").doesNotContainPattern("(?i)\\b([a-z]{2,})\\s+\\1\\b");
    assertThat(r.out()).as(c.name() + ": nothing on stdout").isEmpty();
    try (Stream<Path> left = Files.list(out)) {
      assertThat(left).as(c.name() + ": no output, no temporary file").isEmpty();
    }
    Map<String, byte[]> after = snapshot(fixtures);
    assertThat(after.keySet()).as(c.name() + ": fixtures untouched").isEqualTo(before.keySet());
    before.forEach((k, v) -> assertThat(after.get(k)).as(c.name() + ": " + k + " untouched").isEqualTo(v));
  }

  private static Map<String, byte[]> snapshot(Path dir) throws IOException {
    Map<String, byte[]> m = new LinkedHashMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files.sorted()::iterator) {
        m.put(p.getFileName().toString(), Files.readAllBytes(p));
      }
    }
    return m;
  }
}
