package io.reckon.search.task;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The shipped tasks, and a registry of the tasks a process knows (the shipped ones plus those
 * defined under {@code reckon.tasks}), with the one a run gets when it names none.
 */
public final class Tasks {
  /** The system prompt Qwen2.5-Math-Instruct was trained with, shared by math and gsm8k. */
  public static final String BOXED_SYSTEM =
      "Please reason step by step, and put your final answer within \\boxed{}.";

  /**
   * The shipped arithmetic models' format, Reckon's default: {@code Q: <question>}, one step per
   * line, the last line {@code A: <integer>}, integers compared by value.
   */
  public static final Task ARITH =
      new Task(
          "arith",
          "multi-step integer arithmetic: one step per line, last line 'A: <integer>'",
          "\n",
          new AnswerExtractor.AnswerLine("A:"),
          IntegerEquivalence.INSTANCE,
          TaskPrompt.user("Q: {question}\n"),
          GraderLimits.DEFAULTS.maxComparisons());

  /** MATH / MATH-500 / AIME: steps separated by a blank line, the last \boxed{…}. */
  public static final Task MATH = math(GraderLimits.DEFAULTS);

  /** GSM8K: {@code #### n}, or \boxed{…}, or "The answer is n"; compared as numbers. */
  public static final Task GSM8K = gsm8k(GraderLimits.DEFAULTS);

  /**
   * Short free-text answers after "So the answer is" (BIG-Bench-style chain of thought, e.g.
   * date understanding), compared ignoring case, spacing and a final period.
   */
  public static final Task SHORT_ANSWER =
      new Task(
          "short-answer",
          "free-text answer after 'So the answer is', compared ignoring case, spaces, final period",
          "\n",
          new AnswerExtractor.Phrase("So the answer is"),
          TextEquivalence.INSTANCE,
          new TaskPrompt(
              "Think step by step, one step per line, and end with \"So the answer is <answer>.\"",
              "{question}",
              List.of()),
          GraderLimits.DEFAULTS.maxComparisons());

  /** The name runs get when they name no task and no configuration says otherwise. */
  public static final String DEFAULT = "arith";

  private final Map<String, Task> byName;
  private final String defaultName;

  /**
   * A registry.
   *
   * @throws IllegalArgumentException on duplicate names or a default that is not among them
   */
  public Tasks(Collection<Task> tasks, String defaultName) {
    Map<String, Task> map = new LinkedHashMap<>();
    for (Task t : tasks) {
      if (map.put(t.name(), t) != null) {
        throw new IllegalArgumentException("task '" + t.name() + "' is defined twice");
      }
    }
    this.byName = map;
    String d = normal(defaultName);
    if (!map.containsKey(d)) {
      throw new UnknownTaskException(defaultName, names());
    }
    this.defaultName = d;
  }

  /** The shipped tasks with {@code arith} as the default. */
  public static Tasks builtin() {
    return new Tasks(builtins(GraderLimits.DEFAULTS), DEFAULT);
  }

  /** The shipped tasks, their math grader bounded by {@code limits}. */
  public static List<Task> builtins(GraderLimits limits) {
    return List.of(
        limits.equals(GraderLimits.DEFAULTS) ? ARITH : withComparisons(ARITH, limits),
        limits.equals(GraderLimits.DEFAULTS) ? MATH : math(limits),
        limits.equals(GraderLimits.DEFAULTS) ? GSM8K : gsm8k(limits),
        limits.equals(GraderLimits.DEFAULTS) ? SHORT_ANSWER : withComparisons(SHORT_ANSWER, limits));
  }

  public static Task math(GraderLimits limits) {
    return new Task(
        "math",
        "MATH-style: steps separated by a blank line, the last \\boxed{...}, math equivalence",
        "\n\n",
        new AnswerExtractor.Boxed(),
        new MathEquivalence(limits),
        new TaskPrompt(BOXED_SYSTEM, "{question}", List.of()),
        limits.maxComparisons());
  }

  public static Task gsm8k(GraderLimits limits) {
    return new Task(
        "gsm8k",
        "GSM8K: '#### n', or \\boxed{n}, or 'The answer is n'; numbers compared by value",
        "\n\n",
        new AnswerExtractor.Gsm8k(),
        new MathEquivalence(limits),
        new TaskPrompt(BOXED_SYSTEM, "{question}", List.of()),
        limits.maxComparisons());
  }

  private static Task withComparisons(Task t, GraderLimits limits) {
    return new Task(t.name(), t.description(), t.stepDelimiter(), t.extractor(), t.equivalence(),
        t.prompt(), limits.maxComparisons());
  }

  /** The task of this name. @throws UnknownTaskException listing the known names */
  public Task get(String name) {
    Task t = byName.get(normal(name));
    if (t == null) {
      throw new UnknownTaskException(name, names());
    }
    return t;
  }

  /** The named task, or the default when the name is null or blank. */
  public Task resolve(String name) {
    return name == null || name.isBlank() ? defaultTask() : get(name);
  }

  public Task defaultTask() {
    return byName.get(defaultName);
  }

  public boolean contains(String name) {
    return name != null && byName.containsKey(normal(name));
  }

  /** Known names, sorted. */
  public List<String> names() {
    return new ArrayList<>(new TreeMap<>(byName).keySet());
  }

  public List<Task> all() {
    return List.copyOf(byName.values());
  }

  private static String normal(String name) {
    return name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
  }

  /** A task name no registry entry has; the message lists the known ones. */
  public static final class UnknownTaskException extends IllegalArgumentException {
    public UnknownTaskException(String name, List<String> known) {
      super("unknown task '" + name + "': known tasks are " + String.join(", ", known));
    }
  }
}
