package io.reckon.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.reckon.actors.TaskSettings;
import io.reckon.search.StrategyConfig;
import io.reckon.search.task.Task;
import io.reckon.search.task.Tasks;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code reckon.serve { }}, read once (see {@code config/serve.conf} for what each key means).
 *
 * @param apiToken the bearer token every API request must carry; empty = none (loopback only)
 * @param tasks the tasks this server knows ({@code reckon.tasks})
 * @param task the served model's task: what a request that names none answers in
 */
public record ServerSettings(
    String host,
    int port,
    String apiToken,
    StrategyConfig strategy,
    int budget,
    int maxBudget,
    int maxN,
    int maxPending,
    Duration retryAfter,
    Duration timeout,
    Duration maxTimeout,
    long maxBody,
    Duration keepAlive,
    Duration shutdownDeadline,
    Path dataDir,
    int maxRuns,
    Path policy,
    Tasks tasks,
    Task task) {

  public ServerSettings {
    if (tasks == null) {
      tasks = Tasks.builtin();
    }
    if (task == null) {
      task = tasks.defaultTask();
    }
    atLeast("reckon.serve.port", port, 0);
    atLeast("reckon.serve.budget", budget, 1);
    atLeast("reckon.serve.max-budget", maxBudget, budget);
    atLeast("reckon.serve.max-n", maxN, 1);
    atLeast("reckon.serve.max-pending", maxPending, 1);
    atLeast("reckon.serve.max-body", maxBody, 1024);
    atLeast("reckon.serve.max-runs", maxRuns, 1);
    if (port > 65535) {
      throw new IllegalArgumentException("reckon.serve.port must be <= 65535, was " + port);
    }
  }

  public static ServerSettings from(Config root) {
    Config c = root.getConfig("reckon.serve");
    Tasks tasks = TaskSettings.from(root);
    Task task;
    try {
      task = c.hasPath("task") ? tasks.get(c.getString("task")) : tasks.defaultTask();
    } catch (Tasks.UnknownTaskException e) {
      throw new IllegalArgumentException(
          "reckon.serve.task (env RECKON_SERVE_TASK): " + e.getMessage(), e);
    }
    String spec = c.getString("strategy");
    StrategyConfig strategy;
    try {
      strategy = StrategyConfig.parse(spec);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("reckon.serve.strategy: " + e.getMessage(), e);
    }
    try {
      return new ServerSettings(
          c.getString("host"),
          c.getInt("port"),
          c.getString("api-token").strip(),
          strategy,
          c.getInt("budget"),
          c.getInt("max-budget"),
          c.getInt("max-n"),
          c.getInt("max-pending"),
          c.getDuration("retry-after"),
          c.getDuration("timeout"),
          c.getDuration("max-timeout"),
          c.getBytes("max-body"),
          c.getDuration("keep-alive"),
          c.getDuration("shutdown-deadline"),
          Path.of(c.getString("data-dir")),
          c.getInt("max-runs"),
          Path.of(c.getString("policy")),
          tasks,
          task);
    } catch (ConfigException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  public ServerSettings withAddress(String host, int port) {
    return new ServerSettings(host, port, apiToken, strategy, budget, maxBudget, maxN, maxPending,
        retryAfter, timeout, maxTimeout, maxBody, keepAlive, shutdownDeadline, dataDir, maxRuns,
        policy, tasks, task);
  }

  public ServerSettings withToken(String token) {
    return new ServerSettings(host, port, token, strategy, budget, maxBudget, maxN, maxPending,
        retryAfter, timeout, maxTimeout, maxBody, keepAlive, shutdownDeadline, dataDir, maxRuns,
        policy, tasks, task);
  }

  public ServerSettings withLimits(int maxPending, Duration timeout, long maxBody) {
    return new ServerSettings(host, port, apiToken, strategy, budget, maxBudget, maxN, maxPending,
        retryAfter, timeout, maxTimeout, maxBody, keepAlive, shutdownDeadline, dataDir, maxRuns,
        policy, tasks, task);
  }

  /** The served model's task: what a request that names none answers in. */
  public ServerSettings withTask(Task t) {
    return new ServerSettings(host, port, apiToken, strategy, budget, maxBudget, maxN, maxPending,
        retryAfter, timeout, maxTimeout, maxBody, keepAlive, shutdownDeadline, dataDir, maxRuns,
        policy, tasks, t);
  }

  public ServerSettings withDataDir(Path dataDir) {
    return new ServerSettings(host, port, apiToken, strategy, budget, maxBudget, maxN, maxPending,
        retryAfter, timeout, maxTimeout, maxBody, keepAlive, shutdownDeadline, dataDir, maxRuns,
        policy, tasks, task);
  }

  public boolean tokenRequired() {
    return !apiToken.isEmpty();
  }

  /**
   * Whether {@code host} names only this machine. Anything else exposes the API to a network, so
   * the server refuses to start there without a token.
   */
  public boolean loopback() {
    try {
      for (InetAddress a : InetAddress.getAllByName(host)) {
        if (!a.isLoopbackAddress()) {
          return false;
        }
      }
      return true;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /**
   * The shortest API token the server accepts: 16 random characters are beyond guessing at the
   * rate that throttled attempts allow (reckon.serve.auth-failures).
   */
  public static final int MIN_TOKEN_CHARS = 16;

  /** Why this configuration must not start, or {@code null}. */
  public String refusal() {
    if (!loopback() && !tokenRequired()) {
      return "binding " + host + " (not loopback) needs an API token: set RECKON_API_TOKEN, or "
          + "bind 127.0.0.1";
    }
    if (tokenRequired() && apiToken.length() < MIN_TOKEN_CHARS) {
      return "the API token (RECKON_API_TOKEN) is " + apiToken.length() + " characters long: use "
          + "at least " + MIN_TOKEN_CHARS + ", e.g. openssl rand -hex 24";
    }
    return null;
  }

  private static void atLeast(String key, long value, long min) {
    if (value < min) {
      throw new IllegalArgumentException(key + " must be >= " + min + ", was " + value);
    }
  }
}
