package io.reckon.actors;

import java.time.Duration;
import java.util.Locale;

/** Durations as people write them ({@code 30s}, {@code 2m 5s}, {@code 250ms}), not ISO-8601's {@code PT30S}. */
public final class Durations {
  private Durations() {}

  public static String human(Duration d) {
    if (d.isNegative()) {
      return "-" + human(d.negated());
    }
    long ms = d.toMillis();
    if (d.isZero()) {
      return "0s";
    }
    if (ms < 1000) {
      return ms > 0 ? ms + "ms" : d.toNanos() + "ns";
    }
    long h = d.toHours();
    long m = d.toMinutesPart();
    long s = d.toSecondsPart();
    long rest = d.toMillisPart();
    StringBuilder b = new StringBuilder();
    if (h > 0) {
      b.append(h).append("h ");
    }
    if (m > 0) {
      b.append(m).append("m ");
    }
    if (s > 0 || rest > 0) {
      b.append(rest > 0 ? String.format(Locale.ROOT, "%d.%03ds", s, rest).replaceAll("0+s$", "s") : s + "s");
    }
    return b.toString().strip();
  }
}
