package io.reckon.server;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.http.javadsl.model.AttributeKey;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.javadsl.Flow;

/**
 * Tells a request that its client hung up. Pekko HTTP drops the response of a closed connection
 * but lets the handler's future run on: a search would keep its workers and its admission grant
 * until its deadline. Each connection gets a {@link Scope} (in the request's attributes) that runs
 * its registered actions when the connection's request side ends, which is when the client closes
 * it; a request unregisters its action once answered.
 */
final class Disconnects {
  private Disconnects() {}

  static final AttributeKey<Scope> ATTRIBUTE = AttributeKey.create("reckon-connection", Scope.class);

  /** One connection's hang-up actions. */
  static final class Scope {
    private final Set<Runnable> actions = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** Runs {@code action} when the connection closes (at once if it has); the result unregisters. */
    Runnable onClose(Runnable action) {
      actions.add(action);
      if (closed && actions.remove(action)) {
        action.run();
      }
      return () -> actions.remove(action);
    }

    void close() {
      closed = true;
      for (Runnable a : actions) {
        if (actions.remove(a)) {
          a.run();
        }
      }
    }

    static final Scope NONE = new Scope();
  }

  /** The route as the handler of each connection, each with its own {@link Scope}. */
  static Flow<HttpRequest, HttpResponse, NotUsed> flow(
      Route route, ClassicActorSystemProvider system) {
    Flow<HttpRequest, HttpResponse, NotUsed> handler = route.flow(system);
    return Flow.<HttpRequest, HttpResponse, NotUsed>fromMaterializer((mat, attributes) -> {
      Scope scope = new Scope();
      return Flow.of(HttpRequest.class)
          .watchTermination((m, done) -> {
            done.whenComplete((d, e) -> scope.close());
            return m;
          })
          .map(r -> r.addAttribute(ATTRIBUTE, scope))
          .via(handler);
    }).mapMaterializedValue(f -> NotUsed.getInstance());
  }

  /** The request's connection scope ({@link Scope#NONE} where the server did not set one). */
  static Route scoped(Function<Scope, Route> inner) {
    return new Reader().read(inner);
  }

  private static final class Reader extends AllDirectives {
    Route read(Function<Scope, Route> inner) {
      return optionalAttribute(ATTRIBUTE, s -> inner.apply(s.orElse(Scope.NONE)));
    }
  }
}
