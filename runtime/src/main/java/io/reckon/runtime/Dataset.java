package io.reckon.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.reckon.protocol.Question;
import io.reckon.protocol.Quote;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads question sets: JSONL, one {@code {"id", "question", "answer"?, "level"?, "subject"?}} per
 * line (other fields, such as a benchmark's reference {@code solution}, are ignored). Every
 * problem is reported with the file and line so that the user can fix it.
 */
public final class Dataset {
  // Without FAIL_ON_TRAILING_TOKENS a line like {"id": ...}} would parse as its first object.
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private Dataset() {}

  /** Thrown for unreadable or malformed input; the message is meant for the user as it is. */
  public static final class InvalidDataException extends RuntimeException {
    public InvalidDataException(String message) {
      super(message);
    }
  }

  /** Reads a question set within the shipped {@link InputLimits#DEFAULTS}. */
  public static List<Question> read(Path file) {
    return read(file, InputLimits.DEFAULTS);
  }

  /**
   * Reads a question set. Schema: {@code id} a non-empty string or an integer (as text),
   * {@code question} a non-empty string (or a number), {@code answer} a string or a number, {@code level} an
   * integer; anything else (a boolean id, an object answer) is refused with the file and line.
   *
   * @throws InvalidDataException with a one-line message naming the file, the line and the fix
   */
  public static List<Question> read(Path file, InputLimits limits) {
    if (Files.isDirectory(file)) {
      throw new InvalidDataException(file + " is a directory, not a data file");
    }
    List<Question> questions = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    try (BoundedLines in = new BoundedLines(
        file, limits.maxLineBytes(), "reckon.limits.max-line-bytes, env RECKON_MAX_LINE_BYTES")) {
      String line;
      while ((line = in.next()) != null) {
        int number = in.number();
        if (line.isBlank()) {
          continue;
        }
        Question q = parse(file, number, line, limits);
        if (!ids.add(q.id())) {
          throw new InvalidDataException(
              file + ":" + number + ": duplicate id " + Quote.of(q.id()) + " (ids must be unique)");
        }
        if (questions.size() == limits.maxQuestions()) {
          throw new InvalidDataException(file + ":" + number + ": more than " + limits.maxQuestions()
              + " questions (the limit reckon.limits.max-questions, env RECKON_MAX_QUESTIONS)");
        }
        questions.add(q);
      }
    } catch (BoundedLines.BadLineException e) {
      throw new InvalidDataException(e.getMessage());
    } catch (NoSuchFileException e) {
      throw new InvalidDataException("data file not found: " + file);
    } catch (AccessDeniedException e) {
      throw new InvalidDataException("cannot read data file " + file + ": permission denied");
    } catch (IOException e) {
      throw new InvalidDataException("cannot read data file " + file + ": " + UserMessages.io(e));
    }
    if (questions.isEmpty()) {
      throw new InvalidDataException("data file " + file + " holds no questions");
    }
    return questions;
  }

  private static Question parse(Path file, int number, String line, InputLimits limits) {
    String where = file + ":" + number + ": ";
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      throw new InvalidDataException(where + "malformed JSON (" + UserMessages.json(e) + ")");
    }
    if (node == null || !node.isObject()) {
      throw new InvalidDataException(where + "expected a JSON object per line");
    }
    String id = id(node, where);
    JsonNode qn = node.get("question");
    if (qn == null || qn.isNull()) {
      throw new InvalidDataException(where + "missing required field 'question'");
    }
    if (!qn.isTextual() && !qn.isNumber()) {
      throw new InvalidDataException(where + "field 'question' must be a string or number");
    }
    String question = qn.asText();
    if (question.isBlank()) {
      throw new InvalidDataException(where + "field 'question' is empty");
    }
    if (question.length() > limits.maxQuestionChars()) {
      throw new InvalidDataException(where + "question " + Quote.of(question) + " is longer than "
          + limits.maxQuestionChars() + " characters (the limit reckon.limits.max-question-chars, "
          + "env RECKON_MAX_QUESTION_CHARS)");
    }
    String answer = null;
    JsonNode a = node.get("answer");
    if (a != null && !a.isNull()) {
      if (!a.isTextual() && !a.isNumber()) {
        throw new InvalidDataException(where + "field 'answer' must be a string or number");
      }
      if (a.isFloatingPointNumber() && !Double.isFinite(a.doubleValue())) {
        throw new InvalidDataException(where + "field 'answer' is a number beyond the range of a "
            + "double: write it as a string");
      }
      answer = a.asText();
      bounded(where, "answer", answer);
    }
    Integer level = null;
    JsonNode l = node.get("level");
    if (l != null && !l.isNull()) {
      // canConvertToInt alone accepts 2.5 (and reads it as 2)
      if (!l.isIntegralNumber() || !l.canConvertToInt()) {
        throw new InvalidDataException(where + "field 'level' must be an integer");
      }
      level = l.asInt();
    }
    String subject = null;
    JsonNode sn = node.get("subject");
    if (sn != null && !sn.isNull()) {
      if (!sn.isTextual()) {
        throw new InvalidDataException(where + "field 'subject' must be a string");
      }
      subject = sn.asText();
      bounded(where, "subject", subject);
    }
    return new Question(id, question, answer, level, subject);
  }

  /** An id is a non-empty string or an integer; booleans, fractions and objects are refused. */
  private static String id(JsonNode node, String where) {
    JsonNode v = node.get("id");
    if (v == null || v.isNull()) {
      throw new InvalidDataException(where + "missing required field 'id'");
    }
    if (!v.isTextual() && !v.isIntegralNumber()) {
      throw new InvalidDataException(where + "field 'id' must be a string or an integer");
    }
    String id = v.asText();
    if (id.isBlank()) {
      throw new InvalidDataException(where + "field 'id' is empty");
    }
    if (id.length() > InputLimits.MAX_ID_CHARS) {
      throw new InvalidDataException(where + "field 'id' " + Quote.of(id) + " is longer than "
          + InputLimits.MAX_ID_CHARS + " characters");
    }
    return id;
  }

  private static void bounded(String where, String field, String value) {
    if (value.length() > InputLimits.MAX_FIELD_CHARS) {
      throw new InvalidDataException(where + "field '" + field + "' " + Quote.of(value)
          + " is longer than " + InputLimits.MAX_FIELD_CHARS + " characters");
    }
  }
}
