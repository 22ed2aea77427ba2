package io.reckon.search.task;

/** Linear-time text scanning shared by the extractors. Never throws on any input. */
final class LatexText {
  private static final String[] BOXES = {"\\boxed", "\\fbox"};

  private LatexText() {}

  /**
   * The content of the last {@code \boxed{…}} / {@code \fbox{…}} (or {@code \boxed 5}), with
   * balanced braces; null when there is none, or the last one is empty or never closes (a
   * truncated solution has no answer).
   */
  static String lastBoxed(String text) {
    if (text == null) {
      return null;
    }
    int at = -1;
    int length = 0;
    for (String box : BOXES) {
      int i = text.lastIndexOf(box);
      if (i > at) {
        at = i;
        length = box.length();
      }
    }
    if (at < 0) {
      return null;
    }
    int i = at + length;
    while (i < text.length() && text.charAt(i) == ' ') {
      i++;
    }
    if (i >= text.length()) {
      return null;
    }
    if (text.charAt(i) != '{') {
      if (i == at + length || Character.isLetter(text.charAt(i))) {
        return null; // "\boxedx" is another macro; "\boxed" at the end has nothing
      }
      int end = i;
      while (end < text.length() && !Character.isWhitespace(text.charAt(end))
          && text.charAt(end) != '$') {
        end++;
      }
      return nonEmpty(text.substring(i, end));
    }
    int close = matchingBrace(text, i);
    return close < 0 ? null : nonEmpty(text.substring(i + 1, close));
  }

  /** The index of the brace closing the one at {@code open}, or -1; escaped braces are content. */
  static int matchingBrace(String text, int open) {
    int depth = 0;
    for (int i = open; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\') {
        i++; // skip the escaped character (\{, \}, \\)
      } else if (c == '{') {
        depth++;
      } else if (c == '}') {
        depth--;
        if (depth == 0) {
          return i;
        }
      }
    }
    return -1;
  }

  static String restOfLine(String text, int from) {
    int end = text.indexOf('\n', from);
    return text.substring(from, end < 0 ? text.length() : end);
  }

  /** Trimmed, without one final period; null when nothing is left. */
  static String trimSentence(String s) {
    String t = s.strip();
    if (t.endsWith(".")) {
      t = t.substring(0, t.length() - 1).strip();
    }
    return nonEmpty(t);
  }

  static int lastIndexOfIgnoreCase(String text, String phrase) {
    for (int i = text.length() - phrase.length(); i >= 0; i--) {
      if (text.regionMatches(true, i, phrase, 0, phrase.length())) {
        return i;
      }
    }
    return -1;
  }

  private static String nonEmpty(String s) {
    String t = s.strip();
    return t.isEmpty() ? null : t;
  }
}
