package io.reckon.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.reckon.protocol.openai.ErrorResponse;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The hostile request classes of issue 25, one test each: every one a clean 4xx in OpenAI's
 * shape, with no stack trace and no Jackson class names.
 */
class HostileRequestsTest {
  private static ReckonServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestServers.start(TestServers.settings());
    TestServers.awaitReady(server);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static HttpResponse<String> post(String path, byte[] body) throws Exception {
    return TestServers.HTTP.send(HttpRequest.newBuilder(
            URI.create(TestServers.base(server) + path))
        .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(String path, String body) throws Exception {
    return TestServers.post(server, path, body, null);
  }

  /** A 4xx in OpenAI's shape with nothing of the server's insides in it. */
  private static ErrorResponse.Detail clean(HttpResponse<String> r, int status) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type")).contains("application/json");
    assertThat(r.body()).doesNotContain("\tat ").doesNotContain("Exception")
        .doesNotContain("com.fasterxml").doesNotContain("jackson").doesNotContain("Jackson")
        .doesNotContain("`").doesNotContain("io.reckon");
    ErrorResponse.Detail d = Json.MAPPER.readValue(r.body(), ErrorResponse.class).error();
    assertThat(d.message()).isNotBlank();
    return d;
  }

  @Test
  void aNullBodyIs400() throws Exception {
    for (String path : new String[] {"/v1/completions", "/v1/chat/completions", "/v1/runs"}) {
      assertThat(clean(post(path, "null"), 400).message()).contains("null");
    }
  }

  @Test
  void tenThousandDeepNestingInAnIgnoredFieldIs400() throws Exception {
    String deep = "[".repeat(10_000) + "]".repeat(10_000);
    for (String path : new String[] {"/v1/completions", "/v1/chat/completions"}) {
      String body = "{\"model\":\"reckon\",\"prompt\":\"1+2\",\"messages\":[{\"role\":\"user\","
          + "\"content\":\"1+2\"}],\"user\":" + deep + "}";
      assertThat(clean(post(path, body), 400).message()).contains("nests deeper");
    }
    assertThat(clean(post("/v1/runs", "{\"questions\":[{\"question\":\"1+2\"}],\"x\":" + deep
        + "}"), 400).message()).isNotBlank();
  }

  @Test
  void aNulInARunsDataPathIs400NamingData() throws Exception {
    assertThat(clean(post("/v1/runs", "{\"data\":\"arith/test.jsonl\\u0000.txt\"}"), 400)
        .param()).isEqualTo("data");
  }

  @Test
  void truncatedJsonIs400WithoutParserInternals() throws Exception {
    assertThat(clean(post("/v1/completions", "{\"model\":\"reckon\",\"prompt\":\"1+"), 400)
        .message()).contains("truncated");
    clean(post("/v1/chat/completions", "{\"model\":\"reckon\",\"messages\":[{\"role\""), 400);
  }

  @Test
  void nanAndInfinityAre400() throws Exception {
    assertThat(clean(post("/v1/completions", "{\"model\":\"reckon\",\"prompt\":\"1+2\","
        + "\"temperature\":NaN}"), 400).message()).contains("NaN");
    clean(post("/v1/chat/completions", "{\"model\":\"reckon\",\"messages\":[{\"role\":\"user\","
        + "\"content\":\"1+2\"}],\"reckon\":{\"timeout\":Infinity}}"), 400);
  }

  @Test
  void fractionsWhereWholeNumbersAreExpectedAre400() throws Exception {
    assertThat(clean(post("/v1/completions", "{\"model\":\"reckon\",\"prompt\":\"1+2\","
        + "\"n\":1.5}"), 400).param()).isEqualTo("n");
    assertThat(clean(post("/v1/runs", "{\"questions\":[{\"question\":\"1+2\"}],"
        + "\"budget\":2.5}"), 400).param()).isEqualTo("budget");
    assertThat(clean(post("/v1/chat/completions", "{\"model\":\"reckon\",\"messages\":[{\"role\":"
        + "\"user\",\"content\":\"1+2\"}],\"reckon\":{\"budget\":4.5}}"), 400).param())
        .isEqualTo("reckon.budget");
  }

  @Test
  void booleansWhereNumbersOrStringsAreExpectedAre400() throws Exception {
    assertThat(clean(post("/v1/runs", "{\"questions\":[{\"id\":true,\"question\":\"1+2\"}]}"),
        400).param()).isEqualTo("questions[0].id");
    assertThat(clean(post("/v1/completions", "{\"model\":\"reckon\",\"prompt\":\"1+2\","
        + "\"n\":true}"), 400).param()).isEqualTo("n");
    assertThat(clean(post("/v1/completions", "{\"model\":false,\"prompt\":\"1+2\"}"), 400)
        .param()).isEqualTo("model");
    assertThat(clean(post("/v1/completions", "{\"model\":\"reckon\",\"prompt\":\"1+2\","
        + "\"stream\":1}"), 400).param()).isEqualTo("stream");
  }

  @Test
  void overlongUtf8IsRefused() throws Exception {
    // "1+2" with the '+' as the overlong two-byte form C0 AB (and a NUL as C0 80).
    byte[] body = {'{', '"', 'm', 'o', 'd', 'e', 'l', '"', ':', '"', 'r', 'e', 'c', 'k', 'o', 'n',
        '"', ',', '"', 'p', 'r', 'o', 'm', 'p', 't', '"', ':', '"', '1', (byte) 0xC0,
        (byte) 0xAB, '2', (byte) 0xC0, (byte) 0x80, '"', '}'};
    assertThat(clean(post("/v1/completions", body), 400).message()).contains("UTF-8");
    // A lone surrogate encoded in UTF-8 (ED A0 80), too.
    byte[] surrogate = "{\"model\":\"reckon\",\"prompt\":\"1+2X\"}".getBytes();
    byte[] withSurrogate = new byte[surrogate.length + 2];
    int x = new String(surrogate).indexOf('X');
    System.arraycopy(surrogate, 0, withSurrogate, 0, x);
    withSurrogate[x] = (byte) 0xED;
    withSurrogate[x + 1] = (byte) 0xA0;
    withSurrogate[x + 2] = (byte) 0x80;
    System.arraycopy(surrogate, x + 1, withSurrogate, x + 3, surrogate.length - x - 1);
    clean(post("/v1/completions", withSurrogate), 400);
  }

  @Test
  void aPromptListBeyondTheLimitOrStreamedIsACleanBadRequest() throws Exception {
    StringBuilder many = new StringBuilder("[");
    for (int i = 0; i < PromptList.MAX_PROMPTS + 1; i++) {
      many.append(i == 0 ? "" : ",").append("\"1+").append(i).append('"');
    }
    many.append(']');
    assertThat(clean(post("/v1/completions", "{\"model\":\"reckon\",\"prompt\":" + many + "}"),
        400).message()).contains("at most " + PromptList.MAX_PROMPTS);
    assertThat(clean(post("/v1/completions", "{\"model\":\"reckon\",\"prompt\":[\"1+2\",\"2+3\"],"
        + "\"stream\":true}"), 400).param()).isEqualTo("prompt");
  }

  @Test
  void aNonTextContentPartIs400NamingThePart() throws Exception {
    ErrorResponse.Detail d = clean(post("/v1/chat/completions", "{\"model\":\"reckon\","
        + "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"1+2\"},"
        + "{\"type\":\"input_audio\",\"input_audio\":{\"data\":\"AAAA\",\"format\":\"wav\"}}]}]}"),
        400);
    assertThat(d.param()).isEqualTo("messages[0].content[1]");
    assertThat(d.message()).contains("input_audio");
  }

  @Test
  void failuresARetryCannotFixSayShouldRetryFalse() throws Exception {
    HttpResponse<String> r = post("/v1/chat/completions", "{\"model\":\"reckon/best-of-n@64\","
        + "\"messages\":[{\"role\":\"user\",\"content\":\"12+7*3-4*5+6\"}],"
        + "\"reckon\":{\"timeout\":0.001}}");
    if (r.statusCode() == 504) {
      assertThat(r.headers().firstValue("x-should-retry")).contains("false");
    }
    assertThat(Errors.response(new ApiException(500, "server_error", null, "x", "y")).getHeader(
        "x-should-retry").orElseThrow().value()).isEqualTo("false");
    assertThat(Errors.response(new ApiException(504, "timeout", null, "x", "y")).getHeader(
        "x-should-retry").orElseThrow().value()).isEqualTo("false");
    // Every 429 says when to come back.
    assertThat(Errors.response(new ApiException(429, "requests", null, "x", "y")).getHeader(
        "Retry-After")).isPresent();
  }

  @Test
  void everyFieldIsBoundedBeforeTheQuestionIsParsed() throws Exception {
    // 300 kB of spaces after a term: what froze the dispatcher, now one length comparison.
    String huge = "1+" + " ".repeat(300_000) + "2";
    assertThat(clean(post("/v1/completions", "{\"model\":\"reckon\",\"prompt\":\"" + huge
        + "\"}"), 400).message()).contains("reckon.limits.max-question-chars");
    assertThat(clean(post("/v1/chat/completions", "{\"model\":\"reckon\",\"messages\":[{"
        + "\"role\":\"user\",\"content\":\"" + huge + "\"}]}"), 400).param())
        .isEqualTo("messages[0].content");
    assertThat(clean(post("/v1/runs", "{\"questions\":[{\"question\":\"" + huge + "\"}]}"),
        400).param()).isEqualTo("questions[0].question");
    assertThat(clean(post("/v1/runs", "{\"questions\":[{\"question\":\"1+2\",\"answer\":\""
        + "3".repeat(2000) + "\"}]}"), 400).param()).isEqualTo("questions[0].answer");
    assertThat(clean(post("/v1/completions", "{\"model\":\"reckon\",\"prompt\":\"1+2\","
        + "\"stop\":[\"" + "x".repeat(2000) + "\"]}"), 400).param()).isEqualTo("stop[0]");
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 300; i++) {
      many.append(i == 0 ? "" : ",").append("{\"role\":\"user\",\"content\":\"1+2\"}");
    }
    assertThat(clean(post("/v1/chat/completions", "{\"model\":\"reckon\",\"messages\":["
        + many + "]}"), 400).param()).isEqualTo("messages");
  }

  @Test
  void getModelByIdAnswersOrIs404() throws Exception {
    HttpResponse<String> r = TestServers.get(server, "/v1/models/reckon%2Fbeam:m=4@8");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(Json.MAPPER.readTree(r.body()).get("id").asText()).isEqualTo("reckon/beam:m=4@8");
    assertThat(clean(TestServers.get(server, "/v1/models/gpt-4o"), 404).code())
        .isEqualTo("model_not_found");
  }
}
