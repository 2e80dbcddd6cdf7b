package io.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Multi-vector fields through the REST API in Qdrant 1.19's shapes, and the 400s for bad ones. */
class MultiVectorEndpointsTest {
  @TempDir Path dir;

  private static final String CREATE = "{\"vectors\":{\"dense\":{\"size\":2,\"distance\":\"Dot\"},"
      + "\"colbert\":{\"size\":2,\"distance\":\"Dot\",\"multivector_config\":{\"comparator\":\"max_sim\"}},"
      + "\"exact\":{\"size\":2,\"distance\":\"Euclid\",\"multivector_config\":{\"comparator\":\"max_sim\"},"
      + "\"hnsw_config\":{\"m\":0}}}}";

  private static void fill(ServerHarness s) throws Exception {
    s.ok("PUT", "/collections/c", CREATE);
    s.ok("PUT", "/collections/c/points?wait=true", "{\"points\":["
        + "{\"id\":1,\"vector\":{\"dense\":[1,0],\"colbert\":[[1,0],[0,1]],\"exact\":[[0,0]]},\"payload\":{\"g\":\"a\"}},"
        + "{\"id\":2,\"vector\":{\"dense\":[0,1],\"colbert\":[[2,0]],\"exact\":[[1,1],[3,3]]},\"payload\":{\"g\":\"b\"}},"
        + "{\"id\":3,\"vector\":{\"dense\":[1,1],\"colbert\":[[0,3],[0.5,0.5],[1,1]]},\"payload\":{\"g\":\"a\"}}]}");
  }

  private static List<Integer> ids(JsonNode points) {
    List<Integer> out = new ArrayList<>();
    points.forEach(p -> out.add(p.get("id").asInt()));
    return out;
  }

