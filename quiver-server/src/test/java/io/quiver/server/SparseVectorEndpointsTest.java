package io.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sparse vectors through the REST API in Qdrant 1.19's shapes, and the 400s for bad ones. */
class SparseVectorEndpointsTest {
  @TempDir Path dir;

  private static final String CREATE = "{\"vectors\":{\"dense\":{\"size\":2,\"distance\":\"Dot\"}},"
      + "\"sparse_vectors\":{\"text\":{\"modifier\":\"idf\",\"index\":{\"on_disk\":false,"
      + "\"full_scan_threshold\":5000,\"datatype\":\"float32\"}},\"plain\":{}}}";

  private static void fill(ServerHarness s) throws Exception {
    s.ok("PUT", "/collections/c", CREATE);
    s.ok("PUT", "/collections/c/points?wait=true", "{\"points\":["
        + "{\"id\":1,\"vector\":{\"dense\":[1,0],\"text\":{\"indices\":[4294967295,7],\"values\":[1.0,2.0]}},"
        + "\"payload\":{\"g\":\"a\"}},"
        + "{\"id\":2,\"vector\":{\"dense\":[0,1],\"text\":{\"indices\":[7],\"values\":[0.5]}},\"payload\":{\"g\":\"b\"}},"
        + "{\"id\":3,\"vector\":{\"dense\":[1,1],\"plain\":{\"indices\":[1],\"values\":[3]}},\"payload\":{\"g\":\"a\"}}]}");
    s.ok("PUT", "/collections/c/points?wait=true", "{\"batch\":{\"ids\":[4,5],\"vectors\":{\"dense\":[[0.5,0.5],[0.2,0.1]],"
        + "\"text\":[{\"indices\":[9,7],\"values\":[1,1]},{\"indices\":[9],\"values\":[4]}]},"
        + "\"payloads\":[{\"g\":\"b\"},{\"g\":\"a\"}]}}");
  }

  private static List<Integer> ids(JsonNode points) {
    List<Integer> out = new ArrayList<>();
    points.forEach(p -> out.add(p.get("id").asInt()));
    return out;
  }

