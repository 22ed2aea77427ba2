package io.reckon.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.reckon.protocol.Question;
import io.reckon.runtime.Dataset;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Requests that name no budget share one service-wide pool: under concurrent load, the scheduler
 * gives easy questions less than the average and the pool's books balance.
 */
class ServicePoolTest {
  private static final Pattern BOOK =
      Pattern.compile("reckon_pool_generations\\{book=\"(\\w+)\",run=\"service\"} ([0-9.E]+)");

  @Test
  void easyRequestsGetLessThanTheAverageAndTheBooksBalance() throws Exception {
    List<Question> all = Dataset.read(Path.of(System.getProperty("reckon.root", ".."),
        "data/arith/test.jsonl"));
    List<Question> easy = all.stream().filter(q -> q.level() == 1).limit(16).toList();
    List<Question> hard = all.stream().filter(q -> q.level() == 4).limit(16).toList();
    int average = TestServers.settings().budget();
    try (ReckonServer server = TestServers.start(TestServers.settings())) {
      TestServers.awaitReady(server);
      ExecutorService clients = Executors.newFixedThreadPool(32);
      Map<Integer, List<Future<HttpResponse<String>>>> byLevel = new HashMap<>();
      try {
        for (int i = 0; i < easy.size(); i++) {
          for (Question q : List.of(easy.get(i), hard.get(i))) {
            // best-of-n uses every generation it gets, so a grant shows as spent compute.
            String body = "{\"model\":\"reckon/best-of-n\",\"prompt\":\"" + q.text()
                + "\",\"reckon\":{\"seed\":" + i + "}}";
            byLevel.computeIfAbsent(q.level(), k -> new ArrayList<>())
                .add(clients.submit(() -> TestServers.post(server, "/v1/completions", body, null)));
          }
        }
        Map<Integer, Double> meanGranted = new HashMap<>();
        long granted = 0;
        for (Map.Entry<Integer, List<Future<HttpResponse<String>>>> e : byLevel.entrySet()) {
          long sum = 0;
          for (Future<HttpResponse<String>> f : e.getValue()) {
            HttpResponse<String> r = f.get();
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode reckon = Json.MAPPER.readTree(r.body()).get("reckon");
            assertThat(reckon.get("pooled").asBoolean()).isTrue();
            sum += reckon.get("granted").asLong();
          }
          granted += sum;
          meanGranted.put(e.getKey(), (double) sum / e.getValue().size());
        }
        System.out.printf(java.util.Locale.ROOT,
            "service pool: mean grant level 1 %.1f, level 4 %.1f, average %d%n",
            meanGranted.get(1), meanGranted.get(4), average);
        assertThat(meanGranted.get(1)).as("easy requests' mean grant").isLessThan(average);
        assertThat(meanGranted.get(4)).as("hard requests' mean grant")
            .isGreaterThan(meanGranted.get(1));

        Map<String, Long> books = new HashMap<>();
        Matcher m = BOOK.matcher(TestServers.get(server, "/metrics").body());
        while (m.find()) {
          books.put(m.group(1), (long) Double.parseDouble(m.group(2)));
        }
        assertThat(books.get("total")).isEqualTo((long) average * 32);
        assertThat(books.get("granted") - books.get("returned") + books.get("remaining"))
            .isEqualTo(books.get("total"));
        // Every request is done: what is held is exactly what was spent.
        assertThat(books.get("granted") - books.get("returned")).isEqualTo(books.get("spent"));
        assertThat(books.get("spent")).isLessThanOrEqualTo(books.get("total"));
        assertThat(granted).isLessThanOrEqualTo(books.get("total"));
      } finally {
        clients.shutdownNow();
      }
    }
  }
}
