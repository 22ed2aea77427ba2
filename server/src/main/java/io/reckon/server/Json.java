package io.reckon.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.reckon.runtime.JsonFiles;
import java.io.UncheckedIOException;

/** The one JSON mapper of the HTTP layer, and request parsing whose errors name the field. */
public final class Json {
  public static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .addModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .build();

  private Json() {}

  /** Parses a request body; bad JSON or a field of the wrong shape is a 400 naming it. */
  public static <T> T read(byte[] body, Class<T> type) {
    if (body.length == 0) {
      throw ApiException.badRequest(null, "the request body is empty: send a JSON object");
    }
    try {
      return MAPPER.readValue(body, type);
    } catch (UnrecognizedPropertyException e) {
      String path = path(e);
      throw ApiException.badRequest(path, "unknown field '" + path + "'; known fields: "
          + e.getKnownPropertyIds());
    } catch (MismatchedInputException e) {
      String path = path(e);
      throw ApiException.badRequest(path.isEmpty() ? null : path,
          (path.isEmpty() ? "the body" : "field '" + path + "'") + " has the wrong type: expected "
              + simpleName(e.getTargetType()));
    } catch (JsonMappingException e) {
      String path = path(e);
      throw ApiException.badRequest(path.isEmpty() ? null : path,
          "field '" + path + "': " + e.getOriginalMessage());
    } catch (JsonProcessingException e) {
      throw ApiException.badRequest(null, "the body is not valid JSON (line "
          + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + "): "
          + e.getOriginalMessage());
    } catch (java.io.IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + value.getClass().getSimpleName(), e);
    }
  }

  public static String writeString(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + value.getClass().getSimpleName(), e);
    }
  }

  /** {@code messages[2].content}, as OpenAI names fields. */
  private static String path(JsonMappingException e) {
    return JsonFiles.path(e);
  }

  private static String simpleName(Class<?> type) {
    if (type == null) {
      return "another type";
    }
    if (type == String.class) {
      return "a string";
    }
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
      return "an integer";
    }
    if (type == Double.class || type == double.class) {
      return "a number";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (java.util.List.class.isAssignableFrom(type)) {
      return "an array";
    }
    return "an object";
  }
}
