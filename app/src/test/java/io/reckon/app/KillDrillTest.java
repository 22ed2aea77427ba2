package io.reckon.app;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kill drill on the embedded H2 store: SIGKILL a running 'reckon run', resume it, and find
 * every question answered once, nothing computed twice, the results of an uninterrupted run.
 */
class KillDrillTest {
  @TempDir Path dir;

  @Test
  void aRunKilledWithSigkillResumesToTheResultsOfAnUninterruptedRun() throws Exception {
    KillDrill drill = new KillDrill(dir, Map.of("reckon.store.dir", dir.resolve("store").toString()));
    KillDrill.assertDrill(drill.run(1200));
  }
}
