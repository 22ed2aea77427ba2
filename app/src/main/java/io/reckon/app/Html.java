package io.reckon.app;

import java.util.List;
import java.util.Locale;

/** Small helpers for writing the report page by hand: escaping, tables, numbers. */
final class Html {
  private Html() {}

  static String escape(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  /** A table; cells are HTML already (escape text with {@link #escape}). */
  static String table(List<String> header, List<List<String>> rows) {
    StringBuilder b = new StringBuilder("<table>\n<tr>");
    for (String h : header) {
      b.append("<th>").append(h).append("</th>");
    }
    b.append("</tr>\n");
    for (List<String> row : rows) {
      b.append("<tr>");
      for (int i = 0; i < row.size(); i++) {
        b.append(i == 0 ? "<td class=\"name\">" : "<td>").append(row.get(i)).append("</td>");
      }
      b.append("</tr>\n");
    }
    return b.append("</table>\n").toString();
  }

  /** An accuracy as a percentage with one decimal, or a dash where nothing was measured. */
  static String pct(double x) {
    return Double.isNaN(x) ? "&ndash;" : String.format(Locale.ROOT, "%.1f%%", 100 * x);
  }

  static String pct(Double x) {
    return x == null ? "&ndash;" : pct(x.doubleValue());
  }

  static String num(double x, String format) {
    return Double.isNaN(x) ? "&ndash;" : String.format(Locale.ROOT, format, x);
  }
}