  @Test
  void configIsEchoedAndSparseFieldsCanBeAdded() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      fill(s);
      JsonNode params = s.ok("GET", "/collections/c", null).get("config").get("params");
      JsonNode text = params.get("sparse_vectors").get("text");
      assertThat(text.get("modifier").asText()).isEqualTo("idf");
      assertThat(text.get("index").get("full_scan_threshold").asInt()).isEqualTo(5000);
      assertThat(text.get("index").get("datatype").asText()).isEqualTo("float32");
      assertThat(params.get("sparse_vectors").get("plain").has("modifier")).isFalse();
      s.ok("PUT", "/collections/c/vectors/extra", "{\"sparse\":{\"modifier\":\"Idf\"}}");
      assertThat(s.ok("GET", "/collections/c", null).get("config").get("params").get("sparse_vectors").has("extra"))
          .isTrue();
      s.ok("PUT", "/collections/c/points?wait=true",
          "{\"points\":[{\"id\":9,\"vector\":{\"extra\":{\"indices\":[1],\"values\":[1]}}}]}");
      assertThat(ids(s.ok("POST", "/collections/c/points/query",
          "{\"query\":{\"indices\":[1],\"values\":[1]},\"using\":\"extra\"}").get("points"))).containsExactly(9);
      assertThat(s.error("PUT", "/collections/c/vectors/text", "{\"sparse\":{}}", 400)).contains("already has");
      // a collection of sparse fields only
      s.ok("PUT", "/collections/only", "{\"sparse_vectors\":{\"s\":{}}}");
      s.ok("PUT", "/collections/only/points?wait=true",
          "{\"points\":[{\"id\":1,\"vector\":{\"s\":{\"indices\":[3],\"values\":[1]}}}]}");
      assertThat(s.ok("GET", "/collections/only", null).get("points_count").asInt()).isEqualTo(1);
    }
  }

  @Test
  void queryScrollRetrieveAndFusionSpeakSparse() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      fill(s);
      for (boolean sealed : new boolean[] {false, true}) {
        if (sealed) {
          s.db.collection("c").flush();
        }
        // N = 4 points have `text`; index 7 is in 3 of them, 9 in 2, 4294967295 in 1
        JsonNode r = s.ok("POST", "/collections/c/points/query", "{\"query\":{\"indices\":[7],\"values\":[1]},"
            + "\"using\":\"text\",\"with_vector\":[\"text\"]}").get("points");
        assertThat(ids(r)).containsExactly(1, 4, 2);
        float idf7 = (float) Math.log(1 + (4 - 3 + 0.5) / (3 + 0.5));
        assertThat(r.get(0).get("score").floatValue()).isCloseTo(2 * idf7, Offset.offset(1e-5f));
        JsonNode v = r.get(0).get("vector").get("text");
        assertThat(v.get("indices").get(0).asLong()).isEqualTo(7);
        assertThat(v.get("indices").get(1).asLong()).isEqualTo(4294967295L);
        assertThat(v.get("values").get(1).floatValue()).isEqualTo(1f);
        // nearest form, filter, point id
        assertThat(ids(s.ok("POST", "/collections/c/points/query", "{\"query\":{\"nearest\":{\"indices\":[7,9],"
            + "\"values\":[1,1]}},\"using\":\"text\",\"filter\":{\"must\":[{\"key\":\"g\",\"match\":{\"value\":\"a\"}}]}}")
            .get("points"))).containsExactly(5, 1);
        assertThat(ids(s.ok("POST", "/collections/c/points/query", "{\"query\":4,\"using\":\"text\"}").get("points")))
            .containsExactly(5, 1, 2);
        // the older search endpoint with a NamedSparseVector
        assertThat(ids(s.ok("POST", "/collections/c/points/search", "{\"vector\":{\"name\":\"text\",\"vector\":"
            + "{\"indices\":[9],\"values\":[1]}},\"limit\":1}"))).containsExactly(5);
        // hybrid: a dense and a sparse prefetch fused
        JsonNode fused = s.ok("POST", "/collections/c/points/query", "{\"prefetch\":["
            + "{\"query\":[1,0],\"using\":\"dense\",\"limit\":3},"
            + "{\"query\":{\"indices\":[9],\"values\":[1]},\"using\":\"text\",\"limit\":3}],"
            + "\"query\":{\"fusion\":\"rrf\"},\"limit\":10,\"with_vector\":true}").get("points");
        assertThat(ids(fused)).containsExactlyInAnyOrder(1, 3, 4, 5);
        for (JsonNode p : fused) {
          if (p.get("id").asInt() == 5) {
            assertThat(p.get("vector").get("text").get("values").get(0).floatValue()).isEqualTo(4f);
            assertThat(p.get("vector").get("dense")).hasSize(2);
          }
        }
        assertThat(ids(s.ok("POST", "/collections/c/points/query", "{\"prefetch\":["
            + "{\"query\":[1,0],\"using\":\"dense\",\"limit\":3},"
            + "{\"query\":{\"indices\":[9],\"values\":[1]},\"using\":\"text\",\"limit\":3}],"
            + "\"query\":{\"fusion\":\"dbsf\"},\"limit\":2}").get("points"))).hasSize(2);
        // rescoring prefetched candidates by a sparse query
        assertThat(ids(s.ok("POST", "/collections/c/points/query", "{\"prefetch\":"
            + "{\"query\":[1,1],\"using\":\"dense\",\"limit\":5},"
            + "\"query\":{\"indices\":[9],\"values\":[1]},\"using\":\"text\"}").get("points"))).containsExactly(5, 4);
        JsonNode scrolled = s.ok("POST", "/collections/c/points/scroll", "{\"with_vector\":true,\"limit\":10}");
        assertThat(scrolled.get("points").get(2).get("vector").get("plain").get("indices").get(0).asInt()).isEqualTo(1);
        JsonNode got = s.ok("POST", "/collections/c/points", "{\"ids\":[2],\"with_vector\":[\"text\"]}");
        assertThat(got.get(0).get("vector").has("dense")).isFalse();
        assertThat(got.get(0).get("vector").get("text").get("values").get(0).floatValue()).isEqualTo(0.5f);
      }
      // updating a payload or the dense vector keeps the sparse vector
      s.ok("POST", "/collections/c/points/payload?wait=true", "{\"payload\":{\"x\":1},\"points\":[2]}");
      s.ok("PUT", "/collections/c/points/vectors?wait=true", "{\"points\":[{\"id\":2,\"vector\":{\"dense\":[3,3]}}]}");
      JsonNode got = s.ok("POST", "/collections/c/points", "{\"ids\":[2],\"with_vector\":true}");
      assertThat(got.get(0).get("vector").get("text").get("values").get(0).floatValue()).isEqualTo(0.5f);
      s.ok("PUT", "/collections/c/points/vectors?wait=true",
          "{\"points\":[{\"id\":2,\"vector\":{\"text\":{\"indices\":[8],\"values\":[2]}}}]}");
      assertThat(ids(s.ok("POST", "/collections/c/points/query",
          "{\"query\":{\"indices\":[8],\"values\":[1]},\"using\":\"text\"}").get("points"))).containsExactly(2);
    }
  }

  @Test
  void badSparseInputIsA400NamingThePathAndChangesNothing() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      fill(s);
      String[][] upserts = {
          {"{\"indices\":[1,1],\"values\":[1,2]}", "body.points[0].vector.text.indices: must be unique"},
          {"{\"indices\":[1,2],\"values\":[1]}", "body.points[0].vector.text: indices and values must have the same"},
          {"{\"indices\":[-1],\"values\":[1]}", "body.points[0].vector.text.indices[0]: expected an unsigned 32-bit"},
          {"{\"indices\":[4294967296],\"values\":[1]}", "body.points[0].vector.text.indices[0]"},
          {"{\"indices\":[1],\"values\":[\"x\"]}", "body.points[0].vector.text.values[0]"},
          {"{\"indices\":[1],\"values\":[1e39]}", "body.points[0].vector.text.values[0]"},
          {"[1,2]", "body.points[0].vector.text: 'text' is a sparse vector field"},
      };
      for (String[] u : upserts) {
        assertThat(s.error("PUT", "/collections/c/points?wait=true",
            "{\"points\":[{\"id\":77,\"vector\":{\"dense\":[1,1],\"text\":" + u[0] + "}}]}", 400)).contains(u[1]);
      }
      assertThat(s.error("PUT", "/collections/c/points?wait=true",
          "{\"points\":[{\"id\":77,\"vector\":{\"dense\":{\"indices\":[1],\"values\":[1]}}}]}", 400))
          .contains("body.points[0].vector.dense: 'dense' is a dense vector field");
      assertThat(s.error("PUT", "/collections/c/points?wait=true",
          "{\"points\":[{\"id\":77,\"vector\":{\"nope\":{\"indices\":[1],\"values\":[1]}}}]}", 400))
          .contains("body.points[0].vector.nope").contains("Not existing vector name");
      assertThat(s.error("PUT", "/collections/c/points?wait=true", "{\"batch\":{\"ids\":[77],\"vectors\":"
          + "{\"text\":[{\"indices\":[1],\"values\":[1,2]}]}}}", 400)).contains("body.batch.vectors.text[0]");
      assertThat(s.ok("POST", "/collections/c/points", "{\"ids\":[77]}")).isEmpty();
      assertThat(s.error("POST", "/collections/c/points/query",
          "{\"query\":{\"indices\":[1],\"values\":[1]},\"using\":\"dense\"}", 400)).contains("body.query")
          .contains("'dense' is dense");
      assertThat(s.error("POST", "/collections/c/points/query",
          "{\"query\":{\"indices\":[1],\"values\":[1]},\"using\":\"nope\"}", 400)).contains("body.query");
      assertThat(s.error("POST", "/collections/c/points/query", "{\"query\":[1,2],\"using\":\"text\"}", 400))
          .contains("body.query: 'text' is a sparse vector field");
      assertThat(s.error("POST", "/collections/c/points/query",
          "{\"query\":{\"nearest\":{\"indices\":[1,1],\"values\":[1,1]}},\"using\":\"text\"}", 400))
          .contains("body.query.nearest.indices: must be unique");
      assertThat(s.error("POST", "/collections/c/points/query", "{\"prefetch\":[{\"query\":{\"indices\":[1],"
          + "\"values\":[1,2]},\"using\":\"text\"}],\"query\":{\"fusion\":\"rrf\"}}", 400))
          .contains("body.prefetch[0].query");
      assertThat(s.error("PUT", "/collections/d", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"},"
          + "\"sparse_vectors\":{\"s\":{\"modifier\":\"bm25\"}}}", 400)).contains("body.sparse_vectors.s.modifier");
      assertThat(s.error("PUT", "/collections/d", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"},"
          + "\"sparse_vectors\":{\"s\":{\"index\":{\"datatype\":\"int4\"}}}}", 400))
          .contains("body.sparse_vectors.s.index.datatype");
      assertThat(s.error("PUT", "/collections/d", "{\"vectors\":{\"x\":{\"size\":2,\"distance\":\"Dot\"}},"
          + "\"sparse_vectors\":{\"x\":{}}}", 400)).contains("body.sparse_vectors.x");
    }
  }
}
