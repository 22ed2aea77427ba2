package io.reckon.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * What a durable run is, as its {@code RunStarted} event records it: enough to continue the run on
 * any node, and the SHA-256 digest of every file it read, so that a resume with other data, policy
 * or models is refused instead of mixing results.
 *
 * @param questions the question set: a file with its digest, or the questions themselves
 * @param strategy the main strategy's canonical spec, or {@code compute-optimal} under a policy
 * @param policy the compute-optimal policy file; {@code null} for a fixed strategy
 * @param budget generations per question on average (the pool is {@code budget * count})
 * @param allocation how the pool is shared: {@code rule}, {@code fixed}, {@code gain} or
 *     {@code adaptive}
 * @param seed the run's seed (question {@code i} is seeded from it and {@code i})
 * @param probe probe samples per question (a policy's own probe size under a policy)
 * @param models the proposer's and the verifier's model, with the digests of their files
 * @param task the run's task by name and the digest of its definition; {@code null} in runs
 *     journaled before tasks existed, which were {@code arith}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunSpec(
    Questions questions,
    String strategy,
    FileRef policy,
    int budget,
    String allocation,
    long seed,
    int probe,
    List<ModelRef> models,
    TaskRef task)
    implements CborSerializable {

  public static final String COMPUTE_OPTIMAL = "compute-optimal";
  private static final Set<String> ALLOCATIONS = Set.of("rule", "fixed", "gain", "adaptive");

  public RunSpec {
    Objects.requireNonNull(questions, "questions");
    Objects.requireNonNull(strategy, "strategy");
    Objects.requireNonNull(allocation, "allocation");
    models = List.copyOf(models);
    if (budget < 1) {
      throw new IllegalArgumentException("budget must be >= 1 generation, was " + budget);
    }
    if (probe < 0) {
      throw new IllegalArgumentException("probe must be >= 0, was " + probe);
    }
    allocation = allocation.toLowerCase(Locale.ROOT);
    if (!ALLOCATIONS.contains(allocation)) {
      throw new IllegalArgumentException(
          "allocation '" + allocation + "': allowed are rule, fixed, gain, adaptive");
    }
    if (strategy.equals(COMPUTE_OPTIMAL) != (policy != null)) {
      throw new IllegalArgumentException("a compute-optimal run needs a policy; any other none");
    }
  }

  /** A spec without a task (the arithmetic default), as runs were journaled before tasks. */
  public RunSpec(Questions questions, String strategy, FileRef policy, int budget,
      String allocation, long seed, int probe, List<ModelRef> models) {
    this(questions, strategy, policy, budget, allocation, seed, probe, models, null);
  }

  /** The same spec under a task. */
  public RunSpec withTask(TaskRef t) {
    return new RunSpec(questions, strategy, policy, budget, allocation, seed, probe, models, t);
  }

  /** The task's name; {@code arith} for runs journaled before tasks. */
  public String taskName() {
    return task == null ? TaskRef.ARITH : task.name();
  }

  public boolean computeOptimal() {
    return policy != null;
  }

  /**
   * The questions: a file ({@code file}, its {@code sha256}, {@code count} questions) or, for runs
   * submitted with their questions (the HTTP API), {@code inline} with the digest of their JSON.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Questions(String file, String sha256, int count, List<Question> inline)
      implements CborSerializable {
    public Questions {
      Objects.requireNonNull(sha256, "sha256");
      if ((file == null) == (inline == null)) {
        throw new IllegalArgumentException("questions come from a file or inline, not both");
      }
      if (inline != null) {
        inline = List.copyOf(inline);
        if (inline.size() != count) {
          throw new IllegalArgumentException(
              "count " + count + " but " + inline.size() + " inline questions");
        }
      }
      if (count < 1) {
        throw new IllegalArgumentException("a run needs at least one question");
      }
    }

    /** What a message about this question set calls it. */
    public String describe() {
      return file != null ? file : count + " inline questions";
    }
  }

  /** A file the run read, by absolute path and SHA-256 (lower-case hex). */
  public record FileRef(String path, String sha256) implements CborSerializable {
    public FileRef {
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(sha256, "sha256");
    }
  }

  /**
   * One model of the run.
   *
   * @param role {@code proposer} or {@code verifier}
   * @param name what a policy records it as (e.g. {@code arith-policy}, {@code synthetic})
   * @param path its folder (absolute); {@code null} for a model without files (synthetic)
   * @param sha256 digest over its folder's files (names and contents), or of its name when it has none
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ModelRef(String role, String name, String path, String sha256)
      implements CborSerializable {
    public ModelRef {
      Objects.requireNonNull(role, "role");
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(sha256, "sha256");
    }
  }

  /**
   * The task a run answers in: its name and the SHA-256 of its definition, so that a resume under
   * a task of the same name but another definition (another delimiter, grader or prompt) is
   * refused.
   */
  public record TaskRef(String name, String sha256) implements CborSerializable {
    public static final String ARITH = "arith";

    public TaskRef {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(sha256, "sha256");
    }
  }
}
