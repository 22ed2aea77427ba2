package io.reckon.protocol;

/**
 * User input as it may appear inside an error message: at most a short prefix, on one line, so
 * that a message about a 1 MB question is not itself 1 MB long.
 */
public final class Quote {
  /** Characters of the input a message shows at most. */
  public static final int MAX_CHARS = 40;

  private Quote() {}

  /** {@code 'text'}, or {@code 'first 40 characters...' (1048576 characters)} when longer. */
  public static String of(String text) {
    if (text == null) {
      return "null";
    }
    String flat = text.replaceAll("[\\r\\n\\t\\p{Cntrl}]", " ");
    if (flat.length() <= MAX_CHARS) {
      return "'" + flat + "'";
    }
    int end = MAX_CHARS;
    if (Character.isHighSurrogate(flat.charAt(end - 1))) {
      end--;
    }
    return "'" + flat.substring(0, end) + "...' (" + text.length() + " characters)";
  }
}
