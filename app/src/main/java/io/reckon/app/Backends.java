package io.reckon.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.reckon.protocol.GenerateReply;
import io.reckon.protocol.GenerateRequest;
import io.reckon.protocol.ScoreReply;
import io.reckon.protocol.ScoreRequest;
import io.reckon.runtime.Dataset;
import io.reckon.runtime.Proposer;
import io.reckon.runtime.Verifier;
import io.reckon.runtime.onnx.ModelConfig;
import io.reckon.runtime.onnx.ModelLoadException;
import io.reckon.runtime.onnx.OnnxModels;
import io.reckon.runtime.onnx.OnnxSettings;
import io.reckon.runtime.format.ChatTemplate;
import io.reckon.runtime.format.HfFiles;
import io.reckon.runtime.format.TaskFormat;
import io.reckon.runtime.openai.LogprobPrm;
import io.reckon.runtime.openai.LogprobSettings;
import io.reckon.runtime.openai.OpenAiCompatibleProposer;
import io.reckon.runtime.openai.OpenAiSettings;
import io.reckon.runtime.openai.PoolingPrm;
import io.reckon.runtime.openai.PoolingSettings;
import io.reckon.runtime.replay.Replay;
import io.reckon.runtime.replay.ReplayFile;
import io.reckon.runtime.synthetic.SyntheticReasoner;
import io.reckon.search.task.Task;
import io.reckon.search.task.Tasks;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The models a command runs on: one proposer and one verifier, shared by every worker of this
 * node (their calls are thread-safe). Commands get them from here so that choosing a backend is
 * one decision in one place: {@code reckon.models} in the configuration, or the backend options.
 *
 * <p>The policy and the verifier are chosen separately, so any mix works: the policy is {@code
 * onnx}, {@code openai} (an OpenAI-compatible server) or {@code synthetic}; the verifier is {@code
 * onnx}, {@code pooling} (a PRM behind vLLM's pooling API), {@code logprob} (a token-probability
 * PRM behind a completions API: RLHFlow, Math-Shepherd) or {@code synthetic}, and by default
 * follows the policy ({@code synthetic} with {@code synthetic}, else the local ONNX PRM).
 *
 * @param notes what the user should know about the models (e.g. FLOPs that cannot be counted)
 */
