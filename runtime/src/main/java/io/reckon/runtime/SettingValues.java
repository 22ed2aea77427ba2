package io.reckon.runtime;

import java.util.Locale;

/**
 * Typed reading of settings handed over as plain values by a configuration library (numbers may
 * arrive as strings from environment overrides). Every error names the setting.
 */
public final class SettingValues {
  private SettingValues() {}

  /** The spelling-independent form of a key: {@code max-new-tokens}, {@code maxNewTokens} alike. */
  public static String normalize(String key) {
    return key.replace("-", "").replace("_", "").toLowerCase(Locale.ROOT);
  }

  /** @param scope what the setting belongs to, for the message (e.g. {@code ONNX}) */
  public static long integer(String scope, String key, Object v) {
    if (v instanceof Number n) {
      if (n.doubleValue() != Math.rint(n.doubleValue())) {
        throw new IllegalArgumentException(scope + " setting '" + key + "' must be an integer, was " + v);
      }
      return n.longValue();
    }
    try {
      return Long.parseLong(String.valueOf(v).strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(scope + " setting '" + key + "' must be an integer, was '" + v + "'");
    }
  }

  public static double number(String scope, String key, Object v) {
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    try {
      return Double.parseDouble(String.valueOf(v).strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(scope + " setting '" + key + "' must be a number, was '" + v + "'");
    }
  }
}