  @Test
  void configIsEchoedAsQdrantShowsIt() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      fill(s);
      JsonNode vectors = s.ok("GET", "/collections/c", null).get("config").get("params").get("vectors");
      assertThat(vectors.get("colbert").get("multivector_config").get("comparator").asText()).isEqualTo("max_sim");
      assertThat(vectors.get("colbert").get("size").asInt()).isEqualTo(2);
      assertThat(vectors.get("exact").get("hnsw_config").get("m").asInt()).isZero();
      assertThat(vectors.get("dense").has("multivector_config")).isFalse();
      s.ok("PUT", "/collections/u", "{\"vectors\":{\"size\":3,\"distance\":\"Cosine\","
          + "\"multivector_config\":{\"comparator\":\"max_sim\"}}}");
      s.ok("PUT", "/collections/u/points?wait=true", "{\"points\":[{\"id\":7,\"vector\":[[1,0,0],[0,1,0]]}]}");
      s.ok("PUT", "/collections/u/points?wait=true", "{\"batch\":{\"ids\":[8],\"vectors\":[[[0,0,1]]]}}");
      assertThat(s.error("PUT", "/collections/u/points?wait=true", "{\"batch\":{\"ids\":[9],\"vectors\":[[0,0,1]]}}",
          400)).contains("body.batch.vectors[0][0]");
      JsonNode hit = s.ok("POST", "/collections/u/points/query", "{\"query\":[[1,0,0]],\"with_vector\":true}")
          .get("points").get(0);
      assertThat(hit.get("score").floatValue()).isCloseTo(1f, Offset.offset(1e-6f));
      assertThat(hit.get("vector").size()).isEqualTo(2);
      assertThat(s.ok("GET", "/collections/u", null).get("config").get("params").get("vectors")
          .get("multivector_config").get("comparator").asText()).isEqualTo("max_sim");
      assertThat(s.error("PUT", "/collections/bad", "{\"vectors\":{\"size\":3,\"distance\":\"Dot\","
          + "\"multivector_config\":{\"comparator\":\"sum\"}}}", 400))
          .contains("body.vectors.multivector_config.comparator");
    }
  }

  @Test
  void queryScoresMaxSimEverywhere() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      fill(s);
      for (boolean sealed : new boolean[] {false, true}) {
        if (sealed) {
          s.db.collection("c").flush();
        }
        // query [[1,0],[0,1]]: point 1 -> 1 + 1 = 2; point 2 -> 2 + 0 = 2; point 3 -> max(0,.5,1) + max(3,.5,1) = 4
        JsonNode r = s.ok("POST", "/collections/c/points/query",
            "{\"query\":[[1,0],[0,1]],\"using\":\"colbert\",\"with_vector\":[\"colbert\"],\"with_payload\":true}")
            .get("points");
        assertThat(ids(r).get(0)).isEqualTo(3);
        assertThat(r.get(0).get("score").floatValue()).isCloseTo(4f, Offset.offset(1e-5f));
        assertThat(r.get(1).get("score").floatValue()).isCloseTo(2f, Offset.offset(1e-5f));
        assertThat(r.get(0).get("vector").get("colbert").toString()).isEqualTo("[[0.0,3.0],[0.5,0.5],[1.0,1.0]]");
        // Euclid: negated distance per pair, best (largest) first; point 3 has no `exact` vectors
        JsonNode e = s.ok("POST", "/collections/c/points/query",
            "{\"query\":[[1,1]],\"using\":\"exact\"}").get("points");
        assertThat(ids(e)).containsExactly(2, 1);
        assertThat(e.get(1).get("score").floatValue()).isCloseTo((float) -Math.sqrt(2), Offset.offset(1e-5f));
        assertThat(ids(s.ok("POST", "/collections/c/points/query", "{\"query\":[[1,0],[0,1]],\"using\":\"colbert\","
            + "\"filter\":{\"must\":[{\"key\":\"g\",\"match\":{\"value\":\"a\"}}]},\"score_threshold\":2.5}")
            .get("points"))).containsExactly(3);
        // a prefetch by multi-vector fused with a dense one, and a MaxSim rescoring of the dense top 2 (points 1, 3)
        JsonNode fused = s.ok("POST", "/collections/c/points/query", "{\"prefetch\":["
            + "{\"query\":[[1,0],[0,1]],\"using\":\"colbert\",\"limit\":3},{\"query\":[1,0],\"using\":\"dense\"}],"
            + "\"query\":{\"fusion\":\"rrf\"}}").get("points");
        assertThat(ids(fused)).hasSize(3);
        JsonNode rescored = s.ok("POST", "/collections/c/points/query", "{\"prefetch\":{\"query\":[1,0],"
            + "\"using\":\"dense\",\"limit\":2},\"query\":[[0,1]],\"using\":\"colbert\"}").get("points");
        assertThat(ids(rescored)).containsExactly(3, 1);
        assertThat(ids(s.ok("POST", "/collections/c/points/query", "{\"query\":3,\"using\":\"colbert\"}")
            .get("points"))).doesNotContain(3).hasSize(2);
        JsonNode groups = s.ok("POST", "/collections/c/points/query/groups", "{\"query\":[[1,0],[0,1]],"
            + "\"using\":\"colbert\",\"group_by\":\"g\",\"limit\":2,\"group_size\":1}").get("groups");
        assertThat(groups.size()).isEqualTo(2);
        JsonNode got = s.ok("POST", "/collections/c/points", "{\"ids\":[2],\"with_vector\":true}").get(0);
        assertThat(got.get("vector").get("exact").toString()).isEqualTo("[[1.0,1.0],[3.0,3.0]]");
        assertThat(s.ok("POST", "/collections/c/points/scroll", "{\"with_vector\":[\"colbert\"]}").get("points")
            .get(1).get("vector").get("colbert").toString()).isEqualTo("[[2.0,0.0]]");
      }
    }
  }

  @Test
  void badShapesAre400sNamingThePathAndChangeNothing() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      fill(s);
      String[][] cases = {
          {"{\"dense\":[1,0],\"colbert\":[1,0]}", "body.points[0].vector.colbert[0]"},
          {"{\"dense\":[1,0],\"colbert\":[]}", "at least one vector"},
          {"{\"dense\":[1,0],\"colbert\":[[1,0],[1,0,0]]}", "body.points[0].vector.colbert[1]"},
          {"{\"dense\":[1,0],\"colbert\":[[1,\"x\"]]}", "body.points[0].vector.colbert[0][1]"},
          {"{\"dense\":[1,0],\"colbert\":[[1e39,0]]}", "body.points[0].vector.colbert[0][0]"},
          {"{\"dense\":[[1,0]]}", "body.points[0].vector.dense"}};
      s.ok("PUT", "/collections/u2", "{\"vectors\":{\"size\":2,\"distance\":\"Cosine\","
          + "\"multivector_config\":{\"comparator\":\"max_sim\"}}}");
      assertThat(s.error("PUT", "/collections/u2/points?wait=true", "{\"points\":[{\"id\":1,\"vector\":[[1,0],[0,0]]}]}",
          400)).contains("body.points[0].vector[1]").contains("cosine");
      for (String[] k : cases) {
        assertThat(s.error("PUT", "/collections/c/points?wait=true", "{\"points\":[{\"id\":9,\"vector\":"
            + k[0] + "}]}", 400)).as(k[0]).contains(k[1]);
      }
      assertThat(s.ok("POST", "/collections/c/points/count", "{}").get("count").asInt()).isEqualTo(3);
      assertThat(s.error("POST", "/collections/c/points/query", "{\"query\":[[1,0,0]],\"using\":\"colbert\"}", 400))
          .contains("body.query[0]");
      assertThat(s.error("POST", "/collections/c/points/query", "{\"query\":[[]],\"using\":\"colbert\"}", 400))
          .contains("body.query[0]");
      for (String[] k : new String[][] {
          {"/points/query", "{\"query\":{\"nearest\":[[1,0]],\"mmr\":{\"diversity\":0.5}},\"using\":\"colbert\"}"},
          {"/points/query", "{\"query\":{\"recommend\":{\"positive\":[1]}},\"using\":\"colbert\"}"},
          {"/points/search", "{\"vector\":{\"name\":\"colbert\",\"vector\":[1,0]}}"},
          {"/points/recommend", "{\"positive\":[1],\"using\":\"colbert\"}"}}) {
        assertThat(s.error("POST", "/collections/c" + k[0], k[1], 400)).as(k[1]).contains("colbert");
      }
    }
  }

  @Test
  void batchUpsertsAndVectorUpdatesTakeMultiVectors() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      fill(s);
      s.ok("PUT", "/collections/c/points?wait=true", "{\"batch\":{\"ids\":[4,5],\"vectors\":{\"dense\":[[1,0],[0,1]],"
          + "\"colbert\":[[[5,0]],[[0,5],[1,1]]]}}}");
      s.ok("PUT", "/collections/c/points/vectors?wait=true",
          "{\"points\":[{\"id\":1,\"vector\":{\"colbert\":[[9,9]]}}]}");
      JsonNode got = s.ok("POST", "/collections/c/points", "{\"ids\":[1,5],\"with_vector\":true}");
      assertThat(got.get(0).get("vector").get("colbert").toString()).isEqualTo("[[9.0,9.0]]");
      assertThat(got.get(0).get("vector").get("dense").toString()).isEqualTo("[1.0,0.0]");
      assertThat(got.get(1).get("vector").get("colbert").toString()).isEqualTo("[[0.0,5.0],[1.0,1.0]]");
      assertThat(s.error("PUT", "/collections/c/points/vectors?wait=true",
          "{\"points\":[{\"id\":1,\"vector\":{\"colbert\":[9,9]}}]}", 400)).contains("body.points[0].vector.colbert");
      assertThat(ids(s.ok("POST", "/collections/c/points/query", "{\"query\":[[1,1]],\"using\":\"colbert\","
          + "\"limit\":1}").get("points"))).containsExactly(1);
    }
  }
}
