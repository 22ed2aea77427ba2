package io.reckon.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.reckon.protocol.Question;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads question sets: JSONL, one {@code {"id", "question", "answer"?, "level"?}} per line. Every
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

  public static List<Question> read(Path file) {
    List<Question> questions = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int number = 0;
      while ((line = in.readLine()) != null) {
        number++;
        if (line.isBlank()) {
          continue;
        }
        Question q = parse(file, number, line);
        if (!ids.add(q.id())) {
          throw new InvalidDataException(
              file + ":" + number + ": duplicate id '" + q.id() + "' (ids must be unique)");
        }
        questions.add(q);
      }
    } catch (NoSuchFileException e) {
      throw new InvalidDataException("data file not found: " + file);
    } catch (IOException e) {
      throw new InvalidDataException("cannot read data file " + file + ": " + e.getMessage());
    }
    if (questions.isEmpty()) {
      throw new InvalidDataException("data file " + file + " holds no questions");
    }
    return questions;
  }

  private static Question parse(Path file, int number, String line) {
    String where = file + ":" + number + ": ";
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      throw new InvalidDataException(
          where + "malformed JSON (" + e.getOriginalMessage() + ")");
    }
    if (node == null || !node.isObject()) {
      throw new InvalidDataException(where + "expected a JSON object per line");
    }
    String id = text(node, "id", where, true);
    String question = text(node, "question", where, true);
    String answer = text(node, "answer", where, false);
    Integer level = null;
    JsonNode l = node.get("level");
    if (l != null && !l.isNull()) {
      // canConvertToInt alone accepts 2.5 (and reads it as 2)
      if (!l.isIntegralNumber() || !l.canConvertToInt()) {
        throw new InvalidDataException(where + "field 'level' must be an integer");
      }
      level = l.asInt();
    }
    return new Question(id, question, answer, level);
  }

  private static String text(JsonNode node, String field, String where, boolean required) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        throw new InvalidDataException(where + "missing required field '" + field + "'");
      }
      return null;
    }
    if (!v.isValueNode()) {
      throw new InvalidDataException(where + "field '" + field + "' must be a string or number");
    }
    String s = v.asText();
    if (required && s.isBlank()) {
      throw new InvalidDataException(where + "field '" + field + "' is empty");
    }
    return s;
  }
}
