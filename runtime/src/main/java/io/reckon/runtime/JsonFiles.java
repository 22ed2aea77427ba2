package io.reckon.runtime;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.InjectableValues;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Whole JSON documents on disk (a learned policy, a sweep's measurements, a report's summary):
 * read strictly into records, with every problem told in one line that names the file and where
 * in it; written whole to a temporary file and moved into place, so a reader never sees half.
 */
public final class JsonFiles {
  private static final ObjectMapper MAPPER = strict();

  private JsonFiles() {}

  /** A file that is missing, not JSON, or not the expected shape. The message is one line. */
  public static final class InvalidJsonException extends RuntimeException {
    public InvalidJsonException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * The injectable value of a field added after files of its type were first written: a field
   * marked {@code @JacksonInject(value = ABSENT_TASK, useInput = OptBoolean.TRUE)} reads as this
   * when a file leaves it out (a policy learned before tasks existed was learned on arith).
   */
  public static final String ABSENT_TASK = "reckon.absent-task";

  /**
   * A mapper that refuses what a lenient one would guess at: missing or null fields, unknown
   * fields, numbers written as strings, fractions where an integer belongs.
   */
  public static ObjectMapper strict() {
    ObjectMapper m = new ObjectMapper();
    m.setInjectableValues(new InjectableValues.Std().addValue(ABSENT_TASK, "arith"));
    m.enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES);
    m.enable(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES);
    m.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    m.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    m.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    m.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
    for (LogicalType t : List.of(LogicalType.Integer, LogicalType.Float, LogicalType.Boolean)) {
      m.coercionConfigFor(t).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
    }
    m.enable(SerializationFeature.INDENT_OUTPUT);
    return m;
  }

  /**
   * Reads {@code file} as one {@code type}.
   *
   * @param what what the file holds, for messages (e.g. "policy")
   * @throws InvalidJsonException naming the file, the position or field, and the problem
   */
  public static <T> T read(Path file, Class<T> type, String what) {
    return read(file, type, what, InputLimits.DEFAULTS.maxFileBytes());
  }

  /**
   * Reads {@code file} as one {@code type}, refusing a file of more than {@code maxBytes} bytes
   * (a device like {@code /dev/zero} included) before it fills the heap.
   */
  public static <T> T read(Path file, Class<T> type, String what, long maxBytes) {
    byte[] bytes;
    if (Files.isDirectory(file)) {
      throw new InvalidJsonException(what + " file " + file + " is a directory", null);
    }
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 16, maxBytes + 1));
      if (bytes.length > maxBytes) {
        throw new InvalidJsonException(what + " file " + file + " is larger than " + maxBytes
            + " bytes (the limit reckon.limits.max-file-bytes, env RECKON_MAX_FILE_BYTES)", null);
      }
    } catch (NoSuchFileException e) {
      throw new InvalidJsonException(what + " file " + file + " not found", e);
    } catch (IOException e) {
      throw new InvalidJsonException(
          "cannot read " + what + " file " + file + ": " + UserMessages.io(e), e);
    }
    try {
      T value = MAPPER.readValue(bytes, type);
      if (value == null) {
        throw new InvalidJsonException(file + ": holds null, not a " + what + " file", null);
      }
      return value;
    } catch (JsonMappingException e) {
      if (e.getCause() instanceof JsonParseException p) {
        throw malformed(file, p); // a syntax error met while binding a field
      }
      if (e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Unexpected end-of-input")) {
        throw new InvalidJsonException(
            file + ": malformed JSON" + at(e.getLocation()) + ": " + firstLine(e.getOriginalMessage()), e);
      }
      throw new InvalidJsonException(file + ": " + describe(e), e);
    } catch (JsonProcessingException e) {
      throw new InvalidJsonException(
          file + ": malformed JSON" + at(e.getLocation()) + ": " + firstLine(e.getOriginalMessage()), e);
    } catch (IOException e) {
      throw new InvalidJsonException(
          "cannot read " + what + " file " + file + ": " + UserMessages.io(e), e);
    }
  }

  /** Writes {@code value} as indented JSON, atomically where the file system allows it. */
  public static void write(Path file, Object value) {
    Path dir = file.toAbsolutePath().getParent();
    try {
      // Not createTempFile: its owner-only permissions would stick to the moved file.
      Path tmp = dir.resolve("." + file.getFileName() + "." + ProcessHandle.current().pid() + "."
          + System.nanoTime() + ".tmp");
      try {
        Files.write(tmp, MAPPER.writeValueAsBytes(value), StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE);
        try {
          Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("writing " + file + ": " + e, e);
    }
  }

  /** The value as indented JSON text. */
  public static String toJson(Object value) {
    try {
      return new String(MAPPER.writeValueAsBytes(value), StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write JSON: " + e.getOriginalMessage(), e);
    }
  }

  private static InvalidJsonException malformed(Path file, JsonProcessingException e) {
    return new InvalidJsonException(
        file + ": malformed JSON" + at(e.getLocation()) + ": " + firstLine(e.getOriginalMessage()), e);
  }

  private static String describe(JsonMappingException e) {
    String where = path(e);
    String field = where.isEmpty() ? "" : "field " + where + ": ";
    if (e instanceof ValueInstantiationException && e.getCause() != null
        && e.getCause().getMessage() != null) {
      // A record's own check refused the value: its message says what is wrong.
      return field + firstLine(e.getCause().getMessage());
    }
    if (e instanceof UnrecognizedPropertyException u) {
      String parent = where.contains(".") ? where.substring(0, where.lastIndexOf('.')) : "";
      return "unknown field '" + u.getPropertyName() + "'" + (parent.isEmpty() ? "" : " in " + parent)
          + at(e.getLocation());
    }
    String message = firstLine(e.getOriginalMessage());
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("^(Missing|Null value for) creator property '([^']*)'").matcher(message);
    if (m.find()) {
      String parent = where.contains(".") ? where.substring(0, where.lastIndexOf('.')) : "";
      return (m.group(1).equals("Missing") ? "missing field '" : "null field '") + m.group(2) + "'"
          + (parent.isEmpty() ? "" : " in " + parent);
    }
    // Jackson's advice on its own switches means nothing to the person who wrote the file.
    message = message.replaceAll(" \\(but might if coercion using CoercionConfig was enabled\\)", "");
    return field + message + at(e.getLocation());
  }

  /** The JSON path of the problem, like {@code bins[0].best}. */
  public static String path(JsonMappingException e) {
    StringBuilder b = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        if (b.length() > 0) {
          b.append('.');
        }
        b.append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        b.append('[').append(r.getIndex()).append(']');
      }
    }
    return b.toString();
  }

  private static String at(JsonLocation l) {
    return l == null || l.getLineNr() < 1
        ? "" : " (line " + l.getLineNr() + ", column " + l.getColumnNr() + ")";
  }

  private static String firstLine(String s) {
    return UserMessages.scrub(s);
  }
}
