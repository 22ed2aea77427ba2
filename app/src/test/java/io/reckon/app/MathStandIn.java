package io.reckon.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.reckon.search.task.Task;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An OpenAI-compatible stand-in for vLLM serving a real instruction-tuned math model and its PRM,
 * bound to a loopback port: {@code /v1/completions} (a policy prompt rendered through the
 * family's chat template, {@code n}, {@code stop}; or a token-probability PRM's {@code echo} +
 * {@code logprobs} request), {@code /v1/chat/completions} (system and user messages, the steps so
 * far as an assistant message continued with {@code continue_final_message}) and {@code /pooling}
 * (Qwen2.5-Math-PRM's {@code <extra_0>} rows).
 *
 * <p>Its "model" answers MATH-500 questions from a known truth table, in the Llama-3.x
 * (search-and-learn: "## Step n:" steps, "Therefore, the final answer is: $\boxed{…}$") or the
 * Qwen2.5-Math format, each step spanning two lines, steps separated by a blank line:
 *
 * <ul>
 *   <li>{@link Kind#RIGHT}: every sample right, the answer written in rotating equivalent forms
 *       ({@code \frac{1}{2}}, {@code \frac12}, {@code 0.5}, {@code \dfrac{1}{2}});
 *   <li>{@link Kind#WRONG}: every sample states the same wrong answer;
 *   <li>{@link Kind#MERGE}: every third sample wrong (the same string), the others right in three
 *       different forms: the wrong string outnumbers each right form, so only a vote that merges
 *       equivalent answers picks the right one.
 * </ul>
 *
 * <p>Every request is checked against the expected family: the exact chat-template text with the
 * preset's system prompt, the family's stop string, the PRM's layout, and every step a PRM is
 * asked to score is one of the model's steps as written (cut at the blank line, not at a line).
 * What does not fit is recorded in {@link #violations} and answered with 400.
 *
 * <p>Step scores are known: step k (from 0) scores {@code 0.9 - 0.1 k}, however the PRM is asked.
 */
final class MathStandIn implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  enum Family { LLAMA, QWEN }

  enum Kind { RIGHT, WRONG, MERGE }

  record Item(String id, String question, String answer, Kind kind, List<String> forms, String wrong) {
    /** What grading must say. */
    boolean correct() {
      return kind != Kind.WRONG;
    }
  }

  static final String LLAMA_SYSTEM = "Solve the following math problem efficiently and clearly:\n\n"
      + "- For simple problems (2 steps or fewer):\nProvide a concise solution with minimal explanation.\n\n"
      + "- For complex problems (3 steps or more):\nUse this step-by-step format:\n\n"
      + "## Step 1: [Concise description]\n[Brief explanation and calculations]\n\n"
      + "## Step 2: [Concise description]\n[Brief explanation and calculations]\n\n...\n\n"
      + "Regardless of the approach, always conclude with:\n\n"
      + "Therefore, the final answer is: $\\boxed{answer}$. I hope it is correct.\n\n"
      + "Where [answer] is just the final number or expression that solves the problem.";
  static final String QWEN_SYSTEM = "Please reason step by step, and put your final answer within \\boxed{}.";

  private static final String LLAMA_HEAD = "<|start_header_id|>system<|end_header_id|>\n\n"
      + "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n";
  private static final String LLAMA_USER = "<|start_header_id|>user<|end_header_id|>\n\n";
  private static final String LLAMA_ASSISTANT = "<|start_header_id|>assistant<|end_header_id|>\n\n";
  private static final String EOT = "<|eot_id|>";
  private static final String IM_USER = "<|im_start|>user\n";
  private static final String IM_ASSISTANT = "<|im_start|>assistant\n";
  private static final String IM_END = "<|im_end|>";

  private static final List<String> LLAMA_STEPS = List.of(
      "## Step 1: Understand the problem\nWe read what is given and what is asked.",
      "## Step 2: Carry out the computation\nWe compute carefully and check each line.");
  private static final List<String> QWEN_STEPS = List.of(
      "To solve this problem, we first list what is given.\nThen we decide how to combine it.",
      "Carrying out the computation:\neverything checks out.");

  // A token is a special token, a run of line breaks, an optional space and a word, digit, the
  // Math-Shepherd tag or one other character, or a run of spaces: like a BPE tokenizer, a space
  // is part of the token after it.
  private static final Pattern TOKEN = Pattern.compile(
      "<\\|[a-z_0-9]+\\|>|\\n+| ?ки| ?[A-Za-z]+| ?[0-9]| ?[^\\sA-Za-z0-9]| +|\\s");

  final Family family;
  private final Map<String, Item> byQuestion = new LinkedHashMap<>();
  private final Map<String, AtomicInteger> samples = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> rightSamples = new ConcurrentHashMap<>();
  private final HttpServer server;
  private final ExecutorService threads = Executors.newFixedThreadPool(8);

  final List<String> violations = new CopyOnWriteArrayList<>();
  final AtomicInteger policyCalls = new AtomicInteger();
  final AtomicInteger chatCalls = new AtomicInteger();
  final AtomicInteger oneStepCalls = new AtomicInteger();
  final AtomicInteger poolingCalls = new AtomicInteger();
  final AtomicInteger rlhflowCalls = new AtomicInteger();
  final AtomicInteger shepherdCalls = new AtomicInteger();
  final AtomicInteger scoredSteps = new AtomicInteger();
  /** Distinct answer strings the model wrote, per question id. */
  final Map<String, java.util.Set<String>> written = new ConcurrentHashMap<>();

  MathStandIn(Family family, List<Item> items) throws IOException {
    this.family = family;
    for (Item item : items) {
      byQuestion.put(item.question(), item);
    }
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(threads);
    server.createContext("/v1/completions", ex -> handle(ex, this::completions));
    server.createContext("/v1/chat/completions", ex -> handle(ex, this::chat));
    server.createContext("/pooling", ex -> handle(ex, this::pooling));
    server.start();
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  Item item(String id) {
    return byQuestion.values().stream().filter(i -> i.id().equals(id)).findFirst().orElseThrow();
  }

  /**
   * The first {@code count} MATH-500 questions with a truth table: every fifth (from the second)
   * wrong, up to {@code merges} of those whose answer has three equivalent spellings merged-or-not,
   * the rest right.
   */
  static List<Item> items(int count, int merges, Task task) throws IOException {
    List<Item> out = new ArrayList<>();
    int merged = 0;
    for (String line : Files.readAllLines(Cli.root().resolve("data/math500/test.jsonl")).subList(0, count)) {
      JsonNode n = JSON.readTree(line);
      String answer = n.get("answer").asText();
      List<String> forms = forms(answer, task);
      String wrong = wrong(answer, task);
      Kind kind;
      if (out.size() % 5 == 1) {
        kind = Kind.WRONG;
      } else if (merged < merges && forms.size() >= 3) {
        kind = Kind.MERGE;
        merged++;
      } else {
        kind = Kind.RIGHT;
      }
      out.add(new Item(n.get("id").asText(), n.get("question").asText(), answer, kind, forms, wrong));
    }
    if (merged < merges) {
      throw new IllegalStateException("only " + merged + " questions can be written three ways");
    }
    return out;
  }

  /** The answer and the equivalent spellings the grader accepts (checked, not assumed). */
  static List<String> forms(String answer, Task task) {
    List<String> candidates = new ArrayList<>();
    candidates.add(answer);
    Matcher frac = Pattern.compile("(-?)\\\\frac\\{(\\d+)\\}\\{(\\d+)\\}").matcher(answer);
    if (frac.matches()) {
      String sign = frac.group(1);
      long a = Long.parseLong(frac.group(2));
      long b = Long.parseLong(frac.group(3));
      if (a < 10 && b < 10) {
        candidates.add(sign + "\\frac" + a + b);
      }
      candidates.add(sign + "\\dfrac{" + a + "}{" + b + "}");
      long d = b;
      while (d % 2 == 0) {
        d /= 2;
      }
      while (d % 5 == 0) {
        d /= 5;
      }
      if (d == 1) {
        candidates.add(sign + new java.math.BigDecimal(a).divide(new java.math.BigDecimal(b)).toPlainString());
      }
    } else if (answer.matches("-?\\d+")) {
      candidates.add(answer + ".0");
      candidates.add("\\frac{" + (2 * Long.parseLong(answer)) + "}{2}");
    } else {
      candidates.add(answer.replace(" ", ""));
      candidates.add("\\left(" + answer + "\\right)");
    }
    List<String> forms = new ArrayList<>();
    for (String c : candidates) {
      if (!forms.contains(c) && task.equivalent(c, answer)) {
        forms.add(c);
      }
    }
    return forms;
  }

  private static String wrong(String answer, Task task) {
    for (String w : List.of("1234567", "-98765", "\\frac{3}{11}")) {
      if (!task.equivalent(w, answer)) {
        return w;
      }
    }
    throw new IllegalStateException("no wrong answer for " + answer);
  }

  // ----- the model -------------------------------------------------------------------------

  private List<String> steps() {
    return family == Family.LLAMA ? LLAMA_STEPS : QWEN_STEPS;
  }

  private String answerStep(String answer) {
    return family == Family.LLAMA
        ? "Therefore, the final answer is: $\\boxed{" + answer + "}$. I hope it is correct."
        : "So the final answer is $\\boxed{" + answer + "}$.";
  }

  /** The next sample's answer for the question, by the truth table. */
  private String nextAnswer(Item item) {
    int k = samples.computeIfAbsent(item.id(), x -> new AtomicInteger()).getAndIncrement();
    String a;
    if (item.kind() == Kind.WRONG || (item.kind() == Kind.MERGE && k % 3 == 0)) {
      a = item.wrong();
    } else {
      int r = rightSamples.computeIfAbsent(item.id(), x -> new AtomicInteger()).getAndIncrement();
      a = item.forms().get(r % item.forms().size());
    }
    written.computeIfAbsent(item.id(), x -> ConcurrentHashMap.newKeySet()).add(a);
    return a;
  }

  /** Every step the model writes for some answer, to check what PRMs are asked to score. */
  private boolean isModelStep(String step) {
    return steps().contains(step) || step.startsWith(answerStep("").substring(0, 20));
  }

  /**
   * One choice: the rest of the solution after {@code done} steps; with the delimiter as a stop
   * sequence, only the next step (the stop string not included, as vLLM does).
   */
  private void choice(ArrayNode choices, int index, Item item, int done, boolean oneStep, boolean chat) {
    List<String> rest = new ArrayList<>(steps().subList(Math.min(done, steps().size()), steps().size()));
    String text;
    String stopReason = null;
    if (oneStep && !rest.isEmpty()) {
      text = rest.get(0);
      stopReason = "\n\n";
    } else if (oneStep) {
      text = answerStep(nextAnswer(item));
    } else {
      rest.add(answerStep(nextAnswer(item)));
      text = String.join("\n\n", rest);
    }
    ObjectNode c = choices.addObject();
    c.put("index", index);
    if (chat) {
      c.putObject("message").put("role", "assistant").put("content", text);
    } else {
      c.put("text", text);
    }
    c.putNull("logprobs");
    c.put("finish_reason", "stop");
    if (stopReason != null) {
      c.put("stop_reason", stopReason);
    } else {
      c.putNull("stop_reason");
    }
  }

  private int stepsIn(String assistantText) {
    if (assistantText.isEmpty()) {
      return 0;
    }
    if (!assistantText.endsWith("\n\n")) {
      violations.add("steps so far do not end with the step delimiter: " + excerpt(assistantText));
    }
    String[] parts = assistantText.split("\n\n");
    for (String p : parts) {
      if (!isModelStep(p)) {
        violations.add("a step so far is not the model's step as written: " + excerpt(p));
      }
    }
    return parts.length;
  }

  // ----- endpoints -------------------------------------------------------------------------

  private interface Handler {
    String handle(JsonNode body) throws Bad;
  }

  private static final class Bad extends Exception {
    Bad(String message) {
      super(message);
    }
  }

  private void handle(HttpExchange exchange, Handler handler) throws IOException {
    try {
      JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
      answer(exchange, 200, handler.handle(body));
    } catch (Bad e) {
      violations.add(e.getMessage());
      answer(exchange, 400, JSON.createObjectNode().put("error", e.getMessage()).toString());
    } catch (RuntimeException e) {
      violations.add("stand-in failed: " + e);
      answer(exchange, 500, JSON.createObjectNode().put("error", e.toString()).toString());
    }
  }

  private String completions(JsonNode body) throws Bad {
    if (body.path("echo").asBoolean(false)) {
      return logprobPrm(body);
    }
    policyCalls.incrementAndGet();
    String prompt = body.path("prompt").asText();
    String head;
    String user;
    if (family == Family.LLAMA) {
      int u = prompt.indexOf(LLAMA_USER);
      int e = u < 0 ? -1 : prompt.indexOf(EOT, u);
      if (u < 0 || e < 0) {
        throw new Bad("not a Llama-3 chat prompt: " + excerpt(prompt));
      }
      user = prompt.substring(u + LLAMA_USER.length(), e);
      head = LLAMA_HEAD + LLAMA_SYSTEM + EOT + LLAMA_USER + user + EOT + LLAMA_ASSISTANT;
    } else {
      int u = prompt.indexOf(IM_USER);
      int e = u < 0 ? -1 : prompt.indexOf(IM_END, u);
      if (u < 0 || e < 0) {
        throw new Bad("not a ChatML prompt: " + excerpt(prompt));
      }
      user = prompt.substring(u + IM_USER.length(), e);
      head = "<|im_start|>system\n" + QWEN_SYSTEM + IM_END + "\n" + IM_USER + user + IM_END + "\n" + IM_ASSISTANT;
    }
    if (!prompt.startsWith(head)) {
      throw new Bad("the prompt is not the preset's system prompt and template: " + excerpt(prompt));
    }
    Item item = item(user, prompt);
    List<String> stop = strings(body.path("stop"));
    String familyStop = family == Family.LLAMA ? EOT : IM_END;
    if (!stop.contains(familyStop)) {
      throw new Bad("the request's stop strings " + stop + " lack the family's " + familyStop);
    }
    int done = stepsIn(prompt.substring(head.length()));
    return reply(body, item, done, stop.contains("\n\n"), false, prompt.length());
  }

  private String chat(JsonNode body) throws Bad {
    chatCalls.incrementAndGet();
    JsonNode messages = body.path("messages");
    String system = family == Family.LLAMA ? LLAMA_SYSTEM : QWEN_SYSTEM;
    if (messages.size() < 2 || !messages.get(0).path("role").asText().equals("system")
        || !messages.get(0).path("content").asText().equals(system)
        || !messages.get(1).path("role").asText().equals("user")) {
      throw new Bad("chat messages are not [system: the preset's prompt, user: question, ...]: "
          + excerpt(messages.toString()));
    }
    Item item = item(messages.get(1).path("content").asText(), messages.toString());
    int done = 0;
    if (messages.size() == 3) {
      if (!messages.get(2).path("role").asText().equals("assistant")
          || !body.path("continue_final_message").asBoolean(false)
          || body.path("add_generation_prompt").asBoolean(true)) {
        throw new Bad("the steps so far must be an assistant message the server continues");
      }
      done = stepsIn(messages.get(2).path("content").asText());
    } else if (messages.size() > 3) {
      throw new Bad("unexpected messages: " + excerpt(messages.toString()));
    }
    List<String> stop = strings(body.path("stop"));
    return reply(body, item, done, stop.contains("\n\n"), true, messages.toString().length());
  }

  private Item item(String user, String where) throws Bad {
    Item item = byQuestion.get(user);
    if (item == null) {
      throw new Bad("the user message is not a known question as given: " + excerpt(where));
    }
    return item;
  }

  private String reply(JsonNode body, Item item, int done, boolean oneStep, boolean chat, int promptTokens) {
    if (oneStep) {
      oneStepCalls.incrementAndGet();
    }
    int n = body.path("n").asInt(1);
    ObjectNode root = JSON.createObjectNode();
    root.put("id", "cmpl-standin").put("object", chat ? "chat.completion" : "text_completion")
        .put("model", body.path("model").asText());
    ArrayNode choices = root.putArray("choices");
    for (int i = 0; i < n; i++) {
      choice(choices, i, item, done, oneStep, chat);
    }
    root.putObject("usage").put("prompt_tokens", promptTokens / 4)
        .put("completion_tokens", 30L * n).put("total_tokens", promptTokens / 4 + 30L * n);
    return root.toString();
  }

  private static double stepScore(int k) {
    return Math.max(0.05, 0.9 - 0.1 * k);
  }

  private void checkScoredSteps(List<String> steps, String where) throws Bad {
    if (steps.isEmpty()) {
      throw new Bad(where + ": no steps to score");
    }
    for (String s : steps) {
      if (!isModelStep(s)) {
        throw new Bad(where + ": a scored step is not one of the model's steps as written (cut "
            + "elsewhere than the blank line?): " + excerpt(s));
      }
      scoredSteps.incrementAndGet();
    }
  }

  /** Qwen2.5-Math-PRM behind /pooling: one row [P(bad), P(good)] per <extra_0>. */
  private String pooling(JsonNode body) throws Bad {
    poolingCalls.incrementAndGet();
    ObjectNode root = JSON.createObjectNode();
    root.put("object", "list").put("model", body.path("model").asText());
    ArrayNode data = root.putArray("data");
    JsonNode input = body.path("input");
    long tokens = 0;
    for (int i = 0; i < input.size(); i++) {
      String text = input.get(i).asText();
      String head = "<|im_start|>system\n" + QWEN_SYSTEM + IM_END + "\n" + IM_USER;
      String mid = IM_END + "\n" + IM_ASSISTANT;
      String end = IM_END + "<|endoftext|>";
      int a = text.indexOf(mid);
      if (!text.startsWith(head) || a < 0 || !text.endsWith(end)) {
        throw new Bad("not Qwen2.5-Math-PRM's layout: " + excerpt(text));
      }
      item(text.substring(head.length(), a), text);
      String steps = text.substring(a + mid.length(), text.length() - end.length());
      if (!steps.endsWith("<extra_0>")) {
        throw new Bad("the last step does not end with <extra_0>: " + excerpt(steps));
      }
      List<String> list = List.of(steps.substring(0, steps.length() - "<extra_0>".length()).split("<extra_0>", -1));
      checkScoredSteps(list, "pooling");
      ObjectNode entry = data.addObject();
      entry.put("index", i).put("object", "pooling");
      ArrayNode rows = entry.putArray("data");
      for (int k = 0; k < list.size(); k++) {
        rows.addArray().add(1 - stepScore(k)).add(stepScore(k));
      }
      tokens += text.length() / 4;
    }
    root.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
    return root.toString();
  }

  /**
   * A token-probability PRM: the prompts echoed as tokens with log-probabilities, top
   * alternatives and character offsets, plus one generated token. RLHFlow: the reply token "+"
   * of the k-th assistant turn has P(+) = 0.6 s_k and P(-) = 0.6 (1 - s_k). Math-Shepherd: the
   * token after the k-th " ки" has P(+) = 0.5 s_k, P(-) = 0.5 (1 - s_k).
   */
  private String logprobPrm(JsonNode body) throws Bad {
    if (body.path("max_tokens").asInt(-1) != 1 || body.path("logprobs").asInt(0) < 2) {
      throw new Bad("a PRM request must ask max_tokens 1 and logprobs >= 2 with echo");
    }
    JsonNode prompts = body.path("prompt");
    if (!prompts.isArray()) {
      throw new Bad("expected a list of prompts, one per solution");
    }
    ObjectNode root = JSON.createObjectNode();
    root.put("object", "text_completion").put("model", body.path("model").asText());
    ArrayNode choices = root.putArray("choices");
    long tokensTotal = 0;
    for (int i = 0; i < prompts.size(); i++) {
      String text = prompts.get(i).asText();
      boolean shepherd = text.contains("ки");
      List<String> tokens = new ArrayList<>();
      List<Integer> offsets = new ArrayList<>();
      Matcher m = TOKEN.matcher(text);
      int at = 0;
      while (m.find()) {
        if (m.start() != at) {
          throw new IllegalStateException("the stand-in's tokenizer skipped text at " + at);
        }
        tokens.add(m.group());
        offsets.add(text.codePointCount(0, m.start()));
        at = m.end();
      }
      Map<Integer, Double> plus = new LinkedHashMap<>();
      if (shepherd) {
        shepherdCalls.incrementAndGet();
        String prefix = LLAMA_SYSTEM + "\n";
        if (!text.startsWith(prefix)) {
          throw new Bad("not search-and-learn's Math-Shepherd layout: " + excerpt(text));
        }
        Item item = byQuestion.values().stream()
            .filter(it -> text.startsWith(prefix + it.question() + "\n ")).findFirst()
            .orElseThrow(() -> new IllegalStateException("no known question after the system prompt"));
        String steps = text.substring(prefix.length() + item.question().length() + 2);
        if (!steps.endsWith(" ки")) {
          throw new Bad("the last step does not end with ' ки': " + excerpt(steps));
        }
        List<String> list = List.of(steps.substring(0, steps.length() - 3).split(" ки\n\n", -1));
        checkScoredSteps(list, "math-shepherd");
        int k = 0;
        for (int t = 0; t < tokens.size(); t++) {
          if (tokens.get(t).equals(" ки")) {
            plus.put(t + 1, stepScore(k++));
          }
        }
      } else {
        rlhflowCalls.incrementAndGet();
        if (!text.startsWith(LLAMA_HEAD + EOT + LLAMA_USER)) {
          throw new Bad("not RLHFlow's Llama-3.1 conversation: " + excerpt(text));
        }
        String[] turns = text.substring((LLAMA_HEAD + EOT).length()).split(
            Pattern.quote(LLAMA_ASSISTANT + "+" + EOT), -1);
        List<String> list = new ArrayList<>();
        for (int t = 0; t < turns.length - 1; t++) {
          String turn = turns[t];
          if (!turn.startsWith(LLAMA_USER) || !turn.endsWith(EOT)) {
            throw new Bad("a step is not a user turn: " + excerpt(turn));
          }
          String content = turn.substring(LLAMA_USER.length(), turn.length() - EOT.length());
          if (t == 0) {
            Item item = byQuestion.keySet().stream().filter(qq -> content.startsWith(qq + " "))
                .map(byQuestion::get).findFirst().orElseThrow(() -> new IllegalStateException(
                    "the first user turn is not a known question, a space and the first step"));
            list.add(content.substring(item.question().length() + 1));
          } else {
            list.add(content);
          }
        }
        if (!turns[turns.length - 1].isEmpty()) {
          throw new Bad("the conversation does not end with the assistant's '+': " + excerpt(text));
        }
        checkScoredSteps(list, "rlhflow");
        int k = 0;
        for (int t = 2; t < tokens.size(); t++) {
          if (tokens.get(t).equals("+") && tokens.get(t - 1).equals("\n\n")
              && tokens.get(t - 2).equals("<|end_header_id|>") && t + 1 < tokens.size()
              && tokens.get(t + 1).equals(EOT)) {
            plus.put(t, stepScore(k++));
          }
        }
      }
      tokens.add("\n");
      offsets.add(text.codePointCount(0, text.length()));
      ObjectNode c = choices.addObject();
      c.put("index", i).put("text", text + "\n").put("finish_reason", "length");
      ObjectNode lp = c.putObject("logprobs");
      ArrayNode ts = lp.putArray("tokens");
      ArrayNode values = lp.putArray("token_logprobs");
      ArrayNode tops = lp.putArray("top_logprobs");
      ArrayNode offs = lp.putArray("text_offset");
      for (int t = 0; t < tokens.size(); t++) {
        ts.add(tokens.get(t));
        offs.add(offsets.get(t));
        if (t == 0) {
          values.addNull();
          tops.addNull();
          continue;
        }
        Double s = plus.get(t);
        ObjectNode top = tops.addObject();
        if (s != null && !shepherd) {
          values.add(Math.log(0.6 * s));
          top.put("+", Math.log(0.6 * s)).put("-", Math.log(0.6 * (1 - s)));
        } else if (s != null) {
          values.add(-0.1);
          top.put(tokens.get(t), -0.1).put("+", Math.log(0.5 * s)).put("-", Math.log(0.5 * (1 - s)));
        } else {
          values.add(-0.25);
          top.put(tokens.get(t), -0.25);
        }
      }
      tokensTotal += tokens.size();
    }
    root.putObject("usage").put("prompt_tokens", tokensTotal).put("completion_tokens", prompts.size())
        .put("total_tokens", tokensTotal + prompts.size());
    return root.toString();
  }

  private static List<String> strings(JsonNode node) {
    List<String> out = new ArrayList<>();
    if (node.isTextual()) {
      out.add(node.asText());
    } else if (node.isArray()) {
      node.forEach(n -> out.add(n.asText()));
    }
    return out;
  }

  static String excerpt(String s) {
    String flat = s.replace("\n", "\\n");
    return flat.length() <= 300 ? flat : flat.substring(0, 300) + "…";
  }

  private static void answer(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
