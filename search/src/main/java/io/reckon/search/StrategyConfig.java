package io.reckon.search;

import io.reckon.protocol.Quote;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A strategy configuration, independent of the budget it is run with. Written as text like
 * {@code beam:m=4,agg=last} (CLI, policy files, outcomes) and parsed back with {@link #parse}.
 *
 * <p>Every configuration fails fast on a budget it cannot run, with a message that names the
 * parameter and what would work; {@link #usableBudget} says beforehand which budgets those are.
 */
public sealed interface StrategyConfig {

  double DEFAULT_TEMPERATURE = 0.8;
  int MAX_ROUNDS = 40;

  /** The canonical text form; {@code parse(name())} gives an equal configuration. */
  String name();

  /** The largest budget not above {@code budget} that this configuration can run; 0 if none. */
  int usableBudget(int budget);

  /** Creates the search. Throws {@link IllegalArgumentException} for a budget it cannot run. */
  SearchStrategy create(StrategyContext context);

  /** Best-of-N with naive, weighted or majority selection. */
  record BestOfN(Selection selection, Aggregation aggregation, double temperature)
      implements StrategyConfig {
    public BestOfN {
      Check.temperature(temperature);
    }

    @Override
    public String name() {
      return "best-of-n:sel=" + selection.label() + ",agg=" + aggregation.label()
          + Check.temperatureSuffix(temperature);
    }

    @Override
    public int usableBudget(int budget) {
      return Math.max(budget, 0);
    }

    @Override
    public SearchStrategy create(StrategyContext context) {
      return new io.reckon.search.BestOfN(this, context);
    }
  }

  /**
   * Beam search with N = budget beams and width {@code m} ({@code 0} = the largest divisor of N
   * not above √N); lookahead search when {@code lookahead} k &gt; 0, with N = budget / (k+1).
   */
  record Beam(int m, int lookahead, Aggregation aggregation, double temperature, int maxRounds,
      boolean dedupe, boolean sortFinals) implements StrategyConfig {
    public Beam {
      Check.atLeast("m", m, 0);
      Check.atLeast("k", lookahead, 0);
      Check.temperature(temperature);
      Check.rounds(maxRounds);
    }

    /** With sal's {@code filter_duplicates} on, as its recipes run it. */
    public Beam(int m, int lookahead, Aggregation aggregation, double temperature, int maxRounds) {
      this(m, lookahead, aggregation, temperature, maxRounds, true);
    }

    /**
     * Sorting the finished candidates by score before keeping N of them (sal's {@code
     * sort_completed}, on); {@code sort-finals=false} keeps the first N to finish, as
     * search-and-learn's recipes run it.
     */
    public Beam(int m, int lookahead, Aggregation aggregation, double temperature, int maxRounds,
        boolean dedupe) {
      this(m, lookahead, aggregation, temperature, maxRounds, dedupe, true);
    }

    int beams(int budget) {
      return budget / (lookahead + 1);
    }

    int width(int beams) {
      return m == 0 ? sqrtWidth(beams) : m;
    }

    static int sqrtWidth(int n) {
      int best = 1;
      for (int d = 1; d * d <= n; d++) {
        if (n % d == 0) {
          best = d;
        }
      }
      return best;
    }

    @Override
    public String name() {
      String width = "m=" + (m == 0 ? "sqrt" : Integer.toString(m));
      String base = lookahead == 0 ? "beam:" + width : "lookahead:k=" + lookahead + "," + width;
      return base + ",agg=" + aggregation.label() + Check.temperatureSuffix(temperature)
          + Check.roundsSuffix(maxRounds) + (dedupe ? "" : ",dedupe=false")
          + (sortFinals ? "" : ",sort-finals=false");
    }

    @Override
    public int usableBudget(int budget) {
      for (int b = budget; b >= 1; b--) {
        int n = beams(b);
        if (n >= 1 && n * (lookahead + 1) == b && n % width(n) == 0) {
          return b;
        }
      }
      return 0;
    }

    @Override
    public SearchStrategy create(StrategyContext context) {
      int budget = context.budget();
      int n = beams(budget);
      // budget 0 (only carried candidates to select from) searches nothing, so any shape runs it
      if (lookahead > 0 && budget > 0 && (n < 1 || n * (lookahead + 1) != budget)) {
        throw new IllegalArgumentException(
            "lookahead k=" + lookahead + " costs N*(k+1) generations, so the budget must be a "
                + "multiple of " + (lookahead + 1) + " (got " + budget + ")");
      }
      if (n % width(n) != 0) {
        throw new IllegalArgumentException(
            "beam width m=" + m + " does not divide the number of beams N=" + n
                + ": choose m from " + Check.divisors(n));
      }
      return new BeamSearch(this, context);
    }
  }

  /**
   * Sequential revisions: chains of {@code length} attempts, budget / length chains in parallel
   * ({@code length} 0 = one chain of the whole budget). Selection WEIGHTED is hierarchical;
   * MAJORITY is flat over all attempts.
   */
  record Revisions(int length, Selection selection, Aggregation aggregation, double temperature)
      implements StrategyConfig {
    public Revisions {
      Check.atLeast("len", length, 0);
      if (selection == Selection.NAIVE) {
        throw new IllegalArgumentException(
            "revisions selection must be weighted (hierarchical) or majority, not naive");
      }
      Check.temperature(temperature);
    }

    int chainLength(int budget) {
      return length == 0 ? budget : length;
    }

    @Override
    public String name() {
      return "revisions:len=" + (length == 0 ? "all" : Integer.toString(length)) + ",sel="
          + selection.label() + ",agg=" + aggregation.label() + Check.temperatureSuffix(temperature);
    }

    @Override
    public int usableBudget(int budget) {
      return length == 0 ? Math.max(budget, 0) : (budget / length) * length;
    }

    @Override
    public SearchStrategy create(StrategyContext context) {
      int budget = context.budget();
      if (budget > 0 && budget % chainLength(budget) != 0) {
        throw new IllegalArgumentException(
            "revision chain length len=" + length + " does not divide the budget N=" + budget
                + ": choose len from " + Check.divisors(budget));
      }
      return new io.reckon.search.Revisions(this, context);
    }
  }

  /** Diverse verifier tree search: budget / m independent subtrees, each greedy among m samples. */
  record Dvts(int m, Aggregation aggregation, double temperature, int maxRounds,
      boolean voteSiblings) implements StrategyConfig {
    public Dvts {
      Check.atLeast("m", m, 1);
      Check.temperature(temperature);
      Check.rounds(maxRounds);
    }

    /** Voting over all N last-step siblings, as sal returns them. */
    public Dvts(int m, Aggregation aggregation, double temperature, int maxRounds) {
      this(m, aggregation, temperature, maxRounds, true);
    }

    int width(int budget) {
      return m;
    }

    @Override
    public String name() {
      return "dvts:m=" + m + ",agg=" + aggregation.label() + Check.temperatureSuffix(temperature)
          + Check.roundsSuffix(maxRounds) + (voteSiblings ? "" : ",vote=best");
    }

    @Override
    public int usableBudget(int budget) {
      return (budget / m) * m;
    }

    @Override
    public SearchStrategy create(StrategyContext context) {
      if (context.budget() % m != 0) {
        throw new IllegalArgumentException(
            "DVTS width m=" + m + " does not divide the budget N=" + context.budget()
                + ": choose m from " + Check.divisors(context.budget()));
      }
      return new io.reckon.search.Dvts(this, context);
    }
  }

  /** REBASE with balance temperature {@code tb}. */
  record Rebase(double balanceTemperature, Aggregation aggregation, double temperature, int maxRounds)
      implements StrategyConfig {
    public Rebase {
      Check.positive("tb", balanceTemperature);
      Check.temperature(temperature);
      Check.rounds(maxRounds);
    }

    @Override
    public String name() {
      return "rebase:tb=" + Check.number(balanceTemperature) + ",agg=" + aggregation.label()
          + Check.temperatureSuffix(temperature) + Check.roundsSuffix(maxRounds);
    }

    @Override
    public int usableBudget(int budget) {
      return Math.max(budget, 0);
    }

    @Override
    public SearchStrategy create(StrategyContext context) {
      return new io.reckon.search.Rebase(this, context);
    }
  }

  /** Particle filtering with resampling temperature {@code tp}. */
  record ParticleFilter(
      double resampleTemperature, Aggregation aggregation, double temperature, int maxRounds,
      boolean logitWeights, boolean resampleInactive, boolean selectBest) implements StrategyConfig {
    public ParticleFilter {
      Check.positive("tp", resampleTemperature);
      Check.temperature(temperature);
      Check.rounds(maxRounds);
    }

    /** Softmax of logit(r)/T over every particle, finished ones too, as the references run it. */
    public ParticleFilter(
        double resampleTemperature, Aggregation aggregation, double temperature, int maxRounds) {
      this(resampleTemperature, aggregation, temperature, maxRounds, true, true);
    }

    /**
     * The final answer is the single best-scored particle's ({@code sel=best}, the default, as
     * both references take it); {@code sel=weighted} votes over the final population by summed
     * score instead.
     */
    public ParticleFilter(
        double resampleTemperature, Aggregation aggregation, double temperature, int maxRounds,
        boolean logitWeights, boolean resampleInactive) {
      this(resampleTemperature, aggregation, temperature, maxRounds, logitWeights, resampleInactive, true);
    }

    @Override
    public String name() {
      return "particle-filter:tp=" + Check.number(resampleTemperature) + ",agg="
          + aggregation.label() + Check.temperatureSuffix(temperature)
          + Check.roundsSuffix(maxRounds) + (logitWeights ? "" : ",weight=score")
          + (resampleInactive ? "" : ",resample=active") + (selectBest ? "" : ",sel=weighted");
    }

    @Override
    public int usableBudget(int budget) {
      return Math.max(budget, 0);
    }

    @Override
    public SearchStrategy create(StrategyContext context) {
      return new io.reckon.search.ParticleFilter(this, context);
    }
  }

  /** The strategy names {@link #parse} accepts. */
  static List<String> names() {
    return List.copyOf(Parser.KEYS.keySet());
  }

  /**
   * Parses {@code name} or {@code name:key=value,...}. Unknown names, unknown keys and bad values
   * fail with a message that names them and lists what is allowed.
   */
  static StrategyConfig parse(String spec) {
    return Parser.parse(spec);
  }

  /** Parsing, kept out of the records so that each reads as its parameters. */
  final class Parser {
    static final Map<String, Set<String>> KEYS = new LinkedHashMap<>();

    static {
      KEYS.put("best-of-n", Set.of("sel", "agg", "temp"));
      KEYS.put("weighted-bon", Set.of("agg", "temp"));
      KEYS.put("majority", Set.of("temp"));
      KEYS.put("naive-bon", Set.of("agg", "temp"));
      KEYS.put("beam", Set.of("m", "agg", "temp", "rounds", "dedupe", "sort-finals"));
      KEYS.put("lookahead", Set.of("k", "m", "agg", "temp", "rounds", "dedupe", "sort-finals"));
      KEYS.put("revisions", Set.of("len", "sel", "agg", "temp"));
      KEYS.put("dvts", Set.of("m", "agg", "temp", "rounds", "vote"));
      KEYS.put("rebase", Set.of("tb", "agg", "temp", "rounds"));
      KEYS.put("particle-filter", Set.of("tp", "agg", "temp", "rounds", "weight", "resample", "sel"));
    }

    private Parser() {}

    static StrategyConfig parse(String spec) {
      if (spec == null || spec.isBlank()) {
        throw new IllegalArgumentException(
            "strategy is empty: allowed strategies are " + String.join(", ", KEYS.keySet()));
      }
      String text = spec.strip().toLowerCase(Locale.ROOT);
      int colon = text.indexOf(':');
      String name = (colon < 0 ? text : text.substring(0, colon)).strip();
      Set<String> allowed = KEYS.get(name);
      if (allowed == null) {
        throw new IllegalArgumentException(
            "unknown strategy " + Quote.of(name) + ": allowed strategies are "
                + String.join(", ", KEYS.keySet()));
      }
      Map<String, String> params = new LinkedHashMap<>();
      if (colon >= 0 && colon < text.length() - 1) {
        for (String part : text.substring(colon + 1).split(",")) {
          String[] kv = part.split("=", 2);
          String key = kv[0].strip();
          if (kv.length != 2 || kv[1].isBlank()) {
            throw new IllegalArgumentException(
                "strategy '" + name + "': parameter " + Quote.of(part.strip())
                    + " must be written key=value");
          }
          if (!allowed.contains(key)) {
            throw new IllegalArgumentException(
                "strategy '" + name + "' has no parameter " + Quote.of(key) + ": allowed are "
                    + String.join(", ", new java.util.TreeSet<>(allowed)));
          }
          params.put(key, kv[1].strip());
        }
      }
      Values v = new Values(name, params);
      Aggregation agg = v.get("agg", Aggregation::parse, Aggregation.LAST);
      double temp = v.number("temp", DEFAULT_TEMPERATURE);
      int rounds = v.integer("rounds", MAX_ROUNDS);
      return switch (name) {
        case "best-of-n" -> new BestOfN(v.get("sel", Selection::parse, Selection.WEIGHTED), agg, temp);
        case "weighted-bon" -> new BestOfN(Selection.WEIGHTED, agg, temp);
        case "majority" -> new BestOfN(Selection.MAJORITY, agg, temp);
        case "naive-bon" -> new BestOfN(Selection.NAIVE, agg, temp);
        case "beam" -> new Beam(v.width(4), 0, agg, temp, rounds, v.choice("dedupe", "true", "false"),
            v.choice("sort-finals", "true", "false"));
        case "lookahead" -> {
          int k = v.integer("k", 1);
          if (k < 1 || k > MAX_ROUNDS) {
            throw new IllegalArgumentException("lookahead k must be between 1 and " + MAX_ROUNDS
                + " (k=0 is plain beam search; a rollout never runs past the last round), got " + k);
          }
          yield new Beam(v.width(4), k, agg, temp, rounds, v.choice("dedupe", "true", "false"),
              v.choice("sort-finals", "true", "false"));
        }
        case "revisions" -> new Revisions(
            v.get("len", s -> s.equals("all") ? 0 : Values.positive("len", s, "all"), 4),
            v.get("sel", Selection::parse, Selection.WEIGHTED), agg, temp);
        case "dvts" -> new Dvts(v.integer("m", 4), agg, temp, rounds, v.choice("vote", "all", "best"));
        case "rebase" -> new Rebase(v.number("tb", 0.1), agg, temp, rounds);
        case "particle-filter" -> new ParticleFilter(v.number("tp", 1.0), agg, temp, rounds,
            v.choice("weight", "logit", "score"), v.choice("resample", "all", "active"),
            v.choice("sel", "best", "weighted"));
        default -> throw new IllegalStateException(name);
      };
    }
  }

  /** Typed access to parsed parameters, with the parameter's name in every error. */
  final class Values {
    private final String strategy;
    private final Map<String, String> params;

    Values(String strategy, Map<String, String> params) {
      this.strategy = strategy;
      this.params = params;
    }

    <T> T get(String key, Function<String, T> parser, T fallback) {
      String raw = params.get(key);
      if (raw == null) {
        return fallback;
      }
      try {
        return parser.apply(raw);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("strategy '" + strategy + "': " + e.getMessage(), e);
      }
    }

    int integer(String key, int fallback) {
      return get(key, s -> parseInt(key, s), fallback);
    }

    double number(String key, double fallback) {
      return get(key, s -> {
        try {
          return Double.parseDouble(s);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(key + " must be a number, got " + Quote.of(s));
        }
      }, fallback);
    }

    /** A two-way option: true for {@code reference} (also the default), false for {@code other}. */
    boolean choice(String key, String reference, String other) {
      return get(key, s -> {
        if (!s.equals(reference) && !s.equals(other)) {
          throw new IllegalArgumentException(
              key + " must be " + reference + " or " + other + ", got '" + s + "'");
        }
        return s.equals(reference);
      }, true);
    }

    int width(int fallback) {
      return get("m", s -> s.equals("sqrt") ? 0 : positive("m", s, "sqrt"), fallback);
    }

    // 0 stands for the word form internally (m=sqrt, len=all); written as a number it is a mistake.
    static int positive(String key, String s, String word) {
      int value = parseInt(key, s);
      if (value < 1) {
        throw new IllegalArgumentException(
            key + " must be an integer >= 1 or '" + word + "', got " + Quote.of(s));
      }
      return value;
    }

    static int parseInt(String key, String s) {
      try {
        return Integer.parseInt(s);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(key + " must be an integer"
            + (s.matches("[+-]?\\d+") ? " between " + Integer.MIN_VALUE + " and " + Integer.MAX_VALUE : "")
            + ", got " + Quote.of(s));
      }
    }
  }

  /** Shared argument checks. */
  final class Check {
    private Check() {}

    static void atLeast(String key, int value, int min) {
      if (value < min) {
        throw new IllegalArgumentException(key + " must be >= " + min + ", got " + value);
      }
    }

    // Infinity is rejected too: name() would write it in a form parse() cannot read back.
    static void positive(String key, double value) {
      if (!(value > 0) || Double.isInfinite(value)) {
        throw new IllegalArgumentException(key + " must be a finite number > 0, got " + value);
      }
    }

    static void temperature(double t) {
      if (!(t >= 0) || Double.isInfinite(t)) {
        throw new IllegalArgumentException("temp must be a finite number >= 0 (0 = greedy), got " + t);
      }
    }

    static void rounds(int rounds) {
      if (rounds < 1 || rounds > MAX_ROUNDS) {
        throw new IllegalArgumentException(
            "rounds must be between 1 and " + MAX_ROUNDS + ", got " + rounds);
      }
    }

    static String temperatureSuffix(double t) {
      return t == DEFAULT_TEMPERATURE ? "" : ",temp=" + number(t);
    }

    static String roundsSuffix(int rounds) {
      return rounds == MAX_ROUNDS ? "" : ",rounds=" + rounds;
    }

    static String number(double d) {
      return d == Math.rint(d) && Math.abs(d) < 1e9 ? Long.toString((long) d) : Double.toString(d);
    }

    static String divisors(int n) {
      List<String> ds = new ArrayList<>();
      for (int d = 1; d <= n; d++) {
        if (n % d == 0) {
          ds.add(Integer.toString(d));
        }
      }
      return String.join(", ", ds);
    }
  }
}
