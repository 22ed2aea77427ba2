package io.reckon.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.reckon.protocol.Compute;
import io.reckon.protocol.RunSummary;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SummaryTableTest {
  private static RunSummary summary(Compute compute) {
    return new RunSummary(10, 0, 10, 7, Map.of(0, new RunSummary.Level(10, 10, 7, 40)), compute,
        0, new RunSummary.Pool(40, 40, 0, 0, 40), List.of(), 1000);
  }

  @Test
  void flopsAreGivenWhenTheModelsSizesAreKnown() {
    String t = SummaryTable.render(summary(new Compute(40, 1000, 3000, 0, 2.0e9, 0)),
        "best-of-n", 4, 1, 0, Path.of("results.jsonl"));
    assertThat(t).contains("40 generations, 4,000 tokens, 2.00e+09 FLOPs in total")
        .contains("4.0 generations, 400 tokens, 2.00e+08 FLOPs per question");
  }

  @Test
  void unknownFlopsAreNotShownAsZero() {
    // A replay: tokens were recorded, the model's size was not.
    String t = SummaryTable.render(summary(new Compute(40, 0, 3000, 0, 0, 0)),
        "best-of-n", 4, 1, 0, Path.of("results.jsonl"));
    assertThat(t).contains("40 generations, 3,000 tokens, FLOPs not known")
        .contains("4.0 generations, 300 tokens per question")
        .doesNotContain("0.00 FLOPs");
  }
}
