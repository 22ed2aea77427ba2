package io.reckon.server;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code reckon.limits { }} (see {@code config/limits.conf}).
 *
 * @param apiKeysFile the named keys; {@code null}: the single token
 */
public record LimitSettings(Path apiKeysFile, Duration fairShareWindow, int maxEventStreams) {
  public static final LimitSettings DEFAULT = new LimitSettings(null, Duration.ofSeconds(5), 256);

  public LimitSettings {
    if (maxEventStreams < 1) {
      throw new IllegalArgumentException(
          "reckon.limits.max-event-streams must be >= 1, was " + maxEventStreams);
    }
  }

  public static LimitSettings from(Config root) {
    if (!root.hasPath("reckon.limits")) {
      return DEFAULT;
    }
    Config c = root.getConfig("reckon.limits");
    String file = c.hasPath("api-keys-file") ? c.getString("api-keys-file").strip() : "";
    return new LimitSettings(file.isEmpty() ? null : Path.of(file),
        c.hasPath("fair-share-window") ? c.getDuration("fair-share-window")
            : DEFAULT.fairShareWindow(),
        c.hasPath("max-event-streams") ? c.getInt("max-event-streams")
            : DEFAULT.maxEventStreams());
  }

  public ApiKeys keys() {
    return apiKeysFile == null ? ApiKeys.NONE : ApiKeys.load(apiKeysFile);
  }
}
