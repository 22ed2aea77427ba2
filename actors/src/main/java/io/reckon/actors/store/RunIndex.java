package io.reckon.actors.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.reckon.protocol.RunStatus;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.persistence.jdbc.db.SlickExtension;
import org.apache.pekko.persistence.jdbc.db.SlickExtensionImpl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runs' read side: table {@code reckon_runs}, one row per run holding its latest {@link
 * RunStatus} as JSON, written by the run's entity at its milestones (started, resumed, ended,
 * stopped, and at most once a second while questions finish). Listings read it instead of
 * recovering every run; {@code reckon runs prune} deletes from it with the run's events. Writes go
 * through one thread, in order, on the journal's connection pool; a failed write is logged and
 * the next one repairs the row. Without the JDBC journal (in-memory runs) it does nothing.
 */
public final class RunIndex implements Extension {
  private static final Logger LOG = LoggerFactory.getLogger(RunIndex.class);
  private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules()
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  public static final ExtensionId<RunIndex> ID = new ExtensionId<>() {
    @Override
    public RunIndex createExtension(ActorSystem<?> system) {
      return new RunIndex(system);
    }
  };

  public static RunIndex get(ActorSystem<?> system) {
    return system.registerExtension(ID);
  }

  private final ActorSystem<?> system;
  private final boolean enabled;
  private final boolean h2;
  private final ExecutorService writer;
  private volatile slick.jdbc.JdbcDataSource source;

  private RunIndex(ActorSystem<?> system) {
    this.system = system;
    var config = system.settings().config();
    this.enabled = config.hasPath("pekko.persistence.journal.plugin")
        && "jdbc-journal".equals(config.getString("pekko.persistence.journal.plugin"))
        && config.hasPath("pekko-persistence-jdbc.shared-databases.reckon.profile");
    this.h2 = enabled && config.getString("pekko-persistence-jdbc.shared-databases.reckon.profile")
        .contains("H2");
    this.writer = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "reckon-run-index");
      t.setDaemon(true);
      return t;
    });
    system.getWhenTerminated().thenRun(writer::shutdown);
  }

  private boolean terminating() {
    return org.apache.pekko.actor.CoordinatedShutdown.get(system).getShutdownReason().isPresent()
        || system.getWhenTerminated().toCompletableFuture().isDone();
  }

  public boolean enabled() {
    return enabled;
  }

  private Connection connect() throws SQLException {
    if (source == null) {
      SlickExtensionImpl slick = (SlickExtensionImpl) SlickExtension.get(system.classicSystem());
      source = slick.database(system.settings().config().getConfig("jdbc-read-journal"))
          .database().source();
    }
    return source.createConnection();
  }

  private String table() {
    return h2 ? "\"reckon_runs\"" : "reckon_runs";
  }

  private String col(String name) {
    return h2 ? "\"" + name + "\"" : name;
  }

  /** Records the run's status (ordered after every earlier call). */
  public void put(RunStatus status) {
    if (!enabled || status == null) {
      return;
    }
    try {
      writer.execute(() -> {
        try (Connection c = connect()) {
          String sql = h2
              ? "MERGE INTO " + table() + " KEY(" + col("run_id") + ") VALUES (?, ?, ?, ?, ?)"
              : "INSERT INTO reckon_runs (run_id, started_at, ended_at, state, status) "
                  + "VALUES (?, ?, ?, ?, ?) ON CONFLICT (run_id) DO UPDATE SET "
                  + "started_at = EXCLUDED.started_at, ended_at = EXCLUDED.ended_at, "
                  + "state = EXCLUDED.state, status = EXCLUDED.status";
          try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, status.runId());
            s.setLong(2, status.startedAt() == null ? 0 : status.startedAt().toEpochMilli());
            if (status.endedAt() == null) {
              s.setNull(3, java.sql.Types.BIGINT);
            } else {
              s.setLong(3, status.endedAt().toEpochMilli());
            }
            s.setString(4, status.state());
            s.setString(5, JSON.writeValueAsString(status));
            s.executeUpdate();
          }
        } catch (Exception e) {
          if (terminating()) {
            // Entities stopping with the system write last; the pool may be closed by then. The
            // next start's recovery writes the row again.
            LOG.debug("run {}: the runs index was not updated at shutdown", status.runId());
          } else {
            LOG.warn("run {}: the runs index was not updated ({})", status.runId(), e.toString());
          }
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // The system is terminating: the next start's recovery writes the row again.
    }
  }

  /** The {@code limit} most recent runs, newest first (run ids sort by start time). */
  public CompletionStage<List<RunStatus>> recent(int limit) {
    return query(c -> {
      try (PreparedStatement s = c.prepareStatement("SELECT " + col("status") + " FROM "
          + table() + " ORDER BY " + col("run_id") + " DESC LIMIT ?")) {
        s.setInt(1, limit);
        List<RunStatus> out = new ArrayList<>();
        try (ResultSet r = s.executeQuery()) {
          while (r.next()) {
            out.add(JSON.readValue(r.getString(1), RunStatus.class));
          }
        }
        return out;
      }
    });
  }

  /** Answers whether the store takes a trivial query (for /ready's cached view). */
  public CompletionStage<Boolean> ping() {
    if (!enabled) {
      return CompletableFuture.completedFuture(true);
    }
    return query(c -> c.isValid(5));
  }

  /**
   * Connections the journal's pool holds now (HikariCP's count, read reflectively so that this
   * module needs no compile-time dependency on the pool); -1 when unknown.
   */
  public int connections() {
    try {
      if (source == null) {
        connect().close();
      }
      Object ds = source.getClass().getMethod("ds").invoke(source);
      Object pool = ds.getClass().getMethod("getHikariPoolMXBean").invoke(ds);
      return (Integer) pool.getClass().getMethod("getTotalConnections").invoke(pool);
    } catch (Exception | LinkageError e) {
      return -1;
    }
  }

  /** Prunes the runs that ended before {@code cutoff} (see {@link RunPruner}), on the pool. */
  public CompletionStage<RunPruner.Freed> prune(java.time.Instant cutoff) {
    return query(c -> new RunPruner(h2 ? StoreSettings.Kind.H2 : StoreSettings.Kind.POSTGRES)
        .prune(c, cutoff, false));
  }

  /** Runs that ended before {@code cutoffMillis}, oldest first. */
  public CompletionStage<List<String>> endedBefore(long cutoffMillis) {
    return query(c -> {
      try (PreparedStatement s = c.prepareStatement("SELECT " + col("run_id") + " FROM "
          + table() + " WHERE " + col("ended_at") + " IS NOT NULL AND " + col("ended_at")
          + " < ? ORDER BY " + col("run_id"))) {
        s.setLong(1, cutoffMillis);
        List<String> out = new ArrayList<>();
        try (ResultSet r = s.executeQuery()) {
          while (r.next()) {
            out.add(r.getString(1));
          }
        }
        return out;
      }
    });
  }

  interface Query<T> {
    T run(Connection c) throws Exception;
  }

  private <T> CompletionStage<T> query(Query<T> q) {
    if (!enabled) {
      return CompletableFuture.failedFuture(new IllegalStateException("no run store"));
    }
    CompletableFuture<T> f = new CompletableFuture<>();
    try {
      writer.execute(() -> {
        try (Connection c = connect()) {
          f.complete(q.run(c));
        } catch (Exception e) {
          f.completeExceptionally(e);
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      f.completeExceptionally(e);
    }
    return f;
  }
}
