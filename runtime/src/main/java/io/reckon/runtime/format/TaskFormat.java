package io.reckon.runtime.format;

import io.reckon.search.task.Task;
import io.reckon.search.task.TaskPrompt;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A task's prompt rendered for one model family: as chat messages (for a server that applies
 * its own template, {@code api = chat}) or as the one text a model continues ({@code api =
 * completions}, or a local model), through the family's chat template when there is one.
 *
 * <p>Messages: the task's system prompt (if any), each few-shot example as a user turn and an
 * assistant turn, then the question as the user's message (earlier attempts of a revision appended
 * to it). The steps already fixed continue the assistant's reply: each step followed by the
 * task's step delimiter, so that the model's next step starts where the last one ended.
 *
 * <p>Without a chat template the text is plain: the system prompt and a blank line, the examples,
 * the user message (a blank line after it unless it ends in a line break), then the steps.
 *
 * @param task what is asked, where a step ends, how the answer is found
 * @param template the model's chat template; null renders plain text
 * @param stop stop strings of the model family (end-of-turn tokens a server may print as text)
 * @param system the system prompt of the model family's preset, in place of the task's; null keeps
 *     the task's. It is rendering only: the task (its grading, its digest in a durable run's spec)
 *     is the same whichever family answers it.
 */
public record TaskFormat(Task task, ChatTemplate template, List<String> stop, String system) {
  /** Earlier attempts shown in a revision prompt, newest last. */
  public static final int MAX_ATTEMPTS = 4;

  public TaskFormat {
    Objects.requireNonNull(task, "task");
    stop = stop == null ? List.of() : List.copyOf(stop);
  }

  public TaskFormat(Task task, ChatTemplate template, List<String> stop) {
    this(task, template, stop, null);
  }

  public static TaskFormat plain(Task task) {
    return new TaskFormat(task, null, List.of(), null);
  }

  /** The system prompt sent: the preset's, else the task's ("" for none). */
  public String systemPrompt() {
    return system != null ? system : task.prompt().system();
  }

  public String stepDelimiter() {
    return task.stepDelimiter();
  }

  /** True when this step states the final answer, so that the solution is finished. */
  public boolean finishes(String step) {
    return task.finishes(step);
  }

  /** The conversation up to the assistant's reply (system, examples, the question). */
  public List<ChatMessage> messages(String question, List<List<String>> attempts) {
    TaskPrompt p = task.prompt();
    List<ChatMessage> messages = new ArrayList<>();
    if (!systemPrompt().isEmpty()) {
      messages.add(ChatMessage.system(systemPrompt()));
    }
    for (TaskPrompt.Example e : p.fewShot()) {
      messages.add(ChatMessage.user(p.userMessage(e.question())));
      messages.add(ChatMessage.assistant(e.solution()));
    }
    messages.add(ChatMessage.user(userMessage(question, attempts)));
    return messages;
  }

  /** The steps already fixed, as the start of the assistant's reply. */
  public String assistantText(List<String> prefix) {
    StringBuilder sb = new StringBuilder();
    for (String step : prefix) {
      sb.append(step).append(task.stepDelimiter());
    }
    return sb.toString();
  }

  /** The whole text a model continues: the rendered conversation, then the steps so far. */
  public String completionPrompt(String question, List<List<String>> attempts, List<String> prefix) {
    String head;
    if (template != null) {
      head = template.render(messages(question, attempts), true);
    } else {
      head = plain(question, attempts);
    }
    return head + assistantText(prefix);
  }

  private String plain(String question, List<List<String>> attempts) {
    TaskPrompt p = task.prompt();
    StringBuilder sb = new StringBuilder();
    if (!systemPrompt().isEmpty()) {
      sb.append(systemPrompt()).append("\n\n");
    }
    for (TaskPrompt.Example e : p.fewShot()) {
      appendUser(sb, p.userMessage(e.question()));
      sb.append(e.solution()).append("\n\n");
    }
    appendUser(sb, userMessage(question, attempts));
    return sb.toString();
  }

  private static void appendUser(StringBuilder sb, String user) {
    sb.append(user);
    if (!user.endsWith("\n")) {
      sb.append("\n\n");
    }
  }

  private String userMessage(String question, List<List<String>> attempts) {
    StringBuilder sb = new StringBuilder(task.prompt().userMessage(question));
    for (List<String> attempt : attempts.subList(Math.max(0, attempts.size() - MAX_ATTEMPTS), attempts.size())) {
      sb.append("\n\nAn earlier attempt:\n").append(String.join(task.stepDelimiter(), attempt));
    }
    return sb.toString();
  }
}
