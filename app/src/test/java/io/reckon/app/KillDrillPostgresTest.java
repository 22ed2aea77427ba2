package io.reckon.app;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kill drill against a real PostgreSQL 18 server that the test starts (no Docker). */
class KillDrillPostgresTest {
  @TempDir Path dir;

  @Test
  void aRunKilledWithSigkillResumesFromPostgres() throws Exception {
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder()
        .setOverrideWorkingDirectory(dir.resolve("pg").toFile())
        .setPGStartupWait(Duration.ofSeconds(120))
        .start()) {
      KillDrill drill = new KillDrill(dir, Map.of(
          "reckon.store.kind", "postgres",
          "reckon.store.url", pg.getJdbcUrl("postgres", "postgres"),
          "reckon.store.user", "postgres",
          "reckon.store.password", ""));
      KillDrill.assertDrill(drill.run(1200));
    }
  }
}