record Backends(Proposer proposer, Verifier verifier, List<String> notes, ReplayFile replay)
    implements AutoCloseable {

  Backends(Proposer proposer, Verifier verifier, List<String> notes) {
    this(proposer, verifier, notes, null);
  }

  static final List<String> KINDS = List.of("onnx", "openai", "synthetic", "replay");
  static final List<String> VERIFIER_KINDS = List.of("onnx", "pooling", "logprob", "synthetic", "replay");

  /**
   * What the command line chose; null fields leave the configuration's choice.
   *
   * @param samples the replay backend's file of recorded samples ({@code --samples})
   * @param stepDelimiter the run's task's step delimiter (the replay splits kept texts at it);
   *     null: a line
   * @param task the run's task (the OpenAI policy renders its prompt); null: the shipped format
   * @param preset the policy preset ({@code --preset}): chat template and stop strings; null: none
   * @param prmPreset the PRM preset ({@code --prm-preset}): backend and layout; null: none
   * @param api the OpenAI policy's API ({@code --api}: completions or chat); null: configured
   */
  record Choice(
      String backend, String model, String baseUrl, String prmBackend, String prm, String prmBaseUrl,
      String samples, String stepDelimiter, Task task, Presets.Policy preset, Presets.Prm prmPreset,
      String api) {
    static final Choice NONE = new Choice(null, null, null, null, null, null);

    Choice(String backend, String model, String baseUrl, String prmBackend, String prm, String prmBaseUrl) {
      this(backend, model, baseUrl, prmBackend, prm, prmBaseUrl, null, null, null, null, null, null);
    }

    /** The same choice for a run of a task with this step delimiter. */
    Choice withStepDelimiter(String delimiter) {
      return new Choice(backend, model, baseUrl, prmBackend, prm, prmBaseUrl, samples, delimiter,
          task, preset, prmPreset, api);
    }
  }

  /** The seeded stand-in for a policy model and a PRM; it solves only the arithmetic task. */
  static Backends synthetic() {
    SyntheticReasoner model = new SyntheticReasoner();
    return new Backends(model, model, List.of());
  }

  /**
   * The policy's and the verifier's backend as {@code choice} and the configuration name them
   * (the verifier follows the policy when neither names it), checked: one line of bad input.
   */
  record Kinds(String policy, String verifier) {}

  static Kinds kinds(Config hocon, Choice choice) {
    Config models;
    String kind;
    String verifierKind;
    try {
      models = hocon.getConfig("reckon.models");
      kind = normalize(choice.backend() != null ? choice.backend() : models.getString("backend"));
      String configured = models.hasPath("verifier") ? models.getString("verifier") : "";
      if (choice.prmPreset() != null) {
        configured = choice.prmPreset().backend();
      }
      verifierKind = normalize(choice.prmBackend() != null ? choice.prmBackend() : configured);
    } catch (ConfigException e) {
      throw new Main.BadInput("configuration: " + e.getMessage());
    }
    if (!KINDS.contains(kind)) {
      throw new Main.BadInput("unknown backend '" + kind + "': allowed are " + String.join(", ", KINDS));
    }
    if (verifierKind.isEmpty()) {
      // A replay's verifier is its recorded scores; synthetic goes with synthetic.
      verifierKind = kind.equals("synthetic") || kind.equals("replay") ? kind : "onnx";
    }
    if (!VERIFIER_KINDS.contains(verifierKind)) {
      throw new Main.BadInput(
          "unknown PRM backend '" + verifierKind + "': allowed are " + String.join(", ", VERIFIER_KINDS));
    }
    if (choice.api() != null && !kind.equals("openai")) {
      throw new Main.BadInput("--api is for --backend openai (the backend is " + kind + ")");
    }
    if (choice.baseUrl() != null && !kind.equals("openai")) {
      throw new Main.BadInput("--base-url is for --backend openai (the backend is " + kind + ")");
    }
    if (choice.samples() != null && !kind.equals("replay")) {
      throw new Main.BadInput("--samples is for --backend replay (the backend is " + kind + ")");
    }
    if (verifierKind.equals("replay") && !kind.equals("replay")) {
      throw new Main.BadInput("--prm-backend replay reads a replay's recorded scores: it needs --backend replay");
    }
    if (choice.prmBaseUrl() != null && !verifierKind.equals("pooling") && !verifierKind.equals("logprob")) {
      throw new Main.BadInput("--prm-base-url is for --prm-backend pooling or logprob (the PRM backend is "
          + verifierKind + ")");
    }
    if (choice.prmPreset() != null && !verifierKind.equals(choice.prmPreset().backend())) {
      throw new Main.BadInput("--prm-preset " + choice.prmPreset().name() + " is a "
          + choice.prmPreset().backend() + " PRM, but the PRM backend is " + verifierKind);
    }
    return new Kinds(kind, verifierKind);
  }

  /**
   * The models {@code choice} and the configuration name; {@code env} reads the API keys' environment
   * variables. Every problem is bad input with one line naming the setting or the flag.
   */
  static Backends load(Config hocon, Choice choice, UnaryOperator<String> env) {
    Kinds kinds = kinds(hocon, choice);
    String kind = kinds.policy();
    String verifierKind = kinds.verifier();
    Config models = hocon.getConfig("reckon.models");
    if (kind.equals("synthetic") && verifierKind.equals("synthetic")) {
      return synthetic();
    }
    if (kind.equals("replay")) {
      return replay(hocon, models, choice, verifierKind, env);
    }
    List<String> notes = new ArrayList<>();
    Proposer proposer = null;
    try {
      proposer = switch (kind) {
        case "synthetic" -> new SyntheticReasoner();
        case "openai" -> openAi(models, choice, env, notes);
        default -> onnxProposer(models, choice);
      };
      Verifier verifier = switch (verifierKind) {
        case "synthetic" -> proposer instanceof SyntheticReasoner s ? s : new SyntheticReasoner();
        case "pooling" -> pooling(models, choice, env, notes);
        case "logprob" -> logprob(models, choice, env, notes);
        default -> onnxVerifier(models, choice);
      };
      return new Backends(proposer, verifier, List.copyOf(notes));
    } catch (RuntimeException e) {
      if (proposer != null) {
        proposer.close();
      }
      throw e;
    }
  }

  /**
   * The same models, described without being loaded, for a node that runs none (a coordinator-only
   * cluster node): an ONNX model is its {@code config.json} (name, parameters), not a session; the
   * other backends are cheap to set up and are loaded as usual. A described model refuses to compute.
   */
  static Backends describe(Config hocon, Choice choice, UnaryOperator<String> env) {
    Kinds kinds = kinds(hocon, choice);
    if (!kinds.policy().equals("onnx") || !kinds.verifier().equals("onnx")) {
      return load(hocon, choice, env);
    }
    Config models = hocon.getConfig("reckon.models");
    return new Backends(
        described(Path.of(choice.model() != null ? choice.model() : models.getString("policy"))),
        described(Path.of(choice.prm() != null ? choice.prm() : models.getString("prm"))),
        List.of());
  }

  private static Described described(Path dir) {
    try {
      ModelConfig config = OnnxModels.readConfig(dir);
      return new Described(config.name(), config.parameters());
    } catch (ModelLoadException e) {
      throw new Main.BadInput(e.getMessage());
    }
  }

  /** A model known by name only, on a node that runs none: computing with it is a bug. */
  record Described(String name, long parameters) implements Proposer, Verifier {
    @Override
    public List<GenerateReply> generate(List<GenerateRequest> batch) {
      throw new IllegalStateException(name + " is not loaded on this node (it runs no model)");
    }

    @Override
    public List<ScoreReply> score(List<ScoreRequest> batch) {
      throw new IllegalStateException(name + " is not loaded on this node (it runs no model)");
    }

    @Override
    public void close() {}
  }

  /**
   * The replay backend: recorded samples served as if sampled; its verifier is the recorded
   * scores (or, when named, another verifier). A file without scores and the replay verifier
   * are refused in one line.
   */
  private static Backends replay(Config hocon, Config models, Choice choice, String verifierKind,
      UnaryOperator<String> env) {
    String file = choice.samples() != null ? choice.samples()
        : models.hasPath("replay.samples") ? models.getString("replay.samples") : "";
    if (file.isBlank()) {
      throw new Main.BadInput("--backend replay needs its recorded samples: --samples FILE "
          + "(e.g. data/recorded/date.jsonl) or reckon.models.replay.samples");
    }
    ReplayFile recorded;
    Replay.Settings settings;
    try {
      recorded = ReplayFile.read(Path.of(file), Limits.from(hocon).input());
      Config r = models.hasPath("replay") ? models.getConfig("replay") : ConfigFactory.empty();
      settings = new Replay.Settings(
          r.hasPath("seed") ? r.getLong("seed") : 0,
          r.hasPath("parameters") ? r.getLong("parameters") : 0,
          r.hasPath("verifier-parameters") ? r.getLong("verifier-parameters") : 0,
          choice.stepDelimiter() != null ? choice.stepDelimiter() : "\n");
    } catch (Dataset.InvalidDataException e) {
      throw new Main.BadInput(e.getMessage());
    } catch (ConfigException | IllegalArgumentException e) {
      throw new Main.BadInput("configuration reckon.models.replay: " + e.getMessage());
    }
    Replay replay = new Replay(recorded, settings);
    List<String> notes = new ArrayList<>();
    if (settings.parameters() == 0) {
      notes.add("note: the replayed policy's parameter count is unknown (reckon.models.replay.parameters "
          + "= 0), so its FLOPs are reported as 0; tokens are the recorded counts");
    }
    Verifier verifier;
    if (verifierKind.equals("replay")) {
      if (!recorded.scored()) {
        // Refused only when a verifier is asked for: majority runs never call it.
        verifier = new Unscored(replay.proposer().name() + "-scores", file);
      } else {
        verifier = replay.verifier();
      }
    } else {
      verifier = switch (verifierKind) {
        case "pooling" -> pooling(models, choice, env, notes);
        case "logprob" -> logprob(models, choice, env, notes);
        case "synthetic" -> new SyntheticReasoner();
        default -> onnxVerifier(models, choice);
      };
    }
    return new Backends(replay.proposer(), verifier, List.copyOf(notes), recorded);
  }

  /** The verifier of a replay that recorded no scores: any call is refused with the reason. */
  record Unscored(String name, String file) implements Verifier {
    @Override
    public List<ScoreReply> score(List<ScoreRequest> batch) {
      throw new IllegalStateException("replay file " + file + " records no verifier scores: "
          + "use best-of-n:sel=majority with --probe 0 or --allocation adaptive");
    }

    @Override
    public long parameters() {
      return 0;
    }
  }

  private static String normalize(String kind) {
    return kind.strip().toLowerCase(Locale.ROOT);
  }

  private static OnnxSettings onnxSettings(Config models) {
    try {
      return OnnxSettings.fromMap(models.getConfig("onnx").root().unwrapped());
    } catch (ConfigException | IllegalArgumentException e) {
      throw new Main.BadInput("configuration reckon.models.onnx: " + e.getMessage());
    }
  }

  private static Proposer onnxProposer(Config models, Choice choice) {
    Path dir = Path.of(choice.model() != null ? choice.model() : models.getString("policy"));
    try {
      return OnnxModels.loadProposer(dir, onnxSettings(models), onnxRendering(dir, choice));
    } catch (ModelLoadException e) {
      throw new Main.BadInput(e.getMessage());
    }
  }

  /**
   * How a local model answers the run's task: through its own chat template when its folder
   * carries Hugging Face files (an Optimum export), or the preset's; null keeps config.json's
   * format (the shipped arithmetic models have no template: byte for byte as before).
   */
  static TaskFormat onnxRendering(Path dir, Choice choice) {
    Task task = choice.task();
    if (task == null || !java.nio.file.Files.isDirectory(dir)) {
      return null;
    }
    HfFiles files;
    ChatTemplate template;
    try {
      files = HfFiles.read(dir);
      String named = choice.preset() != null ? choice.preset().chatTemplate() : "";
      template = !named.isBlank() ? ChatTemplate.resolve(named) : files.template();
    } catch (IllegalArgumentException e) {
      throw new Main.BadInput(dir + ": " + e.getMessage());
    }
    String system = choice.preset() != null ? choice.preset().system() : null;
    if (template == null && system == null) {
      return null;
    }
    List<String> stop = new ArrayList<>(choice.preset() != null ? choice.preset().stop() : List.of());
    stop.addAll(files.stopStrings());
    return new TaskFormat(task, template, stop, system);
  }

  private static Verifier onnxVerifier(Config models, Choice choice) {
    try {
      return OnnxModels.loadVerifier(
          Path.of(choice.prm() != null ? choice.prm() : models.getString("prm")), onnxSettings(models));
    } catch (ModelLoadException e) {
      throw new Main.BadInput(e.getMessage());
    }
  }

  /**
   * The section {@code name} of reckon.models with a PRM preset's settings (when it is for this
   * backend) and then the command line's values laid over it.
   */
  private static Map<String, Object> section(Config models, String name, String baseUrl, String model,
      Presets.Prm preset) {
    Config section = models.hasPath(name) ? models.getConfig(name) : ConfigFactory.empty();
    if (preset != null && preset.backend().equals(name)) {
      section = preset.settings().withFallback(section);
    }
    if (baseUrl != null) {
      section = section.withValue("base-url", ConfigValueFactory.fromAnyRef(baseUrl));
    }
    if (model != null) {
      section = section.withValue("model", ConfigValueFactory.fromAnyRef(model));
    }
    return section.root().unwrapped();
  }

  private static Proposer openAi(Config models, Choice choice, UnaryOperator<String> env, List<String> notes) {
    OpenAiSettings settings;
    try {
      Map<String, Object> section = new java.util.HashMap<>(
          section(models, "openai", choice.baseUrl(), choice.model(), null));
      if (choice.api() != null) {
        section.put("api", choice.api());
      }
      settings = OpenAiSettings.fromMap(section, env);
    } catch (ConfigException | IllegalArgumentException e) {
      throw new Main.BadInput(e.getMessage() + hint("--base-url URL --model NAME"));
    }
    if (!settings.parametersKnown()) {
      notes.add("note: the policy's parameter count is unknown (reckon.models.openai.parameters = 0), "
          + "so its FLOPs are reported as 0; tokens are the server's usage counts");
    }
    try {
      settings = settings.withRendering(rendering(settings, choice));
    } catch (IllegalArgumentException e) {
      throw new Main.BadInput((choice.preset() != null ? "--preset " + choice.preset().name() + ": "
          : "reckon.models.openai.chat-template: ") + e.getMessage());
    }
    return new OpenAiCompatibleProposer(settings);
  }

  /**
   * The run's task rendered for the served model: the preset's chat template and stop strings,
   * else {@code reckon.models.openai.chat-template}. The arith task without a template keeps the
   * shipped format byte for byte (null).
   */
  static TaskFormat rendering(OpenAiSettings settings, Choice choice) {
    Task task = choice.task();
    if (task == null) {
      return null;
    }
    String template = choice.preset() != null ? choice.preset().chatTemplate() : settings.chatTemplate();
    List<String> stop = choice.preset() != null ? choice.preset().stop() : List.of();
    boolean shipped = task.name().equals(Tasks.ARITH.name()) && task.prompt().equals(Tasks.ARITH.prompt())
        && task.stepDelimiter().equals(Tasks.ARITH.stepDelimiter());
    boolean system = choice.preset() != null && choice.preset().system() != null
        && !choice.preset().system().equals(task.prompt().system());
    if (shipped && template.isBlank() && stop.isEmpty() && !system) {
      return null;
    }
    return new TaskFormat(task, template.isBlank() ? null : ChatTemplate.resolve(template), stop,
        choice.preset() != null ? choice.preset().system() : null);
  }

  private static Verifier logprob(Config models, Choice choice, UnaryOperator<String> env, List<String> notes) {
    LogprobSettings settings;
    try {
      settings = LogprobSettings.fromMap(
          section(models, "logprob", choice.prmBaseUrl(), choice.prm(), choice.prmPreset()), env);
    } catch (ConfigException | IllegalArgumentException e) {
      throw new Main.BadInput(e.getMessage() + hint("--prm-base-url URL --prm NAME"));
    }
    if (!settings.parametersKnown()) {
      notes.add("note: the PRM's parameter count is unknown (reckon.models.logprob.parameters = 0), "
          + "so its FLOPs are reported as 0; tokens are the server's usage counts");
    }
    try {
      return new LogprobPrm(settings);
    } catch (IllegalArgumentException e) {
      throw new Main.BadInput("reckon.models.logprob.chat-template: " + e.getMessage());
    }
  }

  private static Verifier pooling(Config models, Choice choice, UnaryOperator<String> env, List<String> notes) {
    PoolingSettings settings;
    try {
      settings = PoolingSettings.fromMap(section(models, "pooling", choice.prmBaseUrl(), choice.prm(), choice.prmPreset()), env);
    } catch (ConfigException | IllegalArgumentException e) {
      throw new Main.BadInput(e.getMessage() + hint("--prm-base-url URL --prm NAME"));
    }
    if (!settings.parametersKnown()) {
      notes.add("note: the PRM's parameter count is unknown (reckon.models.pooling.parameters = 0), "
          + "so its FLOPs are reported as 0; tokens are the server's usage counts");
    }
    return new PoolingPrm(settings);
  }

  private static String hint(String flags) {
    return " (or give " + flags + ")";
  }

  /** Names of the models, as a learned policy records them (a policy is only valid for them). */
  List<String> names() {
    return List.of(proposer.name(), verifier.name());
  }

  @Override
  public void close() {
    proposer.close();
    if (verifier != proposer) {
      verifier.close();
    }
  }
}
