package io.reckon.actors.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterSettingsTest {
  private static ClusterSettings shipped() {
    return ClusterSettings.from(ConfigFactory.load());
  }

  @Test
  void theShippedSettingsMakeACoordinatorWithTheResolverOn() {
    ClusterSettings s = shipped();
    assertThat(s.roles()).containsExactly(ClusterSettings.COORDINATOR);
    assertThat(s.seedNodes()).isEmpty();
    Config pekko = s.withSeedNodes(List.of("10.0.0.1:25520", "10.0.0.2:25520"))
        .pekkoConfig().withFallback(ConfigFactory.load()).resolve();
    assertThat(pekko.getString("pekko.actor.provider")).isEqualTo("cluster");
    assertThat(pekko.getStringList("pekko.cluster.seed-nodes"))
        .containsExactly("pekko://reckon@10.0.0.1:25520", "pekko://reckon@10.0.0.2:25520");
    assertThat(pekko.getString("pekko.cluster.downing-provider-class"))
        .isEqualTo("org.apache.pekko.cluster.sbr.SplitBrainResolverProvider");
    assertThat(pekko.getString("pekko.cluster.split-brain-resolver.active-strategy"))
        .isEqualTo("keep-majority");
    assertThat(pekko.getDuration("pekko.cluster.split-brain-resolver.stable-after"))
        .isEqualTo(s.stableAfter());
    assertThat(pekko.getBytes("pekko.remote.artery.advanced.maximum-frame-size"))
        .isEqualTo(s.maximumFrameSize()).isGreaterThan(256L * 1024);
  }

  @Test
  void badValuesAreRefusedInOneLineNamingTheField() {
    assertThatThrownBy(() -> shipped().withSeedNodes(List.of("10.0.0.1")))
        .hasMessage("reckon.cluster.seed-nodes: '10.0.0.1' is not HOST:PORT (e.g. 10.0.0.5:25520)");
    assertThatThrownBy(() -> shipped().withSeedNodes(List.of("h:99999")))
        .hasMessageStartingWith("reckon.cluster.seed-nodes: 'h:99999'");
    assertThatThrownBy(() -> shipped().withRoles(List.of("gpu")))
        .hasMessage("reckon.cluster.roles: unknown role 'gpu' (use coordinator and/or worker)");
    assertThatThrownBy(() -> shipped().withAddress("h", 70000))
        .hasMessage("reckon.cluster.port must be between 0 and 65535 (got 70000)");
    assertThat(shipped().withTiming(Duration.ofSeconds(2), Duration.ofSeconds(1)).stableAfter())
        .isEqualTo(Duration.ofSeconds(2));
  }
}
