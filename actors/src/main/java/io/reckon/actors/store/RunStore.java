package io.reckon.actors.store;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Opens the run journal's database: before an actor system touches it, {@link #prepare} connects
 * once, creates the schema on first use and checks that the tables are the ones the journal
 * expects, so that every problem is one clear line ({@link StoreException}) instead of a failed
 * actor deep in a run. {@link #config} is the Pekko persistence configuration for the same store.
 */
public final class RunStore {
  private RunStore() {}

  /** The journal's columns that Reckon's writes and reads rely on. */
  private static final String PROBE_JOURNAL = "SELECT %1$sordering%1$s, %1$spersistence_id%1$s, "
      + "%1$ssequence_number%1$s, %1$sdeleted%1$s, %1$swriter%1$s, %1$sevent_payload%1$s, "
      + "%1$sevent_ser_id%1$s, %1$sevent_ser_manifest%1$s FROM %1$sevent_journal%1$s WHERE 1 = 0";
  private static final String PROBE_SNAPSHOT = "SELECT %1$spersistence_id%1$s, "
      + "%1$ssequence_number%1$s, %1$ssnapshot_payload%1$s FROM %1$ssnapshot%1$s WHERE 1 = 0";

  /**
   * The store cannot be used. The message is one line that names the store and what to do;
   * {@link #exitStatus()} is 1 when the store cannot be reached (try again later), 2 when it is
   * unusable as it is (corrupt, locked, the wrong schema).
   */
  public static final class StoreException extends RuntimeException {
    private final int exitStatus;

    public StoreException(String message, int exitStatus, Throwable cause) {
      super(message, cause);
      this.exitStatus = exitStatus;
    }

    public int exitStatus() {
      return exitStatus;
    }
  }

  /** Connects, creates the schema if it is not there, and checks the tables. */
  public static void prepare(StoreSettings settings) {
    if (settings.kind() == StoreSettings.Kind.H2) {
      try {
        Files.createDirectories(settings.dir());
      } catch (IOException e) {
        throw new StoreException("cannot create the store folder " + settings.dir().toAbsolutePath()
            + " (" + e.getMessage() + "): set reckon.store.dir or RECKON_STORE_DIR", 2, e);
      }
    }
    DriverManager.setLoginTimeout((int) Math.max(1, settings.connectTimeout().toSeconds()));
    try (Connection c = DriverManager.getConnection(
        settings.jdbcUrl(), settings.user(), settings.password())) {
      try {
        createSchema(c, settings.kind());
      } catch (SQLException e) {
        // Class 42: a table of that name exists with other columns (an older or foreign journal).
        if (e.getSQLState() != null && e.getSQLState().startsWith("42")) {
          throw otherLayout(settings, e);
        }
        throw e;
      }
      checkTables(c, settings);
    } catch (SQLException e) {
      throw explain(e, settings);
    }
  }

  /**
   * The persistence plugins' database settings for this store, to put in front of the
   * application's configuration.
   */
  public static Config config(StoreSettings settings) {
    boolean h2 = settings.kind() == StoreSettings.Kind.H2;
    Map<String, Object> db = new HashMap<>();
    String base = "pekko-persistence-jdbc.shared-databases.reckon.";
    db.put(base + "profile", h2 ? "slick.jdbc.H2Profile$" : "slick.jdbc.PostgresProfile$");
    db.put(base + "db.url", settings.jdbcUrl());
    db.put(base + "db.user", settings.user());
    db.put(base + "db.password", settings.password());
    db.put(base + "db.driver", h2 ? "org.h2.Driver" : "org.postgresql.Driver");
    db.put(base + "db.connectionTimeout", Math.max(250, settings.connectTimeout().toMillis()));
    Config c = ConfigFactory.empty();
    for (Map.Entry<String, Object> e : db.entrySet()) {
      c = c.withValue(e.getKey(), ConfigValueFactory.fromAnyRef(e.getValue()));
    }
    return c;
  }

  private static void createSchema(Connection c, StoreSettings.Kind kind) throws SQLException {
    String resource = kind == StoreSettings.Kind.H2 ? "h2-schema.sql" : "postgres-schema.sql";
    String script;
    try (InputStream in = RunStore.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + resource);
      }
      script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + resource, e);
    }
    StringBuilder sql = new StringBuilder();
    for (String line : script.split("\n")) {
      if (!line.strip().startsWith("--")) {
        sql.append(line).append('\n');
      }
    }
    try (Statement s = c.createStatement()) {
      for (String statement : sql.toString().split(";")) {
        if (!statement.isBlank()) {
          s.execute(statement);
        }
      }
    }
  }

  private static void checkTables(Connection c, StoreSettings settings) {
    String quote = settings.kind() == StoreSettings.Kind.H2 ? "\"" : "";
    for (String probe : new String[] {PROBE_JOURNAL, PROBE_SNAPSHOT}) {
      try (Statement s = c.createStatement()) {
        s.executeQuery(String.format(Locale.ROOT, probe, quote)).close();
      } catch (SQLException e) {
        throw otherLayout(settings, e);
      }
    }
  }

  private static StoreException otherLayout(StoreSettings settings, SQLException e) {
    return new StoreException(settings.describe() + " has journal tables of another layout than "
        + "pekko-persistence-jdbc 1.1.1 writes (" + firstLine(e.getMessage())
        + "): point reckon.store at another database, or move the old one away", 2, e);
  }

  /** {@link #explain} for callers outside this package (a prune's failed connection). */
  public static StoreException explainFailure(SQLException e, StoreSettings settings) {
    return explain(e, settings);
  }

  /** One line for a failed connection, by the database's error codes. */
  static StoreException explain(SQLException e, StoreSettings settings) {
    String where = settings.describe();
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    String message = firstLine(e.getMessage());
    if (settings.kind() == StoreSettings.Kind.POSTGRES) {
      if (state.startsWith("08")) {
        return new StoreException("cannot reach " + where + " (" + message
            + "): start it, or check RECKON_STORE_URL", 1, e);
      }
      if (state.equals("28P01") || state.equals("28000")) {
        return new StoreException(where + " refused the login (" + message
            + "): check RECKON_STORE_USER and RECKON_STORE_PASSWORD", 2, e);
      }
      if (state.equals("3D000")) {
        return new StoreException(where + ": " + message + ": create the database first", 2, e);
      }
      return new StoreException(where + ": " + message, 1, e);
    }
    switch (e.getErrorCode()) {
      case 90020: // DATABASE_ALREADY_OPEN_1
        return new StoreException(where + " is locked by another process (" + message
            + "): wait for it to end, or set RECKON_STORE_DIR to another folder", 2, e);
      case 90028: // IO_EXCEPTION_1: the file is there but cannot be read as a database
      case 90030: // FILE_CORRUPTED_1
      case 90048: // FILE_VERSION_ERROR_1
      case 50000: // GENERAL_ERROR_1: MVStore reports a damaged file this way
        return new StoreException(where + " is damaged, unreadable or not an H2 "
            + org.h2.engine.Constants.VERSION + " database (" + message
            + "): move it away to start a new store, or restore a copy", 2, e);
      default:
        return new StoreException(where + ": " + message, 2, e);
    }
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "no message";
    }
    String line = message.strip();
    int nl = line.indexOf('\n');
    line = nl < 0 ? line : line.substring(0, nl);
    return line.length() > 300 ? line.substring(0, 300) + "..." : line;
  }
}
