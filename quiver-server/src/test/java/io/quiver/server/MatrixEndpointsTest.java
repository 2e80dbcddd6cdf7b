package io.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /points/search/matrix/pairs|offsets} against brute force over the returned sample. */
class MatrixEndpointsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int N = 120;

  @TempDir Path dir;
  private Random rnd;
  private final float[][] vectors = new float[N][];

  @BeforeEach
  void seed() {
    String s = System.getProperty("tests.seed");
    long seed = s == null || s.isBlank() ? new Random().nextLong() : Long.parseUnsignedLong(s.trim(), 16);
    System.out.println("MatrixEndpointsTest seed: -Dtests.seed=" + Long.toHexString(seed).toUpperCase());
    rnd = new Random(seed);
  }

  private void fill(ServerHarness s) throws Exception {
    s.ok("PUT", "/collections/m", "{\"vectors\":{\"v\":{\"size\":3,\"distance\":\"Euclid\"},"
        + "\"w\":{\"size\":2,\"distance\":\"Dot\"}}}");
    ObjectNode body = JSON.createObjectNode();
    ArrayNode points = body.putArray("points");
    for (int id = 0; id < N; id++) {
      ObjectNode p = points.addObject().put("id", id);
      vectors[id] = new float[] {rnd.nextFloat(), rnd.nextFloat(), rnd.nextFloat()};
      ObjectNode vs = p.putObject("vector");
      ArrayNode v = vs.putArray("v");
      for (float x : vectors[id]) {
        v.add(x);
      }
      if (id % 3 != 0) { // every third point has no "w"
        vs.putArray("w").add(rnd.nextFloat()).add(rnd.nextFloat());
      }
      p.putObject("payload").put("even", id % 2 == 0);
    }
    s.ok("PUT", "/collections/m/points?wait=true", body.toString());
  }

  private static float l2(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (a[i] - b[i]) * (a[i] - b[i]);
    }
    return (float) Math.sqrt(s);
  }

  @Test
  void rowsAreTheNearestAmongTheSample() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      fill(s);
      for (int iter = 0; iter < 8; iter++) {
        int sample = 2 + rnd.nextInt(iter % 2 == 0 ? 20 : N); // sometimes more than match
        int limit = 1 + rnd.nextInt(5);
        String req = "{\"sample\":" + sample + ",\"limit\":" + limit + ",\"using\":\"v\","
            + "\"filter\":{\"must\":[{\"key\":\"even\",\"match\":{\"value\":true}}]}}";
        JsonNode off = s.ok("POST", "/collections/m/points/search/matrix/offsets", req);
        List<Integer> ids = new ArrayList<>();
        off.get("ids").forEach(i -> ids.add(i.asInt()));
        assertThat(ids).hasSize(Math.min(sample, N / 2)).isSorted().doesNotHaveDuplicates()
            .allMatch(i -> i % 2 == 0);
        int k = 0;
        for (int row = 0; row < ids.size(); row++) {
          int a = ids.get(row);
          List<Integer> others = new ArrayList<>(ids);
          others.remove((Integer) a);
          others.sort(Comparator.comparingDouble((Integer b) -> l2(vectors[a], vectors[b])));
          for (int j = 0; j < Math.min(limit, others.size()); j++, k++) {
            assertThat(off.get("offsets_row").get(k).asInt()).isEqualTo(row);
            int b = ids.get(off.get("offsets_col").get(k).asInt());
            assertThat(off.get("scores").get(k).doubleValue()).as("row %d rank %d", row, j)
                .isCloseTo(l2(vectors[a], vectors[others.get(j)]), offset(1e-5));
            assertThat(l2(vectors[a], vectors[b])).isCloseTo(l2(vectors[a], vectors[others.get(j)]), offset(1e-5f));
          }
        }
        assertThat(off.get("offsets_row").size()).isEqualTo(k);
        assertThat(off.get("offsets_col").size()).isEqualTo(k);
        assertThat(off.get("scores").size()).isEqualTo(k);
      }
      // pairs: the same shape, a and b as ids; only points that have the vector are sampled
      JsonNode pairs = s.ok("POST", "/collections/m/points/search/matrix/pairs",
          "{\"sample\":1000,\"limit\":2,\"using\":\"w\"}").get("pairs");
      Set<Integer> as = new HashSet<>();
      for (JsonNode p : pairs) {
        assertThat(p.get("a").asInt() % 3).isNotZero();
        assertThat(p.get("b").asInt() % 3).isNotZero();
        assertThat(p.get("a").asInt()).isNotEqualTo(p.get("b").asInt());
        assertThat(p.has("score")).isTrue();
        as.add(p.get("a").asInt());
      }
      assertThat(pairs.size()).isEqualTo(2 * (N - N / 3));
      assertThat(as).hasSize(N - N / 3);
      // defaults: sample 10, limit 3; fewer than two matching points: empty
      assertThat(s.ok("POST", "/collections/m/points/search/matrix/pairs", "{\"using\":\"v\"}").get("pairs"))
          .hasSize(30);
      JsonNode one = s.ok("POST", "/collections/m/points/search/matrix/offsets",
          "{\"using\":\"v\",\"filter\":{\"must\":[{\"has_id\":[4]}]}}");
      assertThat(one.toString()).isEqualTo("{\"offsets_row\":[],\"offsets_col\":[],\"scores\":[],\"ids\":[]}");
    }
  }

  @Test
  void badRequestsAre400sNamingThePath() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      fill(s);
      String p = "/collections/m/points/search/matrix/pairs";
      assertThat(s.error("POST", p, "{\"sample\":1,\"using\":\"v\"}", 400)).contains("body.sample");
      assertThat(s.error("POST", p, "{\"limit\":0,\"using\":\"v\"}", 400)).contains("body.limit");
      assertThat(s.error("POST", p, "{\"using\":\"nope\"}", 400)).contains("Not existing vector name");
      assertThat(s.error("POST", "/collections/m/points/search/matrix/offsets", "{\"using\":\"v\",\"extra\":1}", 400))
          .contains("body: unknown field `extra`");
      assertThat(s.error("POST", "/collections/none/points/search/matrix/offsets", "{}", 404)).isNotEmpty();
    }
  }
}
