package io.reckon.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.reckon.actors.ReckonSettings;
import io.reckon.runtime.UserMessages;
import io.reckon.search.policy.Policy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random and adversarial settings, policies and sweeps: each gives a valid value or one line of
 * bad input (after {@link UserMessages#scrub}, as the CLI prints it) without a class name; never
 * another exception.
 */
@Timeout(120)
class ConfigAndPolicyFuzzTest {
  private static final List<String> KEYS = List.of(
      "reckon.run.concurrency", "reckon.run.workers-timeout", "reckon.run.stats-timeout",
      "reckon.run.lost-question-grace", "reckon.question.probe-samples",
      "reckon.question.request-timeout", "reckon.question.max-retries",
      "reckon.question.grant-timeout", "reckon.question.timeout", "reckon.question.probe-strategy",
      "reckon.workers.count", "reckon.workers.batch-size", "reckon.workers.linger",
      SettingsCheck.BLOCKING_THREADS, "reckon.limits.max-line-bytes", "reckon.limits.max-budget",
      "reckon.limits.max-question-chars", "reckon.limits.max-questions", "reckon.limits.max-file-bytes",
      "reckon.limits.max-workers", "reckon.scheduler.gain.decisive-confidence", "reckon.progress.interval");
  private static final List<String> VALUES = List.of(
      "0", "1", "-1", "0s", "1ms", "-5s", "30s", "soon", "\"\"", "2147483648", "99999999999999999999",
      "1.5", "NaN", "true", "[]", "{}", "\"beam:m=0\"", "\"best-of-n\"", "10m", "1KiB", "3GiB", "null");

  @Test
  void randomSettingsAreValidOrOneLine() {
    Config base = ConfigFactory.load();
    SplittableRandom rnd = new SplittableRandom(23);
    int valid = 0;
    for (int i = 0; i < 1_500; i++) {
      StringBuilder overrides = new StringBuilder();
      for (int k = rnd.nextInt(1, 4); k > 0; k--) {
        overrides.append(KEYS.get(rnd.nextInt(KEYS.size()))).append(" = ")
            .append(VALUES.get(rnd.nextInt(VALUES.size()))).append('\n');
      }
      try {
        Config c = ConfigFactory.parseString(overrides.toString()).withFallback(base).resolve();
        ReckonSettings.from(c);
        Limits.from(c);
        SettingsCheck.require(c);
        valid++;
      } catch (ConfigException | IllegalArgumentException e) {
        assertOneLine(overrides.toString(), "configuration: " + e.getMessage());
      } catch (RuntimeException e) {
        fail(overrides + " threw " + e);
      }
    }
    assertThat(valid).isGreaterThan(10);
  }

  @Test
  void mutatedPoliciesAreValidOrOneLine(@TempDir Path dir) throws IOException {
    String policy = Files.readString(Cli.root().resolve("models/policy.json"));
    SplittableRandom rnd = new SplittableRandom(31);
    String[] inserts = {"\"NaN\"", "1.5", "-0.1", "null", "[]", "{}", "\"x\"", "99999999999", "true",
        "1e999", "\"beam:m=0\"", "\"lookahead:k=1000000\"", ",", "]", "}", "\"", ":"};
    int valid = 0;
    for (int i = 0; i < 600; i++) {
      String text = policy;
      for (int k = rnd.nextInt(1, 3); k > 0; k--) {
        int at = rnd.nextInt(text.length());
        int len = rnd.nextInt(0, 12);
        text = text.substring(0, at) + inserts[rnd.nextInt(inserts.length)]
            + text.substring(Math.min(text.length(), at + len));
      }
      Path f = dir.resolve("p.json");
      Files.writeString(f, text);
      try {
        Policy p = PolicyFiles.readPolicy(f);
        p.choose(1, 16);
        valid++;
      } catch (Main.BadInput e) {
        assertOneLine(text.substring(0, Math.min(80, text.length())), e.getMessage());
      } catch (RuntimeException e) {
        fail("mutation " + i + " threw " + e);
      }
      try {
        PolicyFiles.readSweep(f); // a policy is never a sweep: always one line
        fail("a policy read as a sweep");
      } catch (Main.BadInput e) {
        assertOneLine("sweep", e.getMessage());
      }
    }
    assertThat(valid).as("some mutations stay valid").isGreaterThan(0);
  }

  @Test
  void messagesAreScrubbedOfJavaAndJackson() {
    assertThat(UserMessages.scrub("Cannot deserialize value of type `io.reckon.search.policy.Policy` "
        + "from Array value (token `JsonToken.START_ARRAY`)"))
        .isEqualTo("Cannot deserialize value of type Policy from an array");
    assertThat(UserMessages.scrub("Unexpected character at [Source: REDACTED "
        + "(`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 2]"))
        .doesNotContain("REDACTED").doesNotContain("StreamReadFeature");
    assertThat(UserMessages.scrub("java.io.IOException: Is a directory")).isEqualTo("Is a directory");
    assertThat(UserMessages.io(new java.nio.file.AccessDeniedException("/x"))).isEqualTo("permission denied");
    assertThat(UserMessages.io(new java.io.IOException("Is a directory"))).isEqualTo("is a directory");
  }

  static void assertOneLine(String input, String message) {
    String shown = UserMessages.scrub(message);
    assertThat(shown).as(input).isNotBlank().doesNotContain("\n");
    assertThat(shown.length()).as(input).isLessThan(600);
    assertThat(CliCorpusTest.CLASS_NAME.matcher(shown).find()).as(input + " -> " + shown).isFalse();
  }
}
