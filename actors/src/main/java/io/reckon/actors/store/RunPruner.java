package io.reckon.actors.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Retention: deletes the runs that ended before a cutoff, with everything the store holds of them
 * (journal events and their tags, snapshots, the runs index row), and says how much it freed. A
 * run that has not ended (running, or stopped and resumable) is never pruned, however old. Which
 * runs ended, and when, comes from the runs index ({@link RunIndex}); a run written before the
 * index existed gets its row the first time it is recovered (e.g. listed by {@code reckon runs}).
 * One transaction per run, so an interrupted prune leaves whole runs.
 */
public final class RunPruner {

  /** What a prune removed (or, dry, would remove). */
  public record Freed(int runs, long events, long eventBytes, long snapshots, long snapshotBytes,
      List<String> runIds) {
    public String describe(boolean dry) {
      return String.format(Locale.ROOT, "%s %d run%s: %,d events (%s) and %,d snapshots (%s)",
          dry ? "would prune" : "pruned", runs, runs == 1 ? "" : "s", events, bytes(eventBytes),
          snapshots, bytes(snapshotBytes));
    }

    private static String bytes(long b) {
      if (b < 1024) {
        return b + " B";
      }
      if (b < 1024 * 1024) {
        return String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
      }
      return String.format(Locale.ROOT, "%.1f MiB", b / 1048576.0);
    }
  }

  private static final Pattern AGE = Pattern.compile("([0-9]{1,9})\\s*(d|h|m|s|w)");

  /** {@code 30d}, {@code 12h}, {@code 90m}, {@code 2w}; an IllegalArgumentException otherwise. */
  public static Duration parseAge(String text) {
    Matcher m = AGE.matcher(text == null ? "" : text.strip().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException("an age is a whole number and a unit, e.g. 30d, 12h, "
          + "90m, 2w; got '" + text + "'");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "w" -> Duration.ofDays(7 * n);
      case "d" -> Duration.ofDays(n);
      case "h" -> Duration.ofHours(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofSeconds(n);
    };
  }

  private final boolean h2;

  public RunPruner(StoreSettings.Kind kind) {
    this.h2 = kind == StoreSettings.Kind.H2;
  }

  private String t(String table) {
    return h2 ? "PUBLIC.\"" + table + "\"" : "public." + table;
  }

  private String c(String column) {
    return h2 ? "\"" + column + "\"" : column;
  }

  /** Prunes the runs that ended before {@code cutoff}; with {@code dry}, only counts them. */
  public Freed prune(Connection connection, Instant cutoff, boolean dry) throws SQLException {
    List<String> ids = new ArrayList<>();
    try (PreparedStatement s = connection.prepareStatement("SELECT " + c("run_id") + " FROM "
        + t("reckon_runs") + " WHERE " + c("ended_at") + " IS NOT NULL AND " + c("ended_at")
        + " < ? ORDER BY " + c("run_id"))) {
      s.setLong(1, cutoff.toEpochMilli());
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          ids.add(r.getString(1));
        }
      }
    }
    long events = 0;
    long eventBytes = 0;
    long snapshots = 0;
    long snapshotBytes = 0;
    boolean auto = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try {
      for (String id : ids) {
        String pid = "run|" + id;
        long[] e = count(connection, "event_journal", "event_payload", pid);
        long[] sn = count(connection, "snapshot", "snapshot_payload", pid);
        events += e[0];
        eventBytes += e[1];
        snapshots += sn[0];
        snapshotBytes += sn[1];
        if (dry) {
          continue;
        }
        // Tags go with their events (ON DELETE CASCADE); deleted explicitly all the same, so that
        // a store whose schema lacks the cascade is pruned whole too.
        delete(connection, "DELETE FROM " + t("event_tag") + " WHERE " + c("event_id")
            + " IN (SELECT " + c("ordering") + " FROM " + t("event_journal") + " WHERE "
            + c("persistence_id") + " = ?)", pid);
        delete(connection, "DELETE FROM " + t("event_journal") + " WHERE " + c("persistence_id")
            + " = ?", pid);
        delete(connection, "DELETE FROM " + t("snapshot") + " WHERE " + c("persistence_id")
            + " = ?", pid);
        delete(connection, "DELETE FROM " + t("reckon_runs") + " WHERE " + c("run_id") + " = ?",
            id);
        connection.commit();
      }
    } catch (SQLException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(auto);
    }
    return new Freed(ids.size(), events, eventBytes, snapshots, snapshotBytes, List.copyOf(ids));
  }

  private long[] count(Connection connection, String table, String payload, String pid)
      throws SQLException {
    try (PreparedStatement s = connection.prepareStatement("SELECT COUNT(*), COALESCE(SUM("
        + "OCTET_LENGTH(" + c(payload) + ")), 0) FROM " + t(table) + " WHERE "
        + c("persistence_id") + " = ?")) {
      s.setString(1, pid);
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return new long[] {r.getLong(1), r.getLong(2)};
      }
    }
  }

  private static void delete(Connection connection, String sql, String key) throws SQLException {
    try (PreparedStatement s = connection.prepareStatement(sql)) {
      s.setString(1, key);
      s.executeUpdate();
    }
  }
}
