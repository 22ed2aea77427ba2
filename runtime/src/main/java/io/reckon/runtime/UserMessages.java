package io.reckon.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Turns what Java and Jackson say about a problem into words for the person running Reckon: no
 * class names, no library switches, one line. Every message a command prints passes through
 * {@link #scrub}; the readers use {@link #io} and {@link #json} for the common cases.
 */
public final class UserMessages {
  // a.b.C, a.b.C$D, java.lang.NumberFormatException: the package path and the class
  private static final Pattern QUALIFIED =
      Pattern.compile("\\b(?:[a-z][a-z0-9_]*\\.){2,}([A-Z][A-Za-z0-9_]*)(?:\\$[A-Za-z0-9_$]+)?");
  private static final Pattern JACKSON_TOKEN = Pattern.compile("\\(token `?JsonToken\\.[A-Z_]+`?\\)");
  private static final Pattern JACKSON_FEATURE =
      Pattern.compile("\\s*+;?\\s*+\\(?`?(?:StreamReadFeature|JsonReadFeature|DeserializationFeature|"
          + "MapperFeature|JsonParser\\.Feature)\\.[A-Z_]+`?(?: (?:enabled|disabled))?\\)?");
  private static final Pattern REDACTED = Pattern.compile("\\[Source: [^\\]]*\\]|REDACTED\\s*");

  /** The longest message scrubbed; the rest of a longer one is cut off. */
  static final int MAX_SCRUBBED = 2_000;

  private UserMessages() {}

  /** The problem an I/O exception reports, in plain words ("permission denied", "is a directory"). */
  public static String io(Throwable e) {
    if (e instanceof UncheckedIOException u && u.getCause() != null) {
      e = u.getCause();
    }
    if (e instanceof NoSuchFileException) {
      return "not found";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason().toLowerCase(Locale.ROOT);
    }
    String m = e.getMessage();
    if (m == null || m.isBlank()) {
      return "input/output error";
    }
    if (m.contains("Is a directory")) {
      return "is a directory";
    }
    return scrub(m);
  }

  /** A JSON syntax or shape problem in words, without Jackson's class and switch names. */
  public static String json(JsonProcessingException e) {
    String m = e.getOriginalMessage();
    return m == null ? "malformed JSON" : scrub(m);
  }

  /**
   * The first line of {@code message}, with qualified class names cut to their last part, Jackson
   * tokens and feature switches removed, and the exception-name prefix some messages carry
   * ({@code java.io.IOException: ...}) dropped.
   */
  public static String scrub(String message) {
    if (message == null) {
      return "";
    }
    int nl = message.indexOf('\n');
    String s = nl < 0 ? message : message.substring(0, nl);
    // A message may quote its input: bounded first, the patterns below cost at most
    // O(MAX_SCRUBBED^2) steps on the worst input (a.a.a.a... for QUALIFIED), never O(line^2).
    if (s.length() > MAX_SCRUBBED) {
      s = s.substring(0, MAX_SCRUBBED) + "...";
    }
    s = s.replaceAll("\\b(?:[a-z][a-z0-9_]*\\.){2,}[A-Z][A-Za-z0-9_]*(?:Exception|Error): ?", "");
    s = JACKSON_TOKEN.matcher(s).replaceAll("");
    s = JACKSON_FEATURE.matcher(s).replaceAll("");
    s = REDACTED.matcher(s).replaceAll("");
    s = s.replace("Array value", "an array").replace("Object value", "an object")
        .replace("String value", "a string").replace("Integer value", "an integer")
        .replace("Floating-point value", "a fraction").replace("Boolean value", "a boolean");
    s = QUALIFIED.matcher(s).replaceAll("$1");
    s = s.replace("`", "").replaceAll("\\s{2,}", " ").strip();
    return s;
  }
}
