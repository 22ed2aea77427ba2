package io.reckon.app;

import com.typesafe.config.Config;
import io.reckon.actors.RunEntity;
import io.reckon.actors.store.StoreSettings;
import io.reckon.protocol.RunStatus;
import io.reckon.runtime.UserMessages;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code reckon cancel RUN_ID}: ends a run for good, keeping what finished. */
@Command(
    name = "cancel",
    mixinStandardHelpOptions = true,
    description = "Cancels a run that has not ended: what finished is kept (reckon results), nothing "
        + "more is computed and it is never resumed. A run of 'reckon serve' is cancelled through "
        + "that server (--server); without it the run is cancelled in the store (reckon.store), for "
        + "a run that stopped before its end. Stop a 'reckon run' that is still going with Ctrl-C "
        + "first.")
final class CancelCommand implements Callable<Integer> {
  @Mixin DurableRuns.RunIdParameter id = new DurableRuns.RunIdParameter();

  @Option(names = "--server", paramLabel = "URL",
      description = "The 'reckon serve' that executes the run, e.g. http://127.0.0.1:8080 (sends "
          + "DELETE /v1/runs/RUN_ID, with RECKON_API_TOKEN as the bearer token when it is set)")
  String server;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    String runId = id.value();
    if (server != null) {
      return overHttp(runId, out);
    }
    DurableRuns.Configured configured = DurableRuns.Configured.load();
    Config hocon = configured.hocon();
    StoreSettings store = DurableRuns.open(hocon);
    try (DurableRuns.Node node = new DurableRuns.Node(hocon, store, configured.settings(), null, 0,
        List.of())) {
      DurableRuns.started(node, runId); // an unknown id is bad input
      // A run that ended already is refused by the run itself, in one line.
      RunStatus s = node.ask(runId, reply -> new RunEntity.Cancel("cancelled with reckon cancel", reply));
      out.println("reckon cancel: run " + runId + " " + s.state() + " (" + s.done() + " of "
          + s.questions() + " questions finished; 'reckon results " + runId + "' has them)");
      out.flush();
      return 0;
    }
  }

  private int overHttp(String runId, PrintWriter out) throws IOException, InterruptedException {
    URI uri;
    try {
      String base = server.endsWith("/") ? server.substring(0, server.length() - 1) : server;
      uri = URI.create(base + "/v1/runs/" + runId);
      if (uri.getScheme() == null || !uri.getScheme().startsWith("http") || uri.getHost() == null) {
        throw new IllegalArgumentException("not an http(s) URL");
      }
    } catch (IllegalArgumentException e) {
      throw new Main.BadInput("--server must be a URL like http://127.0.0.1:8080 (got "
          + UserMessages.scrub(server) + ")");
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).DELETE();
    String token = System.getenv("RECKON_API_TOKEN");
    if (token != null && !token.isEmpty()) {
      request.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> r;
    try {
      r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
          .send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (java.net.ConnectException e) {
      spec.commandLine().getErr().println("reckon cancel: no server answers at " + server);
      return 1;
    }
    if (r.statusCode() / 100 != 2) {
      throw new Main.BadInput("the server answered " + r.statusCode() + ": " + UserMessages.scrub(r.body()));
    }
    out.println("reckon cancel: run " + runId + " cancelled on " + server);
    out.flush();
    return 0;
  }
}
