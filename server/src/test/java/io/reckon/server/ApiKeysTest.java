package io.reckon.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class ApiKeysTest {
  private static final String HASH = HexFormat.of().formatHex(ApiKeys.sha256("s3cret-key"));

  @Test
  void parsesNamesHashesWeightsAndQuotas() {
    ApiKeys keys = ApiKeys.parse(List.of("# comment", "", "team-a " + HASH + " 3 100_000 # a",
        "team-b sha256:" + HASH.replace('0', '1') + " 0.5"), "keys");
    assertThat(keys.keys()).hasSize(2);
    assertThat(keys.match("s3cret-key").name()).isEqualTo("team-a");
    assertThat(keys.match("s3cret-key").weight()).isEqualTo(3);
    assertThat(keys.match("s3cret-key").dailyQuota()).isEqualTo(100_000L);
    assertThat(keys.keys().get(1).dailyQuota()).isNull();
    assertThat(keys.match("other")).isNull();
  }

  @Test
  void refusesMalformedLinesNamingThem() {
    assertThatThrownBy(() -> ApiKeys.parse(List.of("a " + HASH), "keys"))
        .hasMessageContaining("keys line 1");
    assertThatThrownBy(() -> ApiKeys.parse(List.of("a abc 1"), "keys"))
        .hasMessageContaining("64 hex digits");
    assertThatThrownBy(() -> ApiKeys.parse(List.of("a " + HASH + " 0"), "keys"))
        .hasMessageContaining("weight");
    assertThatThrownBy(() -> ApiKeys.parse(List.of("a " + HASH + " 1", "a " + HASH + " 1"),
        "keys")).hasMessageContaining("named twice");
    assertThatThrownBy(() -> ApiKeys.parse(List.of("# nothing"), "keys"))
        .hasMessageContaining("names no key");
  }
}
