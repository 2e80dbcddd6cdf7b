package io.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code order_by} on a key with a datetime index, in query and scroll, against sorting the stored datetimes. */
class OrderByDatetimeTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int N = 200;

  @TempDir Path dir;
  private Random rnd;
  /** {epoch micros, id} of each point that has a datetime. */
  private final List<long[]> stored = new ArrayList<>();

  @BeforeEach
  void seed() {
    String s = System.getProperty("tests.seed");
    long seed = s == null || s.isBlank() ? new Random().nextLong() : Long.parseUnsignedLong(s.trim(), 16);
    System.out.println("OrderByDatetimeTest seed: -Dtests.seed=" + Long.toHexString(seed).toUpperCase());
    rnd = new Random(seed);
  }

  private void fill(ServerHarness s) throws Exception {
    s.ok("PUT", "/collections/d", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}");
    s.ok("PUT", "/collections/d/index?wait=true", "{\"field_name\":\"at\",\"field_schema\":\"datetime\"}");
    ObjectNode body = JSON.createObjectNode();
    ArrayNode points = body.putArray("points");
    Instant base = Instant.parse("2023-06-01T00:00:00Z");
    for (int id = 0; id < N; id++) {
      ObjectNode p = points.addObject().put("id", id);
      p.putArray("vector").add(rnd.nextFloat()).add(rnd.nextFloat());
      ObjectNode payload = p.putObject("payload");
      int r = rnd.nextInt(10);
      if (r == 0) {
        payload.put("at", 12345); // a number is not a datetime: not ordered
      } else if (r > 1) { // r == 1: no value
        Instant t = base.plusSeconds(rnd.nextInt(1000) * 3600L).plusNanos(rnd.nextInt(1000) * 1000L);
        // written in UTC or with an offset: the same instant either way
        payload.put("at", rnd.nextBoolean() ? t.toString() : t.atOffset(ZoneOffset.ofHours(2)).toString());
        stored.add(new long[] {t.getEpochSecond() * 1_000_000L + t.getNano() / 1000, id});
      }
    }
    s.ok("PUT", "/collections/d/points?wait=true", body.toString());
  }

  @Test
  void ordersByTheDatetimeAsEpochMicroseconds() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      fill(s);
      for (boolean desc : new boolean[] {false, true}) {
        List<long[]> want = new ArrayList<>(stored);
        Comparator<long[]> byTime = Comparator.comparingLong(e -> e[0]);
        want.sort((desc ? byTime.reversed() : byTime).thenComparingLong(e -> e[1]));
        int from = rnd.nextInt(want.size() / 2);
        String startFrom = Instant.ofEpochSecond(0, want.get(from)[0] * 1000).toString();
        String dir = desc ? "desc" : "asc";
        JsonNode got = s.ok("POST", "/collections/d/points/query", "{\"query\":{\"order_by\":{\"key\":\"at\","
            + "\"direction\":\"" + dir + "\",\"start_from\":\"" + startFrom + "\"}},\"limit\":" + N + "}")
            .get("points");
        List<long[]> expected = want.stream().filter(e -> desc ? e[0] <= want.get(from)[0]
            : e[0] >= want.get(from)[0]).toList();
        assertThat(got.size()).isEqualTo(expected.size());
        for (int i = 0; i < got.size(); i++) {
          assertThat(got.get(i).get("order_value").isIntegralNumber()).isTrue();
          assertThat(got.get(i).get("order_value").longValue()).as("rank %d %s", i, dir).isEqualTo(expected.get(i)[0]);
        }
        JsonNode scrolled = s.ok("POST", "/collections/d/points/scroll", "{\"order_by\":{\"key\":\"at\","
            + "\"direction\":\"" + dir + "\"},\"limit\":5}").get("points");
        for (int i = 0; i < 5; i++) {
          assertThat(scrolled.get(i).get("order_value").longValue()).isEqualTo(want.get(i)[0]);
        }
      }
      assertThat(s.error("POST", "/collections/d/points/query",
          "{\"query\":{\"order_by\":{\"key\":\"at\",\"start_from\":\"not a date\"}}}", 400))
          .contains("body.query.order_by.start_from");
    }
  }
}
