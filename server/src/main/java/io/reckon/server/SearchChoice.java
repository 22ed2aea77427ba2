package io.reckon.server;

import io.reckon.actors.RunSupervisor;
import io.reckon.protocol.openai.ReckonOptions;
import io.reckon.search.StrategyConfig;
import io.reckon.search.policy.Policy;
import io.reckon.search.task.Task;
import io.reckon.search.task.Tasks;
import java.util.Locale;

/**
 * How one OpenAI request is searched, from its model name and its {@code reckon} extension field
 * (the field wins). Model names: {@code reckon} (the configured default), {@code reckon/SPEC}
 * and {@code reckon/SPEC@BUDGET}, e.g. {@code reckon/beam:m=4@16}, {@code reckon/compute-optimal@16}.
 *
 * @param strategy the main strategy; {@code null} under the policy
 * @param policy the compute-optimal policy; {@code null} for a fixed strategy
 * @param budget generations for this request; {@code null}: from the service-wide pool
 * @param task how the answer is found, voted on and graded: the {@code reckon.task} field, else
 *     the served model's {@code reckon.serve.task}
 */
public record SearchChoice(StrategyConfig strategy, Policy policy, Integer budget, Task task) {

  public SearchChoice {
    if (task == null) {
      task = Tasks.ARITH;
    }
  }

  public SearchChoice(StrategyConfig strategy, Policy policy, Integer budget) {
    this(strategy, policy, budget, Tasks.ARITH);
  }

  public static final String MODEL = "reckon";

  /** The loaded compute-optimal policy, or why there is none. */
  public record PolicySource(Policy policy, String unavailable) {
    public static PolicySource none(String why) {
      return new PolicySource(null, why);
    }
  }

  public String label() {
    String name = strategy != null ? strategy.name() : RunSupervisor.COMPUTE_OPTIMAL;
    return MODEL + "/" + name + (budget != null ? "@" + budget : "");
  }

  public static SearchChoice resolve(
      String model, ReckonOptions options, ServerSettings settings, PolicySource policies) {
    if (model == null || model.isBlank()) {
      throw ApiException.badRequest("model", "model is required: use \"reckon\" or "
          + "\"reckon/STRATEGY@BUDGET\", e.g. \"reckon/beam:m=4@16\"");
    }
    String spec = null;
    Integer budget = null;
    String name = model.strip();
    if (!name.equals(MODEL)) {
      if (!name.startsWith(MODEL + "/")) {
        throw ApiException.notFound("model_not_found", "The model '" + model + "' does not exist: "
            + "this server serves \"reckon\" and \"reckon/STRATEGY[@BUDGET]\" (see GET /v1/models)");
      }
      String rest = name.substring(MODEL.length() + 1);
      int at = rest.lastIndexOf('@');
      if (at >= 0) {
        budget = parseBudget("model", rest.substring(at + 1));
        checkBudget("model", budget, settings);
        rest = rest.substring(0, at);
      }
      spec = rest.isBlank() ? null : rest;
    }
    String param = "model";
    Task task = settings.task();
    if (options != null && options.task() != null) {
      try {
        task = settings.tasks().get(options.task());
      } catch (Tasks.UnknownTaskException e) {
        throw ApiException.badRequest("reckon.task", e.getMessage());
      }
    }
    if (options != null) {
      if (options.strategy() != null) {
        spec = options.strategy();
        param = "reckon.strategy";
      }
      if (options.budget() != null) {
        budget = options.budget();
        checkBudget("reckon.budget", budget, settings);
      }
    }
    if (spec != null && spec.strip().toLowerCase(Locale.ROOT).equals(RunSupervisor.COMPUTE_OPTIMAL)) {
      if (policies.policy() == null) {
        throw ApiException.badRequest(param, "compute-optimal is not available on this server: "
            + policies.unavailable());
      }
      Policy p = policies.policy();
      int b = budget != null ? budget : settings.budget();
      if (b < p.probeSize()) {
        throw ApiException.badRequest(budget != null ? "reckon.budget" : param, "budget " + b
            + " is below the compute-optimal policy's probe of " + p.probeSize() + " generations");
      }
      if (!p.taskName().equals(task.name())) {
        throw ApiException.badRequest(options != null && options.task() != null ? "reckon.task"
            : param, "the compute-optimal policy was learned on task " + p.taskName()
            + ", not " + task.name());
      }
      return new SearchChoice(null, p, budget, task);
    }
    StrategyConfig config;
    if (spec == null) {
      config = settings.strategy();
    } else {
      try {
        config = StrategyConfig.parse(spec);
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest(param, "unknown strategy '" + spec + "': " + e.getMessage()
            + ", compute-optimal");
      }
    }
    int b = budget != null ? budget : settings.budget();
    if (config.usableBudget(b) == 0) {
      throw ApiException.badRequest(budget != null ? "reckon.budget" : param, "budget " + b
          + " is too small for " + config.name());
    }
    return new SearchChoice(config, null, budget, task);
  }

  private static Integer parseBudget(String param, String text) {
    try {
      return Integer.parseInt(text.strip());
    } catch (NumberFormatException e) {
      throw ApiException.badRequest(param, "the budget after '@' must be a whole number of "
          + "generations, e.g. reckon/beam:m=4@16; got '" + text + "'");
    }
  }

  private static void checkBudget(String param, int budget, ServerSettings settings) {
    if (budget < 1 || budget > settings.maxBudget()) {
      throw ApiException.badRequest(param, "budget must be between 1 and "
          + settings.maxBudget() + " generations; got " + budget);
    }
  }
}
