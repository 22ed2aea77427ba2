package io.reckon.app;

import com.typesafe.config.Config;
import picocli.CommandLine.Option;

/**
 * The options that choose the models, shared (as a picocli mixin) by every command that runs them.
 * API keys are never options: they come from the environment variable that {@code
 * reckon.models.openai.api-key-env} / {@code reckon.models.pooling.api-key-env} name.
 */
final class BackendOptions {
  @Option(names = "--backend", paramLabel = "KIND",
      description = "The policy: onnx (the models named in reckon.models, the shipped ones by default), "
          + "openai (an OpenAI-compatible server, reckon.models.openai), synthetic (the seeded "
          + "stand-in) or replay (recorded samples of a real model, --samples; parallel sampling "
          + "only) (default: reckon.models.backend)")
  String backend;

  @Option(names = "--model", paramLabel = "DIR|NAME",
      description = "onnx: the policy model folder (default: reckon.models.policy); openai: the "
          + "model name the server serves (default: reckon.models.openai.model)")
  String model;

  @Option(names = "--base-url", paramLabel = "URL",
      description = "openai: the server, e.g. http://127.0.0.1:8000 (default: reckon.models.openai.base-url)")
  String baseUrl;

  @Option(names = "--api", paramLabel = "KIND",
      description = "openai: completions (Reckon renders the prompt, through the preset's chat "
          + "template) or chat (the server renders its own template; the steps so far continue the "
          + "assistant's message) (default: reckon.models.openai.api)")
  String api;

  @Option(names = "--prm-backend", paramLabel = "KIND",
      description = "The verifier: onnx (a local PRM folder), pooling (a PRM behind vLLM's /pooling "
          + "API, reckon.models.pooling), logprob (a token-probability PRM behind a completions API, "
          + "reckon.models.logprob), synthetic or replay (the replay's recorded scores) "
          + "(default: reckon.models.verifier, else the policy's kind for synthetic and replay, "
          + "onnx otherwise)")
  String prmBackend;

  @Option(names = "--prm", paramLabel = "DIR|NAME",
      description = "onnx: the process reward model folder (default: reckon.models.prm); pooling, "
          + "logprob: the model name the server serves (default: reckon.models.pooling.model, "
          + "reckon.models.logprob.model)")
  String prm;

  @Option(names = "--prm-base-url", paramLabel = "URL",
      description = "pooling, logprob: the PRM's server, e.g. http://127.0.0.1:8001 (default: "
          + "reckon.models.pooling.base-url, reckon.models.logprob.base-url)")
  String prmBaseUrl;

  @Option(names = "--samples", paramLabel = "FILE.jsonl",
      description = "replay: the recorded samples to serve, e.g. data/recorded/date.jsonl "
          + "(default: reckon.models.replay.samples)")
  String samples;

  @Option(names = "--preset", paramLabel = "NAME",
      description = "A model family's format: the task, its system prompt, the chat template and "
          + "stop strings: llama-3-math, qwen2.5-math, llama-3-gsm8k, qwen2.5-gsm8k, arith, or one "
          + "under reckon.presets.policy "
          + "(--task still chooses the task; see docs/tasks.md)")
  String preset;

  @Option(names = "--prm-preset", paramLabel = "NAME",
      description = "A PRM's backend and layout: qwen2.5-math-prm (pooling), rlhflow-llama3.1-8b-prm "
          + "or math-shepherd (logprob), or one under reckon.presets.prm (see docs/tasks.md)")
  String prmPreset;

  /** The run's task's step delimiter, for the replay backend (set by the command). */
  String stepDelimiter;

  /** The run's task, as the command resolved it (the OpenAI policy renders its prompt). */
  io.reckon.search.task.Task task;

  Backends load(Config hocon) {
    return Backends.load(hocon, choice(), System::getenv);
  }

  /** The same models described, not loaded: for a node that runs none (see Backends.describe). */
  Backends describe(Config hocon) {
    return Backends.describe(hocon, choice(), System::getenv);
  }

  Backends.Choice choice() {
    Config hocon = com.typesafe.config.ConfigFactory.load();
    return new Backends.Choice(backend, model, baseUrl, prmBackend, prm, prmBaseUrl, samples, stepDelimiter,
        task, preset(hocon), prmPreset != null ? Presets.prm(hocon, prmPreset) : null, api);
  }

  /** The policy preset named by --preset, or null. */
  Presets.Policy preset(Config hocon) {
    return preset != null ? Presets.policy(hocon, preset) : null;
  }

  /**
   * The task a command runs: --task, else the preset's, else the configured default. Remembered
   * for the backends (the preset's system prompt is laid over it when the prompt is rendered).
   */
  io.reckon.search.task.Task resolveTask(String taskOption, Config hocon) {
    Presets.Policy p = preset(hocon);
    task = TaskChoice.resolve(taskOption != null ? taskOption : p != null ? p.task() : null, hocon);
    stepDelimiter = task.stepDelimiter();
    return task;
  }

  /** True when the chosen policy is the synthetic stand-in (it only solves arithmetic). */
  boolean replay(Config hocon) {
    String kind = backend != null ? backend : hocon.getString("reckon.models.backend");
    return "replay".equalsIgnoreCase(kind.strip());
  }

  boolean synthetic(Config hocon) {
    String kind = backend != null ? backend : hocon.getString("reckon.models.backend");
    return "synthetic".equalsIgnoreCase(kind.strip());
  }
}
