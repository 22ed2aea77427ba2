package io.reckon.actors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.reckon.protocol.Question;
import io.reckon.protocol.QuestionResult;
import io.reckon.protocol.RunSummary;
import io.reckon.runtime.Dataset;
import io.reckon.search.StrategyConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;

/** Runs whole runs inside an {@link ActorTestKit} and collects what the listener heard. */
final class Harness {
  /** Generous: tests must pass on a loaded 2-core machine. No test asserts on time. */
  static final Duration PATIENCE = Duration.ofSeconds(90);

  private Harness() {}

  static Config config(String overrides) {
    return ConfigFactory.parseString(overrides).withFallback(ConfigFactory.load()).resolve();
  }

  static ReckonSettings settings(ActorTestKit kit) {
    return ReckonSettings.from(kit.system().settings().config());
  }

  static Path root() {
    return Path.of(System.getProperty("reckon.root", "..")).toAbsolutePath().normalize();
  }

  /** {@code n} questions of the shipped test set, spread over every level. */
  static List<Question> questions(int n) {
    List<Question> all = Dataset.read(root().resolve("data/arith/test.jsonl"));
    List<Question> picked = new ArrayList<>(n);
    int step = Math.max(1, all.size() / n);
    for (int i = 0; i < all.size() && picked.size() < n; i += step) {
      picked.add(all.get(i));
    }
    return picked;
  }

  record Collected(List<QuestionResult> results, RunSummary summary) {}

  static Collected run(
      ActorTestKit kit, List<Question> questions, String strategy, int budget, long seed) {
    return run(kit, RunSupervisor.Run.of(questions, StrategyConfig.parse(strategy), budget, seed));
  }

  /** Runs {@code run} on {@code kit} to its end and collects what it reported. */
  static Collected run(ActorTestKit kit, RunSupervisor.Run run) {
    TestProbe<RunSupervisor.Event> listener = kit.createTestProbe();
    kit.spawn(RunSupervisor.create(run, settings(kit), listener.getRef()), "run");
    List<QuestionResult> results = new ArrayList<>();
    while (true) {
      RunSupervisor.Event e = listener.receiveMessage(PATIENCE);
      if (e instanceof RunSupervisor.QuestionFinished f) {
        results.add(f.result());
      } else if (e instanceof RunSupervisor.RunFinished done) {
        assertThat(results).hasSize(done.summary().questions());
        return new Collected(results, done.summary());
      } else {
        return fail("run failed: " + e);
      }
    }
  }
}
