package io.reckon.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.reckon.protocol.openai.ChatMessage;
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

  /** Deepest nesting a request may have: real requests nest a few levels, never hundreds. */
  public static final int MAX_DEPTH = 64;

  /** What a client's JSON is parsed with: bounded nesting (a 10,000-deep body is refused early). */
  public static final JsonFactory FACTORY = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
      .build();

  /**
   * Requests: no guessing at types. {@code "n": 1.5} is not 1, {@code "budget": true} is not a
   * number and {@code "id": false} is not a string (whole numbers still make strings and numbers).
   */
  private static final ObjectMapper REQUESTS = JsonMapper.builder(FACTORY)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
      .addModule(new JavaTimeModule())
      .addMixIn(ChatMessage.class, ContentText.ChatMessageMixin.class)
      .withCoercionConfig(LogicalType.Integer, c -> c
          .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail)
          .setCoercion(CoercionInputShape.Float, CoercionAction.Fail))
      .withCoercionConfig(LogicalType.Float, c -> c
          .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
      .withCoercionConfig(LogicalType.Textual, c -> c
          .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail)
          .setCoercion(CoercionInputShape.Float, CoercionAction.Fail))
      .withCoercionConfig(LogicalType.Boolean, c -> c
          .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
          .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
          .setCoercion(CoercionInputShape.String, CoercionAction.Fail))
      .build();

  private Json() {}

  /** Parses a request body; bad JSON or a field of the wrong shape is a 400 naming it. */
  public static <T> T read(byte[] body, Class<T> type) {
    return read(REQUESTS, body, type);
  }

  /**
   * The same, with another mapper (the Kafka records' one is stricter about types). The body must
   * be strict UTF-8 (an overlong or surrogate encoding would smuggle a character past checks made
   * on the bytes) and not {@code null}.
   */
  public static <T> T read(ObjectMapper mapper, byte[] body, Class<T> type) {
    if (body.length == 0) {
      throw ApiException.badRequest(null, "the request body is empty: send a JSON object");
    }
    String malformed = Utf8.malformed(body);
    if (malformed != null) {
      throw ApiException.badRequest(null, "the body is not valid UTF-8: " + malformed);
    }
    try {
      T value = mapper.readValue(body, type);
      if (value == null) {
        throw ApiException.badRequest(null, "the body is JSON null: send a JSON object");
      }
      return value;
    } catch (StreamConstraintsException e) {
      throw ApiException.badRequest(null, "the body nests deeper than " + MAX_DEPTH
          + " levels: send a flat JSON object");
    } catch (UnrecognizedPropertyException e) {
      String path = path(e);
      throw ApiException.badRequest(path, "unknown field '" + path + "'; known fields: "
          + e.getKnownPropertyIds());
    } catch (MismatchedInputException e) {
      String path = path(e);
      String own = e.getOriginalMessage();
      if (own != null && own.startsWith("content part ")) {
        // ContentText's refusal of a part: the param names the part itself.
        String index = own.substring(13, own.indexOf(' ', 13));
        String part = path + "[" + index + "]";
        throw ApiException.badRequest(part, "field '" + part + "': " + own);
      }
      throw ApiException.badRequest(path.isEmpty() ? null : path,
          (path.isEmpty() ? "the body" : "field '" + path + "'") + " has the wrong type: expected "
              + simpleName(e.getTargetType()));
    } catch (JsonMappingException e) {
      String path = path(e);
      if (e.getCause() instanceof StreamConstraintsException) {
        throw ApiException.badRequest(null, "the body nests deeper than " + MAX_DEPTH
            + " levels: send a flat JSON object");
      }
      throw ApiException.badRequest(path.isEmpty() ? null : path,
          (path.isEmpty() ? "the body: " : "field '" + path + "': ")
              + clean(e.getOriginalMessage()));
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr()
          + ", column " + e.getLocation().getColumnNr() + ")";
      throw ApiException.badRequest(null, "the body is not valid JSON" + where + ": "
          + clean(e.getOriginalMessage()));
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

  /**
   * A parser's message as a client may read it: what went wrong, without Jackson's class and
   * feature names, source excerpts or locations (those are given separately).
   */
  static String clean(String message) {
    if (message == null || message.isBlank()) {
      return "malformed";
    }
    String m = message;
    if (m.contains("end-of-input")) {
      return "the body ends before the JSON does (truncated?)";
    }
    if (m.contains("NaN") || m.contains("Infinity") || m.contains("ALLOW_NON_NUMERIC_NUMBERS")) {
      return "NaN and Infinity are not JSON numbers";
    }
    if (m.contains("out of range of")) {
      return "a number is out of range";
    }
    for (String cut : new String[] {"\n", " at [Source", "(start marker", " (for ", "`",
        " (through reference chain", ": was expecting"}) {
      int i = m.indexOf(cut);
      if (i >= 0) {
        m = m.substring(0, i);
      }
    }
    m = m.strip();
    while (m.endsWith(":") || m.endsWith(";") || m.endsWith(",")) {
      m = m.substring(0, m.length() - 1).strip();
    }
    return m.isEmpty() || m.contains("com.fasterxml") ? "malformed" : ParseErrors.printable(m);
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
