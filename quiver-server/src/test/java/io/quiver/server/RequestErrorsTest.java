package io.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The errors a new user meets first say what is wrong, where, and with the right status. */
class RequestErrorsTest {
  @TempDir Path dir;

  @Test
  void vectorsMustBeFiniteFloat32Numbers() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      s.ok("PUT", "/collections/c", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}");
      assertThat(s.error("PUT", "/collections/c/points", "{\"points\":[{\"id\":1,\"vector\":[0.5,NaN]}]}", 400))
          .contains("body.points[0].vector[1]").contains("vectors must be finite numbers")
          .doesNotContain("JsonReadFeature");
      assertThat(s.error("POST", "/collections/c/points/query", "{\"query\":[Infinity,1]}", 400))
          .contains("body.query[0]").contains("finite");
      assertThat(s.error("PUT", "/collections/c/points", "{\"points\":[{\"id\":1,\"vector\":[3.5e38,1]}]}", 400))
          .contains("body.points[0].vector[0]").contains("out of float32 range").doesNotContain("Infinity");
      assertThat(s.error("PUT", "/collections/c/points", "{\"points\":[{\"id\":1,\"vector\":[1,2]}", 400))
          .startsWith("Json deserialize error");
      assertThat(s.ok("POST", "/collections/c/points/count", "{}").get("count").asLong()).isZero();
    }
  }

  @Test
  void payloadUpdatesNamingAMissingPointAre404AndWriteNothing() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      s.ok("PUT", "/collections/c", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}");
      s.ok("PUT", "/collections/c/points?wait=true", "{\"points\":[{\"id\":1,\"vector\":[1,2]}]}");
      for (String op : new String[] {"POST /collections/c/points/payload", "PUT /collections/c/points/payload"}) {
        String[] m = op.split(" ");
        assertThat(s.error(m[0], m[1], "{\"payload\":{\"a\":1},\"points\":[1,42]}", 404)).as(op)
            .contains("42");
      }
      assertThat(s.error("POST", "/collections/c/points/payload/delete", "{\"keys\":[\"a\"],\"points\":[42]}", 404))
          .contains("42");
      assertThat(s.error("POST", "/collections/c/points/payload/clear", "{\"points\":[42]}", 404)).contains("42");
      assertThat(s.ok("POST", "/collections/c/points", "{\"ids\":[1],\"with_payload\":true}").get(0)
          .path("payload").size()).as("point 1 untouched").isZero();
    }
  }

  @Test
  void dashlessUuidsNameTheSamePointAsDashedOnes() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      s.ok("PUT", "/collections/c", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}");
      s.ok("PUT", "/collections/c/points?wait=true",
          "{\"points\":[{\"id\":\"550e8400e29b41d4a716446655440000\",\"vector\":[1,2]}]}");
      assertThat(s.ok("GET", "/collections/c/points/550e8400-e29b-41d4-a716-446655440000", null).get("id").asText())
          .isEqualTo("550e8400-e29b-41d4-a716-446655440000");
      assertThat(s.ok("GET", "/collections/c/points/550E8400E29B41D4A716446655440000", null).get("id").asText())
          .isEqualTo("550e8400-e29b-41d4-a716-446655440000");
      assertThat(s.ok("POST", "/collections/c/points/count", "{\"filter\":{\"must\":[{\"has_id\":"
          + "[\"550e8400e29b41d4a716446655440000\"]}]}}").get("count").asLong()).isEqualTo(1);
      assertThat(s.error("GET", "/collections/c/points/550e8400e29b41d4a71644665544000g", null, 400))
          .contains("neither");
    }
  }

  @Test
  void aMethodAnEndpointDoesNotServeIs405() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      s.ok("PUT", "/collections/c", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}");
      for (String path : new String[] {"/collections/c/points/query", "/collections/c/points/search",
          "/collections/c/points/scroll", "/collections/c/points/count"}) {
        ServerHarness.Reply r = s.call("GET", path, null);
        assertThat(r.status()).as(path + " " + r.body()).isEqualTo(405);
        assertThat(r.raw().headers().firstValue("Allow")).hasValue("POST");
        assertThat(r.body().at("/status/error").asText()).contains("Method Not Allowed");
      }
      assertThat(s.call("DELETE", "/collections/c/points/query", null).status()).isEqualTo(405);
      assertThat(s.call("PATCH", "/collections/c/points", null).status()).isEqualTo(405);
      assertThat(s.call("GET", "/collections/c/nothing/here", null).status()).isEqualTo(404);
      // a collection may be named like a literal route: /collections/aliases is also the collection "aliases"
      s.ok("PUT", "/collections/aliases", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}");
      assertThat(s.ok("GET", "/collections/aliases", null).has("config")).isTrue();
      s.ok("DELETE", "/collections/aliases", null);
      assertThat(s.error("GET", "/collections/c/points/7", null, 404)).contains("7");
      assertThat(s.ok("GET", "/collections/c", null).get("points_count").asLong()).isZero();
    }
  }
}
