package io.reckon.app;

import io.reckon.actors.RunEntity;
import io.reckon.actors.store.StoreSettings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** Counts a run's journaled results with plain JDBC (the drill's view from outside). */
final class Journals {
  private Journals() {}

  static long count(StoreSettings store, String runId) throws SQLException {
    boolean h2 = store.kind() == StoreSettings.Kind.H2;
    String q = h2 ? "\"" : "";
    String sql = "SELECT count(*) FROM " + q + "event_journal" + q + " WHERE " + q + "persistence_id"
        + q + " = ? AND " + q + "event_ser_manifest" + q + " LIKE ?";
    try (Connection c = DriverManager.getConnection(store.jdbcUrl(), store.user(), store.password());
        PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, RunEntity.persistenceId(runId).id());
      s.setString(2, "%QuestionFinished%");
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return r.getLong(1);
      }
    }
  }
}
