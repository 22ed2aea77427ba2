package io.reckon.actors;

import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Run ids: short, readable and sortable by start time, e.g. {@code 261201-141530-k3q9} (UTC
 * yyMMdd-HHmmss, then 4 random base-36 characters so that runs started in the same second on any
 * node differ). Sorting ids as strings sorts runs by start time to the second.
 */
public final class RunIds {
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyMMdd-HHmmss", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final Pattern SHAPE = Pattern.compile("[0-9]{6}-[0-9]{6}-[0-9a-z]{4}");
  private static final String DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz";
  private static final SecureRandom RANDOM = new SecureRandom();

  private RunIds() {}

  public static String next(Instant now) {
    StringBuilder id = new StringBuilder(STAMP.format(now)).append('-');
    for (int i = 0; i < 4; i++) {
      id.append(DIGITS.charAt(RANDOM.nextInt(DIGITS.length())));
    }
    return id.toString();
  }

  /** Whether {@code id} has the shape of a run id (anything else is bad input, not a lookup). */
  public static boolean valid(String id) {
    return id != null && SHAPE.matcher(id).matches();
  }
}
