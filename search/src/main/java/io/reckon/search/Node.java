package io.reckon.search;

import io.reckon.protocol.Candidate;
import io.reckon.search.task.Task;
import java.util.ArrayList;
import java.util.List;

/**
 * A partial or complete solution inside a search: its steps, whether it ended with an answer
 * line, and the verifier's scores once it has them.
 */
final class Node {
  final List<String> steps;
  final boolean finished;
  final int group;
  List<Double> scores = List.of();
  double score = Double.NaN;

  Node(List<String> steps, boolean finished, int group) {
    this.steps = List.copyOf(steps);
    this.finished = finished;
    this.group = group;
  }

  static Node extend(Node parent, List<String> more, boolean finished) {
    List<String> steps = new ArrayList<>(parent.steps);
    steps.addAll(more);
    return new Node(steps, finished, parent.group);
  }

  static Node root(int group) {
    return new Node(List.of(), false, group);
  }

  void scored(List<Double> stepScores, Aggregation aggregation) {
    scores = List.copyOf(stepScores);
    score = aggregation.apply(scores);
  }

  /** The candidate, its answer extracted by the run's task (none unless it finished). */
  Candidate toCandidate(String source, Task task) {
    return new Candidate(steps, finished ? task.extract(steps) : null, scores, score, group, source);
  }

  /** Sort key for "keep the best": unscored last, higher score first. */
  double rank() {
    return Double.isNaN(score) ? Double.NEGATIVE_INFINITY : score;
  }
}
