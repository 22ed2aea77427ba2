package io.reckon.protocol;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How a whole run went: the end of {@code reckon run}, and what a run's API reports.
 *
 * @param questions questions in the run
 * @param failed questions that gave up (counted in {@code questions}, never correct)
 * @param graded questions with a known ground truth
 * @param correct graded questions answered correctly
 * @param levels per difficulty level of the data set (level 0 = none given), in level order
 * @param compute everything the questions spent
 * @param retries model requests sent again, over all questions
 * @param pool the budget pool's books at the end
 * @param workers every worker's ledger
 * @param wallMillis from the first question started to the last one finished
 */
public record RunSummary(
    int questions,
    int failed,
    int graded,
    int correct,
    Map<Integer, Level> levels,
    Compute compute,
    long retries,
    Pool pool,
    List<WorkerStats> workers,
    long wallMillis)
    implements CborSerializable {

  public RunSummary {
    levels = Collections.unmodifiableSortedMap(new TreeMap<>(levels));
    workers = List.copyOf(workers);
  }

  /** Accuracy over the graded questions; {@code NaN} when none is graded. */
  public double accuracy() {
    return graded == 0 ? Double.NaN : (double) correct / graded;
  }

  public double questionsPerSecond() {
    return wallMillis == 0 ? Double.NaN : questions * 1000.0 / wallMillis;
  }

  /** One difficulty level's share of the run. */
  public record Level(int questions, int graded, int correct, long generations)
      implements CborSerializable {
    public double accuracy() {
      return graded == 0 ? Double.NaN : (double) correct / graded;
    }
  }

  /**
   * The pool's books, in generations. {@code granted} counts every grant (probes included),
   * {@code returned} what questions gave back unspent, {@code remaining} what is still in the
   * pool. Conservation: {@code granted - returned + remaining == total}, and once every question
   * has finished, {@code spent == granted - returned}.
   */
  public record Pool(long total, long granted, long returned, long remaining, long spent)
      implements CborSerializable {
    public boolean conserved() {
      return granted - returned + remaining == total;
    }
  }

  /**
   * One model worker's ledger.
   *
   * @param worker its name (actor path name)
   * @param kind {@code proposer} or {@code verifier}
   * @param batches model calls that succeeded
   * @param failedBatches model calls that threw
   * @param requests requests answered
   * @param rows generate samples or scored solutions answered
   * @param stepScores per-step scores returned (verifier only)
   * @param maxQuestionsInBatch the most distinct questions one batch held
   * @param batchSizes how many batches had each size (requests per batch)
   * @param compute compute of the requests it answered: generations charged, tokens, FLOPs
   */
  public record WorkerStats(
      String worker,
      String kind,
      long batches,
      long failedBatches,
      long requests,
      long rows,
      long stepScores,
      int maxQuestionsInBatch,
      Map<Integer, Long> batchSizes,
      Compute compute)
      implements CborSerializable {
    public WorkerStats {
      batchSizes = Collections.unmodifiableSortedMap(new TreeMap<>(batchSizes));
    }
  }
}
