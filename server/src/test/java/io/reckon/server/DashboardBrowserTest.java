package io.reckon.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import io.reckon.protocol.Continuation;
import io.reckon.protocol.GenerateReply;
import io.reckon.protocol.GenerateRequest;
import io.reckon.runtime.Proposer;
import io.reckon.runtime.synthetic.SyntheticReasoner;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in a real browser: headless Chromium opens the page while a small synthetic run
 * goes, and the DOM it renders shows the run finished. A screenshot lands in
 * {@code target/dashboard.png}. Skipped, saying how to install it, where Chromium is missing.
 */
class DashboardBrowserTest {
  @TempDir Path profile;

  static Path chromium() {
    String configured = System.getenv("CHROMIUM");
    List<String> candidates = new ArrayList<>();
    if (configured != null) {
      candidates.add(configured);
    }
    candidates.addAll(List.of("/usr/bin/chromium", "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome"));
    return candidates.stream().map(Path::of).filter(Files::isExecutable).findFirst().orElse(null);
  }

  private String browse(Path chromium, String url, String... extra) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox",
        "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
        "--user-data-dir=" + Files.createTempDirectory(profile, "chromium-"),
        "--virtual-time-budget=15000", "--window-size=1400,1000"));
    cmd.addAll(List.of(extra));
    cmd.add(url);
    Path out = Files.createTempFile(profile, "out-", ".html");
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile())
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("chromium did not finish in 120 s: " + cmd);
    }
    return Files.readString(out, StandardCharsets.UTF_8);
  }

  /** What an attacker puts in every field the dashboard shows: script, if it were parsed. */
  static final String PAYLOAD = "<img src=x onerror=\"document.body.dataset.pwned='yes'\">";

  /** The synthetic reasoner whose every final answer is {@link #PAYLOAD}. */
  static final class HostileProposer implements Proposer {
    private final SyntheticReasoner model = new SyntheticReasoner();

    @Override
    public List<GenerateReply> generate(List<GenerateRequest> batch) {
      return model.generate(batch).stream().map(r -> new GenerateReply(r.requestId(),
          r.continuations().stream().map(c -> new Continuation(c.steps().stream()
              .map(step -> step.strip().startsWith("A:") ? "A: " + PAYLOAD : step).toList(),
              c.finished(), c.tokens(), c.logProb())).toList(),
          r.promptTokens(), r.generatedTokens(), r.flops())).toList();
    }

    @Override
    public long parameters() {
      return model.parameters();
    }

    @Override
    public String name() {
      return model.name();
    }
  }

  /**
   * Stored XSS: a question file whose ids and expected answers are markup, answered by a model
   * whose answers are markup. The page shows them as text (escaped in the DOM), no element of
   * theirs exists and no script of theirs ran.
   */
  @Test
  void hostileIdsAndAnswersRenderAsTextAndRunNoScript() throws Exception {
    Path chromium = chromium();
    Assumptions.assumeTrue(chromium != null, "Chromium is not installed: the XSS browser test is "
        + "skipped; install it with 'apt-get install -y chromium' or set CHROMIUM");
    Path data = Files.createTempDirectory(profile, "data-");
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < 3; i++) {
      lines.append(Json.writeString(java.util.Map.of("id", PAYLOAD + i, "question",
          (3 + i) + "*7+" + i, "answer", PAYLOAD))).append('\n');
    }
    Files.writeString(data.resolve("hostile.jsonl"), lines);
    ServerSettings settings = TestServers.settings().withDataDir(data);
    try (ReckonServer server = TestServers.start(settings, new HostileProposer(), 1)) {
      TestServers.awaitReady(server);
      String runId = RunsApiTest.submit(server,
          "{\"data\":\"hostile.jsonl\",\"strategy\":\"best-of-n\",\"budget\":2}");
      String dom = browse(chromium, TestServers.base(server) + "/#run=" + runId, "--dump-dom");
      assertThat(dom).contains("id=\"run-state\" data-state=\"finished\">finished<");
      // The values are there, as text: Chromium's serializer escapes them.
      assertThat(dom).contains("&lt;img src=x onerror=\"document.body.dataset.pwned='yes'\"&gt;0");
      assertThat(dom).contains("<td>&lt;img src=x onerror=");
      // No element came of them, and nothing ran.
      assertThat(dom).doesNotContain("<img").doesNotContain("data-pwned");
    } catch (IOException e) {
      throw new AssertionError("could not run chromium: " + e, e);
    }
  }

  @Test
  void thePageShowsASubmittedRunFinishing() throws Exception {
    Path chromium = chromium();
    Assumptions.assumeTrue(chromium != null, "Chromium is not installed, so the dashboard's "
        + "browser test is skipped: install it with 'apt-get install -y chromium' (Debian) or set "
        + "CHROMIUM to a Chrome or Chromium binary");
    try (ReckonServer server = TestServers.start(TestServers.settings())) {
      TestServers.awaitReady(server);
      String runId = RunsApiTest.submit(server, "{\"questions\":" + RunsApiTest.questions(12)
          + ",\"strategy\":\"best-of-n\",\"budget\":4}");
      String url = TestServers.base(server) + "/#run=" + runId;
      String dom = browse(chromium, url, "--dump-dom");
      assertThat(dom).contains("id=\"run-id\">" + runId + "<");
      assertThat(dom).contains("id=\"run-state\" data-state=\"finished\">finished<");
      assertThat(dom).contains("id=\"run-done\">12 / 12<");
      // The chart library rendered from the jar, and the latest answers are listed.
      assertThat(dom).contains("class=\"uplot");
      assertThat(dom).contains("<td>t11</td>");
      Path shot = Path.of("target", "dashboard.png").toAbsolutePath();
      Files.createDirectories(shot.getParent());
      Files.deleteIfExists(shot);
      browse(chromium, url, "--screenshot=" + shot);
      assertThat(shot).exists();
      assertThat(Files.size(shot)).isGreaterThan(10_000);
    } catch (IOException e) {
      throw new AssertionError("could not run chromium: " + e, e);
    }
  }
}
