package io.reckon.server;

import io.reckon.protocol.api.Usage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.pekko.http.javadsl.server.Route;

/** {@code GET /v1/usage}: generations and admission outcomes per API key. */
final class UsageRoutes extends HttpSupport {
  private final Admission admission;
  private final ApiKeys keys;

  UsageRoutes(ServerSettings settings, ServerMetrics metrics, Admission admission, ApiKeys keys) {
    super(settings, metrics);
    this.admission = admission;
    this.keys = keys;
  }

  Route route() {
    return pathPrefix("v1", () -> path("usage", () -> timed("usage", () -> get(
        () -> KeyedAccess.withKey(key -> complete(json(200, usage(key))))))));
  }

  Usage usage(ApiKeys.Key caller) {
    Map<String, ApiKeys.Key> known = keys.keys().stream()
        .collect(Collectors.toMap(ApiKeys.Key::name, Function.identity()));
    List<Usage.Key> lines = new ArrayList<>();
    boolean all = caller.name().equals(ApiKeys.DEFAULT.name());
    for (Admission.Usage u : admission.usage()) {
      if (all || u.key().equals(caller.name())) {
        lines.add(line(u, known.getOrDefault(u.key(), u.key().equals(caller.name()) ? caller
            : null)));
      }
    }
    if (lines.stream().noneMatch(l -> l.name().equals(caller.name())) && !all) {
      lines.add(line(admission.usage(caller), caller));
    }
    lines.sort(Comparator.comparing(Usage.Key::name));
    return new Usage("usage", caller.name(), admission.held(), admission.limit(), lines);
  }

  private Usage.Key line(Admission.Usage u, ApiKeys.Key key) {
    return new Usage.Key(u.key(), key == null ? 1 : key.weight(),
        key == null ? null : key.dailyQuota(), u.today(admission.today()), u.held(),
        u.generations(), u.admitted(), u.refusedPool(), u.refusedShare(), u.refusedQuota(),
        u.cancelled());
  }
}
