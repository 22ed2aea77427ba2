package io.reckon.search.policy;

import io.reckon.protocol.Question;
import io.reckon.search.Repo;
import io.reckon.search.SyncDriver;
import io.reckon.search.ToyReasoner;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/** The search tests' seeded ToyReasoner and shipped question sets, for the policy tests. */
final class Toy {
  private Toy() {}

  static List<Question> questions(String file) {
    return Repo.questions(file);
  }

  /** A driver backed by a ToyReasoner that knows these questions' answers and levels. */
  static SyncDriver driver(List<Question> questions) {
    Map<String, long[]> truths = new HashMap<>();
    questions.forEach(q -> truths.put(q.text(), new long[] {Long.parseLong(q.answer()), q.level()}));
    ToyReasoner model = new ToyReasoner(truths);
    return new SyncDriver(model::generate, model::score);
  }

  /** Every {@code step}-th question of the validation split, so that all levels are present. */
  static List<Question> slice(int count, int step) {
    List<Question> all = questions("validation.jsonl");
    return IntStream.range(0, count).mapToObj(i -> all.get(i * step)).toList();
  }
}
