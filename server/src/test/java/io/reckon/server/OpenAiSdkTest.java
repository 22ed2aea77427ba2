package io.reckon.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionContentPartImage;
import com.openai.models.chat.completions.ChatCompletionContentPartText;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionChoice;
import com.openai.models.completions.CompletionCreateParams;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The OpenAI-compatible endpoint, driven by the official OpenAI Java SDK. */
class OpenAiSdkTest {
  private static ReckonServer server;
  private static OpenAIClient client;

  @BeforeAll
  static void start() throws Exception {
    server = TestServers.start(TestServers.settings());
    TestServers.awaitReady(server);
    client = OpenAIOkHttpClient.builder()
        .baseUrl(TestServers.base(server) + "/v1")
        .apiKey("unused-on-loopback")
        .maxRetries(0)
        .timeout(Duration.ofSeconds(60))
        .build();
  }

  @AfterAll
  static void stop() {
    client.close();
    server.close();
  }

  @Test
  void chatContentAsAnArrayOfTextPartsIsTheQuestion() {
    ChatCompletion chat = client.chat().completions().create(ChatCompletionCreateParams.builder()
        .model("reckon/best-of-n@4")
        .addUserMessageOfArrayOfContentParts(List.of(ChatCompletionContentPart.ofText(
            ChatCompletionContentPartText.builder().text("12+7*3").build())))
        .build());
    assertThat(chat.choices().get(0).message().content().orElseThrow()).contains("A: 33");
    // An image part is refused, naming the part.
    assertThatThrownBy(() -> client.chat().completions().create(ChatCompletionCreateParams
        .builder().model("reckon/best-of-n@4")
        .addUserMessageOfArrayOfContentParts(List.of(
            ChatCompletionContentPart.ofText(ChatCompletionContentPartText.builder()
                .text("12+7*3").build()),
            ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder()
                .imageUrl(ChatCompletionContentPartImage.ImageUrl.builder()
                    .url("https://example.com/x.png").build()).build())))
        .build()))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("messages[0].content[1]").hasMessageContaining("image_url");
  }

  @Test
  void aListOfPromptsGetsOneChoiceSetPerPromptNumberedAsOpenAiDoes() {
    Completion c = client.completions().create(CompletionCreateParams.builder()
        .model("reckon/best-of-n@4").promptOfArrayOfStrings(List.of("12+7*3", "2*3+4", "9-5"))
        .n(2).build());
    // Prompt k's choices are numbered k*n + rank: each prompt's solutions in its own range (a
    // solution's steps work on its question's numbers).
    for (CompletionChoice choice : c.choices()) {
      String operands = List.of("7*3", "2*3", "9-5").get((int) (choice.index() / 2));
      assertThat(choice.text()).as("choice " + choice.index()).contains(operands).contains("A:");
    }
    assertThat(c.choices().stream().map(CompletionChoice::index).toList())
        .contains(0L, 2L, 4L).allMatch(i -> i < 6);
    assertThat(c.usage().orElseThrow().completionTokens()).isGreaterThan(0);
  }

  @Test
  void modelsRetrieveNamesListedAndComposedModels() {
    assertThat(client.models().retrieve("reckon").id()).isEqualTo("reckon");
    assertThat(client.models().retrieve("reckon/beam:m=4").id()).isEqualTo("reckon/beam:m=4");
    assertThat(client.models().retrieve("reckon/best-of-n@8").id()).isEqualTo("reckon/best-of-n@8");
    assertThatThrownBy(() -> client.models().retrieve("gpt-4o"))
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void completionAnswersWithTheSearchAndCountsEveryToken() {
    Completion c = client.completions().create(CompletionCreateParams.builder()
        .model("reckon/best-of-n@4").prompt("12+7*3").build());
    assertThat(c.choices()).hasSize(1);
    String text = c.choices().get(0).text();
    assertThat(text).contains("A:");
    assertThat(c.choices().get(0).index()).isZero();
    assertThat(c.usage()).isPresent();
    // Four samples each read the prompt and wrote a solution.
    assertThat(c.usage().get().completionTokens()).isGreaterThan(0);
    assertThat(c.usage().get().totalTokens())
        .isEqualTo(c.usage().get().promptTokens() + c.usage().get().completionTokens());
    Map<String, JsonValue> extra = c._additionalProperties();
    @SuppressWarnings("unchecked")
    Map<String, Object> reckon = (Map<String, Object>) extra.get("reckon").convert(Map.class);
    assertThat(reckon).containsEntry("strategy", "best-of-n:sel=weighted,agg=last")
        .containsEntry("pooled", false);
    assertThat(((Number) reckon.get("generations")).intValue()).isBetween(1, 4);
    assertThat((List<?>) reckon.get("candidates")).isNotEmpty();
  }

  @Test
  void chatWithNReturnsDistinctAnswersOfTheVote() {
    ChatCompletion chat = client.chat().completions().create(ChatCompletionCreateParams.builder()
        .model("reckon/best-of-n@16")
        .addSystemMessage("Answer the arithmetic question.")
        .addUserMessage("Q: 48*7-19+63*2-5")
        .n(3)
        .build());
    assertThat(chat.choices()).isNotEmpty().hasSizeLessThanOrEqualTo(3);
    Set<String> answers = new HashSet<>();
    for (int i = 0; i < chat.choices().size(); i++) {
      ChatCompletion.Choice choice = chat.choices().get(i);
      assertThat(choice.index()).isEqualTo(i);
      assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
      String content = choice.message().content().orElseThrow();
      String last = content.substring(content.lastIndexOf('\n') + 1);
      assertThat(answers.add(last)).as("choice %d repeats an answer: %s", i, last).isTrue();
    }
  }

  @Test
  void streamingSendsRoleThenContentThenFinishThenUsage() {
    ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
        .model("reckon/beam:m=4@8")
        .addUserMessage("37*4+129-56")
        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
        .build();
    List<ChatCompletionChunk> chunks = new ArrayList<>();
    try (StreamResponse<ChatCompletionChunk> stream =
        client.chat().completions().createStreaming(params)) {
      stream.stream().forEach(chunks::add);
    }
    assertThat(chunks.size()).isGreaterThanOrEqualTo(4);
    assertThat(chunks.get(0).choices().get(0).delta().role()).isPresent();
    StringBuilder content = new StringBuilder();
    ChatCompletionChunk.Choice.FinishReason finish = null;
    for (ChatCompletionChunk chunk : chunks) {
      for (ChatCompletionChunk.Choice choice : chunk.choices()) {
        choice.delta().content().ifPresent(content::append);
        if (choice.finishReason().isPresent()) {
          finish = choice.finishReason().get();
        }
      }
    }
    assertThat(content.toString()).contains("A:");
    assertThat(finish).isEqualTo(ChatCompletionChunk.Choice.FinishReason.STOP);
    ChatCompletionChunk last = chunks.get(chunks.size() - 1);
    assertThat(last.choices()).isEmpty();
    assertThat(last.usage()).isPresent();
    assertThat(last.usage().get().totalTokens()).isGreaterThan(0);
    // Usage only in the last chunk.
    assertThat(chunks.subList(0, chunks.size() - 1)).allMatch(k -> k.usage().isEmpty());
  }

  @Test
  void completionStreamsWithoutUsageUnlessAsked() {
    List<com.openai.models.completions.Completion> chunks = new ArrayList<>();
    try (StreamResponse<Completion> stream = client.completions().createStreaming(
        CompletionCreateParams.builder().model("reckon/best-of-n@4").prompt("9*9-1").build())) {
      stream.stream().forEach(chunks::add);
    }
    assertThat(chunks).isNotEmpty().allMatch(k -> k.usage().isEmpty());
    StringBuilder text = new StringBuilder();
    chunks.forEach(k -> k.choices().forEach(ch -> text.append(ch.text())));
    assertThat(text.toString()).contains("A: 80");
  }

  @Test
  void theReckonFieldChoosesTheSearchAndItsErrorsNameTheField() {
    Completion c = client.completions().create(CompletionCreateParams.builder()
        .model("reckon").prompt("3+4*5")
        .putAdditionalBodyProperty("reckon", JsonValue.from(Map.of("strategy", "best-of-n",
            "budget", 2)))
        .build());
    assertThat(c.choices().get(0).text()).contains("A: 23");

    assertThatThrownBy(() -> client.completions().create(CompletionCreateParams.builder()
        .model("reckon").prompt("3+4*5")
        .putAdditionalBodyProperty("reckon", JsonValue.from(Map.of("strategy", "telepathy")))
        .build()))
        .isInstanceOfSatisfying(BadRequestException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(400);
          assertThat(e.param()).contains("reckon.strategy");
          assertThat(e.getMessage()).contains("telepathy");
        });
    assertThatThrownBy(() -> client.chat().completions().create(ChatCompletionCreateParams.builder()
        .model("gpt-4o").addUserMessage("3+4").build()))
        .isInstanceOfSatisfying(NotFoundException.class,
            e -> assertThat(e.code()).contains("model_not_found"));
  }
}
