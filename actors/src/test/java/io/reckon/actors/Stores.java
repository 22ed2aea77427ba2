package io.reckon.actors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.reckon.actors.store.Digests;
import io.reckon.actors.store.RunStore;
import io.reckon.actors.store.StoreSettings;
import io.reckon.protocol.Question;
import io.reckon.protocol.RunSpec;
import io.reckon.runtime.synthetic.SyntheticReasoner;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;

/** A real H2 store in a test's folder, and the specs the tests run. */
final class Stores {
  private Stores() {}

  /** A real PostgreSQL server (18) in {@code dir}, started for the test; close it after. */
  static EmbeddedPostgres startPostgres(Path dir) throws IOException {
    return EmbeddedPostgres.builder()
        .setOverrideWorkingDirectory(dir.toFile())
        .setPGStartupWait(Duration.ofSeconds(120))
        .start();
  }

  /** The store settings of {@code pg}'s default database. */
  static StoreSettings postgres(EmbeddedPostgres pg, Path dir) {
    return new StoreSettings(StoreSettings.Kind.POSTGRES, dir,
        pg.getJdbcUrl("postgres", "postgres"), "postgres", "", Duration.ofSeconds(10), 10, 64,
        Duration.ZERO);
  }

  static StoreSettings h2(Path dir) {
    return StoreSettings.from(ConfigFactory.load()).withDir(dir);
  }

  /** The test kit's configuration on this store, schema created. */
  static Config config(StoreSettings store, String overrides) {
    RunStore.prepare(store);
    return ConfigFactory.parseString(overrides)
        .withFallback(RunStore.config(store))
        .withFallback(ConfigFactory.load())
        .resolve();
  }

  static final List<RunSpec.ModelRef> SYNTHETIC = List.of(
      new RunSpec.ModelRef("proposer", "synthetic", null, Digests.text("synthetic")),
      new RunSpec.ModelRef("verifier", "synthetic", null, Digests.text("synthetic")));

  /**
   * The synthetic proposer and verifier on {@code kit}, registered as the models {@link #SYNTHETIC}
   * names (a run sends work only to workers of its spec's models).
   */
  static void syntheticWorkers(ActorTestKit kit) {
    ReckonSettings s = Harness.settings(kit);
    SyntheticReasoner model = new SyntheticReasoner();
    kit.spawn(ProposerWorker.create(model, s.workers(),
        WorkerKeys.model(SYNTHETIC, ProposerWorker.KIND)), "proposer-0");
    kit.spawn(VerifierWorker.create(model, s.workers(),
        WorkerKeys.model(SYNTHETIC, VerifierWorker.KIND)), "verifier-0");
  }

  static RunSpec spec(List<Question> questions, String strategy, int budget, String allocation,
      long seed, int probe) {
    return new RunSpec(
        new RunSpec.Questions(null, Digests.questions(questions), questions.size(), questions),
        strategy, null, budget, allocation, seed, probe, SYNTHETIC);
  }
}
