package io.reckon.actors.store;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * {@code reckon.store { }} (config/persistence.conf), read once.
 *
 * @param kind where the journal lives
 * @param dir H2: the folder of the database file (relative to the working directory)
 * @param url PostgreSQL: the JDBC URL
 * @param snapshotEvery a run's state is snapshotted every this many events
 * @param writeBatch finished questions in one journal write at most
 * @param writeLinger how long finished questions may wait for others to share their write
 */
public record StoreSettings(
    Kind kind, Path dir, String url, String user, String password, Duration connectTimeout,
    int snapshotEvery, int writeBatch, Duration writeLinger, Duration passivateAfter) {

  /** Idle run entities stop after this long by default (see reckon.store.passivate-after). */
  public static final Duration PASSIVATE_AFTER = Duration.ofMinutes(2);

  public StoreSettings(Kind kind, Path dir, String url, String user, String password,
      Duration connectTimeout, int snapshotEvery, int writeBatch, Duration writeLinger) {
    this(kind, dir, url, user, password, connectTimeout, snapshotEvery, writeBatch, writeLinger,
        PASSIVATE_AFTER);
  }

  public enum Kind {
    H2,
    POSTGRES
  }

  /** The H2 database's name inside {@code dir}: the file is {@code reckon.mv.db}. */
  public static final String H2_NAME = "reckon";

  public StoreSettings {
    if (snapshotEvery < 1) {
      throw new IllegalArgumentException(
          "reckon.store.snapshot-every must be >= 1, was " + snapshotEvery);
    }
    if (writeBatch < 1) {
      throw new IllegalArgumentException("reckon.store.write-batch must be >= 1, was " + writeBatch);
    }
    if (kind == Kind.POSTGRES && (url == null || !url.startsWith("jdbc:postgresql:"))) {
      throw new IllegalArgumentException("reckon.store.url must be a jdbc:postgresql://HOST:PORT/DB "
          + "URL when reckon.store.kind = postgres (set RECKON_STORE_URL), was '" + url + "'");
    }
  }

  public static StoreSettings from(Config root) {
    Config c = root.getConfig("reckon.store");
    String kind = c.getString("kind").strip().toUpperCase(Locale.ROOT);
    Kind k;
    try {
      k = Kind.valueOf(kind);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("reckon.store.kind '" + c.getString("kind")
          + "': allowed are h2, postgres (env RECKON_STORE_KIND)", e);
    }
    return new StoreSettings(
        k, Path.of(c.getString("dir")), c.getString("url"), c.getString("user"),
        c.getString("password"), c.getDuration("connect-timeout"), c.getInt("snapshot-every"),
        c.getInt("write-batch"), c.getDuration("write-linger"),
        c.hasPath("passivate-after") ? c.getDuration("passivate-after") : PASSIVATE_AFTER);
  }

  /** The same settings with the H2 folder elsewhere (tests, the kill drill). */
  public StoreSettings withDir(Path other) {
    return new StoreSettings(
        kind, other, url, user, password, connectTimeout, snapshotEvery, writeBatch, writeLinger,
        passivateAfter);
  }

  /** The same settings with another idle time before a run entity stops (tests). */
  public StoreSettings withPassivateAfter(Duration idle) {
    return new StoreSettings(
        kind, dir, url, user, password, connectTimeout, snapshotEvery, writeBatch, writeLinger,
        idle);
  }

  /** The JDBC URL the journal connects to. */
  public String jdbcUrl() {
    if (kind == Kind.POSTGRES) {
      return url;
    }
    // AUTO_SERVER: the first process to open the file serves it to the others, so 'reckon runs'
    // and 'reckon results' can read a store that a run holds open. WRITE_DELAY=0: H2 otherwise
    // writes commits to the file up to 500 ms later, and a process killed meanwhile loses them
    // (the kill drill caught it).
    bindH2ToLoopback();
    return "jdbc:h2:file:" + dir.toAbsolutePath().normalize().resolve(H2_NAME)
        + ";AUTO_SERVER=TRUE;WRITE_DELAY=0";
  }

  /**
   * H2's AUTO_SERVER mode serves an open database file to other processes over TCP; by default it
   * would listen on the machine's network address. Only this machine's processes share the file.
   * H2 reads the property once, when its classes load: everything that connects gets the URL here
   * first.
   */
  static void bindH2ToLoopback() {
    if (System.getProperty("h2.bindAddress") == null) {
      System.setProperty("h2.bindAddress", "127.0.0.1");
    }
  }

  /** Where the store is, for messages (never the password). */
  public String describe() {
    return kind == Kind.POSTGRES
        ? "PostgreSQL at " + url
        : "H2 store " + dir.resolve(H2_NAME + ".mv.db");
  }
}
