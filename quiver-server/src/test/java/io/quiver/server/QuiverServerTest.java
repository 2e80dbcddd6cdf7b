package io.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.Quiver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Drives a real QuiverServer on a loopback port with java.net.http, checking Qdrant's shapes and errors. */
class QuiverServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;
  private Quiver db;
  private QuiverServer server;
  private final HttpClient http = HttpClient.newHttpClient();

  record Reply(int status, JsonNode body) {}

  @BeforeEach
  void start() throws Exception {
    db = Quiver.open(dir.resolve("db"));
    server = QuiverServer.start(db, "127.0.0.1", 0);
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
    db.close();
  }

  private Reply call(String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode node = r.body().isEmpty() ? null : r.headers().firstValue("content-type").orElse("")
        .startsWith("application/json") ? JSON.readTree(r.body()) : JSON.getNodeFactory().textNode(r.body());
    return new Reply(r.statusCode(), node);
  }

  private JsonNode ok(String method, String path, String body) throws Exception {
    Reply r = call(method, path, body);
    assertThat(r.status()).as(method + " " + path + " -> " + r.body()).isEqualTo(200);
    assertThat(r.body().get("status").asText()).isEqualTo("ok");
    assertThat(r.body().get("time").isNumber()).isTrue();
    return r.body().get("result");
  }

  private String error(Reply r, int status) {
    assertThat(r.status()).as(String.valueOf(r.body())).isEqualTo(status);
    assertThat(r.body().get("time").isNumber()).isTrue();
    assertThat(r.body().get("result")).isNull();
    assertThat(r.body().size()).as("only status and time: " + r.body()).isEqualTo(2);
    assertThat(r.body().get("status").size()).isEqualTo(1);
    return r.body().get("status").get("error").asText();
  }

  private void createDocs() throws Exception {
    assertThat(ok("PUT", "/collections/docs",
        "{\"vectors\":{\"size\":3,\"distance\":\"Euclid\",\"hnsw_config\":{\"m\":8}},"
            + "\"optimizers_config\":{\"indexing_threshold\":1000}}").asBoolean()).isTrue();
  }

  @Test
  void payloadMAndIsTenantAreAcceptedAndReported() throws Exception {
    assertThat(ok("PUT", "/collections/tenants", "{\"vectors\":{\"size\":2,\"distance\":\"Euclid\"},"
        + "\"hnsw_config\":{\"m\":8,\"payload_m\":16}}").asBoolean()).isTrue();
    ok("PUT", "/collections/tenants/index?wait=true",
        "{\"field_name\":\"group_id\",\"field_schema\":{\"type\":\"keyword\",\"is_tenant\":true}}");
    ok("PUT", "/collections/tenants/index?wait=true", "{\"field_name\":\"n\",\"field_schema\":\"integer\"}");
    assertThat(error(call("PUT", "/collections/tenants/index?wait=true",
        "{\"field_name\":\"f\",\"field_schema\":{\"type\":\"float\",\"is_tenant\":true}}"), 400))
        .contains("is_tenant");
    JsonNode info = ok("GET", "/collections/tenants", null);
    assertThat(info.at("/config/hnsw_config/payload_m").asInt()).isEqualTo(16);
    assertThat(info.at("/config/params/vectors/hnsw_config/payload_m").asInt()).isEqualTo(16);
    assertThat(info.at("/payload_schema/group_id/data_type").asText()).isEqualTo("keyword");
    assertThat(info.at("/payload_schema/group_id/params/is_tenant").asBoolean()).isTrue();
    assertThat(info.at("/payload_schema/n/params").isMissingNode()).isTrue();
    assertThat(db.collection("tenants").config().tenantFields()).containsExactly("group_id");
    ok("PUT", "/collections/tenants/points?wait=true", "{\"points\":[{\"id\":1,\"vector\":[0,1],"
        + "\"payload\":{\"group_id\":\"a\"}}]}");
    JsonNode e = ok("POST", "/quiver/collections/tenants/points/explain", "{\"query\":[1,1],\"limit\":1,"
        + "\"filter\":{\"must\":[{\"key\":\"group_id\",\"match\":{\"value\":\"a\"}}]}}");
    assertThat(e.at("/plan/segments/0/payload_links").isBoolean()).isTrue();
  }

  @Test
  void patchPayloadMBuildsLinksForSealedSegmentsAndZeroDropsThem() throws Exception {
    long seed = new java.util.Random().nextLong();
    System.out.println("patchPayloadM seed " + seed);
    java.util.Random rnd = new java.util.Random(seed);
    assertThat(ok("PUT", "/collections/t", "{\"vectors\":{\"size\":4,\"distance\":\"Euclid\"},"
        + "\"hnsw_config\":{\"m\":6,\"payload_m\":0}}").asBoolean()).isTrue();
    ok("PUT", "/collections/t/index?wait=true",
        "{\"field_name\":\"group_id\",\"field_schema\":{\"type\":\"keyword\",\"is_tenant\":true}}");
    // groups a and b above the planner's exact threshold (2,048 points) and at most a quarter of the segment: linked
    int n = 10_000;
    for (int from = 0; from < n; from += 1000) {
      StringBuilder pts = new StringBuilder("{\"points\":[");
      for (int i = from; i < from + 1000; i++) {
        String group = i % 9 < 2 ? "a" : i % 9 < 4 ? "b" : "c";
        pts.append(i == from ? "" : ",").append("{\"id\":").append(i).append(",\"vector\":[");
        for (int d = 0; d < 4; d++) {
          pts.append(d == 0 ? "" : ",").append(rnd.nextFloat());
        }
        pts.append("],\"payload\":{\"group_id\":\"").append(group).append("\"}}");
      }
      ok("PUT", "/collections/t/points?wait=true", pts.append("]}").toString());
    }
    db.collection("t").flush(); // sealed without links
    String explain = "{\"query\":[0.5,0.5,0.5,0.5],\"limit\":5,\"strategy\":\"acorn\","
        + "\"filter\":{\"must\":[{\"key\":\"group_id\",\"match\":{\"value\":\"a\"}}]}}";
    assertThat(ok("POST", "/quiver/collections/t/points/explain", explain).at("/plan/segments/0/payload_links")
        .asBoolean()).isFalse();
    assertThat(linkFiles()).isEmpty();

    assertThat(error(call("PATCH", "/collections/t", "{\"hnsw_config\":{\"m\":32}}"), 400)).contains("hnsw_config.m");
    assertThat(error(call("PATCH", "/collections/t", "{\"hnsw_config\":{\"payload_m\":-1}}"), 400))
        .contains("payload_m");
    assertThat(ok("PATCH", "/collections/t", "{\"hnsw_config\":{\"payload_m\":16}}").asBoolean()).isTrue();
    JsonNode info = ok("GET", "/collections/t", null);
    assertThat(info.at("/config/hnsw_config/payload_m").asInt()).isEqualTo(16);
    assertThat(db.collection("t").config().vectors().get("").hnsw().payloadM()).isEqualTo(16);
    long deadline = System.nanoTime() + 60_000_000_000L; // the optimizer builds the links in the background
    while (!ok("GET", "/collections/t", null).get("status").asText().equals("green")) {
      assertThat(System.nanoTime()).as("links still building after a minute").isLessThan(deadline);
      Thread.sleep(10);
    }
    assertThat(linkFiles()).hasSize(1);
    JsonNode e = ok("POST", "/quiver/collections/t/points/explain", explain);
    assertThat(e.at("/plan/segments/0/payload_links").asBoolean()).isTrue();
    for (JsonNode p : e.get("points")) {
      assertThat(p.get("id").asInt() % 9).isLessThan(2); // group a
    }

    assertThat(ok("PATCH", "/collections/t", "{\"hnsw_config\":{\"payload_m\":0}}").asBoolean()).isTrue();
    assertThat(linkFiles()).isEmpty(); // dropped before answering
    assertThat(ok("POST", "/quiver/collections/t/points/explain", explain).at("/plan/segments/0/payload_links")
        .asBoolean()).isFalse();
    assertThat(ok("GET", "/collections/t", null).at("/config/hnsw_config/payload_m").asInt()).isZero();
  }

  private List<Path> linkFiles() throws Exception {
    for (int attempt = 0; ; attempt++) {
      try (var s = java.nio.file.Files.walk(dir)) {
        return s.filter(p -> p.getFileName().toString().endsWith(".plinks")).toList();
      } catch (java.io.UncheckedIOException ex) {
        if (attempt == 10) { // a temporary file renamed away mid-walk: look again
          throw ex;
        }
      }
    }
  }

  @Test
  void explainReportsThePlannerAndMetricsCountStrategies() throws Exception {
    createDocs();
    StringBuilder pts = new StringBuilder("{\"points\":[");
    for (int i = 0; i < 300; i++) {
      pts.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"vector\":[").append(i % 17).append(',')
          .append(i % 5).append(',').append(i % 3).append("],\"payload\":{\"n\":").append(i).append("}}");
    }
    ok("PUT", "/collections/docs/points?wait=true", pts.append("]}").toString());
    ok("PUT", "/collections/docs/index?wait=true", "{\"field_name\":\"n\",\"field_schema\":\"integer\"}");
    JsonNode e = ok("POST", "/quiver/collections/docs/points/explain", "{\"query\":[1,1,1],\"limit\":3,"
        + "\"filter\":{\"must\":[{\"key\":\"n\",\"range\":{\"lt\":10}}]}}");
    assertThat(e.get("points")).hasSize(3);
    JsonNode seg = e.at("/plan/segments/0");
    assertThat(seg.get("strategy").asText()).isEqualTo("exact");
    assertThat(seg.get("estimated_matches").asLong()).isEqualTo(10);
    assertThat(seg.get("estimate_exact").asBoolean()).isTrue();
    assertThat(e.at("/plan/distance_computations").asLong()).isEqualTo(10);
    JsonNode forced = ok("POST", "/quiver/collections/docs/points/explain", "{\"query\":5,\"limit\":3,"
        + "\"strategy\":\"route_through\",\"filter\":{\"must\":[{\"key\":\"n\",\"range\":{\"lt\":200}}]}}");
    assertThat(forced.at("/plan/segments/0/planned").asText()).isEqualTo("route_through");
    assertThat(error(call("POST", "/quiver/collections/docs/points/explain", "{\"query\":[1,1,1],"
        + "\"strategy\":\"fastest\"}"), 400)).contains("body.strategy");
    String metrics = call("GET", "/metrics", null).body().asText();
    assertThat(metrics).containsPattern("quiver_search_segments_total\\{collection=\"docs\",strategy=\"exact\"\\} [1-9]");
  }

  @Test
  void quantizationConfigBuildsCodesAndQueriesCanSteerThem() throws Exception {
    assertThat(ok("PUT", "/collections/q", "{\"vectors\":{\"size\":8,\"distance\":\"Cosine\"},"
        + "\"quantization_config\":{\"scalar\":{\"type\":\"int8\",\"quantile\":0.99,\"always_ram\":true}}}")
        .asBoolean()).isTrue();
    assertThat(db.collection("q").config().quantization().kind())
        .isEqualTo(io.quiver.collection.QuantizationConfig.Kind.INT8);
    StringBuilder pts = new StringBuilder("{\"points\":[");
    java.util.Random rnd = new java.util.Random(7);
    for (int i = 0; i < 200; i++) {
      pts.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"vector\":[");
      for (int d = 0; d < 8; d++) {
        pts.append(d == 0 ? "" : ",").append(rnd.nextFloat() - 0.5f);
      }
      pts.append("]}");
    }
    ok("PUT", "/collections/q/points?wait=true", pts.append("]}").toString());
    db.collection("q").flush(); // seal: codes are built now
    assertThat(db.collection("q").info().quantizedBytes()).isPositive();
    JsonNode a = ok("POST", "/collections/q/points/query", "{\"query\":3,\"limit\":5,"
        + "\"params\":{\"quantization\":{\"rescore\":true,\"oversampling\":2.0}}}");
    JsonNode b = ok("POST", "/collections/q/points/query", "{\"query\":3,\"limit\":5,"
        + "\"params\":{\"quantization\":{\"ignore\":true}}}");
    assertThat(ids(a.get("points"))).isEqualTo(ids(b.get("points")));
    // PATCH re-encodes the sealed codes (8-d: int8 12 bytes, binary 25 per vector); "Disabled" drops them
    long int8Bytes = db.collection("q").info().quantizedBytes();
    assertThat(ok("PATCH", "/collections/q", "{\"quantization_config\":{\"binary\":{}}}").asBoolean()).isTrue();
    assertThat(db.collection("q").config().quantization().kind())
        .isEqualTo(io.quiver.collection.QuantizationConfig.Kind.BINARY);
    assertThat(db.collection("q").info().quantizedBytes()).isPositive().isNotEqualTo(int8Bytes);
    assertThat(ok("GET", "/collections/q", null).at("/config/quantization_config/binary").isObject()).isTrue();
    assertThat(error(call("PATCH", "/collections/q", "{\"quantization_config\":{\"scalar\":{\"type\":\"int4\"}}}"),
        400)).contains("int8");
    assertThat(ok("PATCH", "/collections/q", "{\"quantization_config\":\"Disabled\"}").asBoolean()).isTrue();
    assertThat(db.collection("q").config().quantization()).isNull();
    assertThat(db.collection("q").info().quantizedBytes()).isZero();
    assertThat(ok("GET", "/collections/q", null).at("/config/quantization_config").isNull()).isTrue();
    assertThat(ids(ok("POST", "/collections/q/points/query", "{\"query\":3,\"limit\":5}").get("points")))
        .isEqualTo(ids(b.get("points")));
    assertThat(error(call("POST", "/collections/q/points/query", "{\"query\":3,"
        + "\"params\":{\"quantization\":{\"oversampling\":0.1}}}"), 400)).contains("oversampling");
    assertThat(error(call("PUT", "/collections/p", "{\"vectors\":{\"size\":8,\"distance\":\"Dot\"},"
        + "\"quantization_config\":{\"product\":{\"compression\":\"x3\"}}}"), 400)).contains("compression");
    assertThat(ok("PUT", "/collections/p", "{\"vectors\":{\"size\":8,\"distance\":\"Dot\"},"
        + "\"quantization_config\":{\"binary\":{\"always_ram\":true}}}").asBoolean()).isTrue();
    assertThat(db.collection("p").config().quantization().kind())
        .isEqualTo(io.quiver.collection.QuantizationConfig.Kind.BINARY);
  }

  @Test
  void rootAndProbes() throws Exception {
    Reply root = call("GET", "/", null);
    assertThat(root.status()).isEqualTo(200);
    assertThat(root.body().get("title").asText()).isEqualTo("quiver - vector search engine");
    assertThat(root.body().get("version").asText()).isEqualTo("1.19.0");
    for (String p : List.of("/healthz", "/livez", "/readyz")) {
      assertThat(call("GET", p, null).status()).isEqualTo(200);
    }
  }

  @Test
  void collectionsLifecycle() throws Exception {
    assertThat(ok("GET", "/collections", null).get("collections")).isEmpty();
    createDocs();
    assertThat(ok("PUT", "/collections/named",
        "{\"vectors\":{\"text\":{\"size\":2,\"distance\":\"Cosine\"},\"image\":{\"size\":4,\"distance\":\"Dot\"}}}")
        .asBoolean()).isTrue();
    assertThat(ok("GET", "/collections", null).toString())
        .isEqualTo("{\"collections\":[{\"name\":\"docs\"},{\"name\":\"named\"}]}");
    assertThat(ok("GET", "/collections/docs/exists", null).get("exists").asBoolean()).isTrue();
    assertThat(ok("GET", "/collections/nope/exists", null).get("exists").asBoolean()).isFalse();
    JsonNode info = ok("GET", "/collections/docs", null);
    assertThat(info.get("status").asText()).isIn("green", "yellow");
    assertThat(info.get("points_count").asLong()).isZero();
    assertThat(info.at("/config/params/vectors/size").asInt()).isEqualTo(3);
    assertThat(info.at("/config/params/vectors/distance").asText()).isEqualTo("Euclid");
    assertThat(info.at("/config/hnsw_config/m").asInt()).isEqualTo(8);
    assertThat(info.at("/config/optimizer_config/indexing_threshold").asInt()).isEqualTo(1000);
    JsonNode named = ok("GET", "/collections/named", null);
    assertThat(named.at("/config/params/vectors/image/distance").asText()).isEqualTo("Dot");
    assertThat(named.at("/config/params/vectors/text/size").asInt()).isEqualTo(2);

    assertThat(error(call("PUT", "/collections/docs", "{\"vectors\":{\"size\":3,\"distance\":\"Dot\"}}"), 409))
        .isEqualTo("Wrong input: Collection `docs` already exists!");
    // fields Qdrant 1.19 accepts on create (payload storage params, metadata, memory) are not rejected
    assertThat(ok("PUT", "/collections/extra", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\",\"memory\":null,"
        + "\"hnsw_config\":{\"memory\":null}},\"payload\":{},\"metadata\":{\"k\":1}}").asBoolean()).isTrue();
    assertThat(ok("DELETE", "/collections/extra", null).asBoolean()).isTrue();
    // deleted_threshold and max_segment_size (KiB of vectors) act on the collection; others are only echoed
    assertThat(ok("PUT", "/collections/tuned", "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"},"
        + "\"optimizers_config\":{\"deleted_threshold\":0.5,\"max_segment_size\":4000}}").asBoolean()).isTrue();
    assertThat(db.collection("tuned").config().vacuumRatio()).isEqualTo(0.5);
    assertThat(db.collection("tuned").config().sealThreshold()).isEqualTo(4000 * 1024 / 16);
    assertThat(ok("DELETE", "/collections/tuned", null).asBoolean()).isTrue();
    assertThat(error(call("PUT", "/collections/bad", "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"},"
        + "\"optimizers_config\":{\"deleted_threshold\":7}}"), 400)).contains("deleted_threshold");
    assertThat(db.exists("bad")).isFalse();
    assertThat(error(call("PUT", "/collections/bad", "{\"vectors\":{\"size\":3,\"distance\":\"Jaccard\"}}"), 400))
        .contains("body.vectors.distance");
    assertThat(error(call("PUT", "/collections/bad", "{\"vectors\":{\"size\":-1,\"distance\":\"Dot\"}}"), 400))
        .contains("body.vectors.size");
    assertThat(error(call("PUT", "/collections/bad", "{\"vectorz\":{}}"), 400)).contains("vectorz");
    assertThat(ok("DELETE", "/collections/named", null).asBoolean()).isTrue();
    assertThat(ok("DELETE", "/collections/named", null).asBoolean()).isFalse();
    assertThat(error(call("GET", "/collections/named", null), 404)).contains("named");
  }

  @Test
  void pointsSearchScrollCountAndPayloads() throws Exception {
    createDocs();
    JsonNode upsert = ok("PUT", "/collections/docs/points?wait=true", "{\"points\":["
        + "{\"id\":1,\"vector\":[0,0,0],\"payload\":{\"color\":\"red\",\"n\":1}},"
        + "{\"id\":2,\"vector\":[1,0,0],\"payload\":{\"color\":\"blue\",\"n\":2}},"
        + "{\"id\":\"5c56c793-69f3-4fbf-87e6-c4bf54c28c26\",\"vector\":[2,0,0],\"payload\":{\"color\":\"red\",\"n\":3}}]}");
    assertThat(upsert.get("status").asText()).isEqualTo("completed");
    assertThat(upsert.get("operation_id").isIntegralNumber()).isTrue();
    ok("PUT", "/collections/docs/points", "{\"batch\":{\"ids\":[3,4],\"vectors\":[[3,0,0],[4,0,0]],"
        + "\"payloads\":[{\"color\":\"blue\",\"n\":4},{\"color\":\"red\",\"n\":5}]}}");

    // update_mode: insert_only leaves existing points alone, update_only skips new ones
    ok("PUT", "/collections/docs/points", "{\"update_mode\":\"insert_only\",\"points\":["
        + "{\"id\":2,\"vector\":[9,9,9],\"payload\":{\"color\":\"green\"}}]}");
    ok("PUT", "/collections/docs/points", "{\"update_mode\":\"update_only\",\"points\":["
        + "{\"id\":77,\"vector\":[9,9,9]}]}");
    assertThat(error(call("GET", "/collections/docs/points/77", null), 404)).contains("77");
    assertThat(error(call("PUT", "/collections/docs/points", "{\"update_mode\":\"merge\",\"points\":[]}"), 400))
        .contains("body.update_mode");
    JsonNode batch = ok("POST", "/collections/docs/points/batch?wait=true", "{\"operations\":["
        + "{\"upsert\":{\"points\":[{\"id\":50,\"vector\":[5,0,0],\"payload\":{\"color\":\"x\"}}]}},"
        + "{\"clear_payload\":{\"points\":[50]}},{\"delete\":{\"points\":[50]}}]}");
    assertThat(batch.size()).isEqualTo(3);
    assertThat(batch.get(2).get("status").asText()).isEqualTo("completed");
    assertThat(error(call("GET", "/collections/docs/points/50", null), 404)).contains("50");
    assertThat(error(call("POST", "/collections/docs/points/batch", "{\"operations\":[{\"upsert\":{\"points\":[]}},"
        + "{\"frobnicate\":{}}]}"), 400)).contains("body.operations[1]");
    JsonNode one = ok("GET", "/collections/docs/points/2", null);
    assertThat(one.toString()).isEqualTo("{\"id\":2,\"payload\":{\"color\":\"blue\",\"n\":2},\"vector\":[1.0,0.0,0.0]}");
    JsonNode uuid = ok("GET", "/collections/docs/points/5c56c793-69f3-4fbf-87e6-c4bf54c28c26", null);
    assertThat(uuid.get("payload").get("n").asInt()).isEqualTo(3);
    assertThat(error(call("GET", "/collections/docs/points/99", null), 404)).contains("99");

    JsonNode many = ok("POST", "/collections/docs/points", "{\"ids\":[4,1,77],\"with_vector\":true,"
        + "\"with_payload\":[\"n\"]}");
    assertThat(many).hasSize(2);
    assertThat(many.get(0).toString()).isEqualTo("{\"id\":4,\"payload\":{\"n\":5},\"vector\":[4.0,0.0,0.0]}");

    JsonNode hits = ok("POST", "/collections/docs/points/search", "{\"vector\":[0.9,0,0],\"limit\":2,"
        + "\"with_payload\":true}");
    assertThat(hits).hasSize(2);
    assertThat(hits.get(0).get("id").asLong()).isEqualTo(2);
    assertThat(hits.get(0).get("score").asDouble()).isCloseTo(0.1, org.assertj.core.data.Offset.offset(1e-5));
    assertThat(hits.get(0).get("version").isNumber()).isTrue();
    assertThat(hits.get(0).get("payload").get("color").asText()).isEqualTo("blue");
    assertThat(hits.get(0).get("vector").isNull()).isTrue();

    String red = "{\"must\":[{\"key\":\"color\",\"match\":{\"value\":\"red\"}}]}";
    JsonNode redHits = ok("POST", "/collections/docs/points/search", "{\"vector\":[3.9,0,0],\"limit\":10,"
        + "\"filter\":" + red + ",\"params\":{\"hnsw_ef\":32}}");
    assertThat(ids(redHits)).containsExactly("4", "5c56c793-69f3-4fbf-87e6-c4bf54c28c26", "1");
    assertThat(redHits.get(0).get("payload").isNull()).isTrue();

    JsonNode query = ok("POST", "/collections/docs/points/query", "{\"query\":[3.9,0,0],\"limit\":2,\"offset\":1,"
        + "\"filter\":" + red + ",\"with_payload\":{\"include\":[\"n\"]},\"params\":{\"exact\":true}}");
    assertThat(ids(query.get("points"))).containsExactly("5c56c793-69f3-4fbf-87e6-c4bf54c28c26", "1");
    assertThat(query.get("points").get(0).get("payload").toString()).isEqualTo("{\"n\":3}");
    JsonNode byId = ok("POST", "/collections/docs/points/query", "{\"query\":2,\"limit\":2}");
    assertThat(ids(byId.get("points"))).containsExactlyInAnyOrder("1", "5c56c793-69f3-4fbf-87e6-c4bf54c28c26");
    JsonNode thresholded = ok("POST", "/collections/docs/points/query",
        "{\"query\":{\"nearest\":[0,0,0]},\"score_threshold\":1.5}");
    assertThat(ids(thresholded.get("points"))).containsExactly("1", "2");

    List<String> scrolled = new ArrayList<>();
    JsonNode offset = null;
    do {
      JsonNode page = ok("POST", "/collections/docs/points/scroll", "{\"limit\":2"
          + (offset == null ? "" : ",\"offset\":" + offset) + "}");
      scrolled.addAll(ids(page.get("points")));
      offset = page.get("next_page_offset");
      assertThat(page.get("points").get(0).get("payload").isObject()).isTrue();
    } while (!offset.isNull());
    assertThat(scrolled).containsExactly("1", "2", "3", "4", "5c56c793-69f3-4fbf-87e6-c4bf54c28c26");
    JsonNode ordered = ok("POST", "/collections/docs/points/scroll",
        "{\"order_by\":{\"key\":\"n\",\"direction\":\"desc\"},\"limit\":2,\"with_payload\":false}");
    assertThat(ids(ordered.get("points"))).containsExactly("4", "3");

    assertThat(ok("POST", "/collections/docs/points/count", "{\"filter\":" + red + "}").get("count").asLong())
        .isEqualTo(3);
    assertThat(ok("POST", "/collections/docs/points/count", "{}").get("count").asLong()).isEqualTo(5);

    ok("POST", "/collections/docs/points/payload", "{\"payload\":{\"tag\":\"x\"},\"points\":[1,2]}");
    assertThat(ok("GET", "/collections/docs/points/1", null).get("payload").toString())
        .isEqualTo("{\"color\":\"red\",\"n\":1,\"tag\":\"x\"}");
    ok("PUT", "/collections/docs/points/payload", "{\"payload\":{\"only\":true},\"filter\":"
        + "{\"must\":[{\"key\":\"tag\",\"match\":{\"value\":\"x\"}}]}}");
    assertThat(ok("GET", "/collections/docs/points/2", null).get("payload").toString()).isEqualTo("{\"only\":true}");
    ok("POST", "/collections/docs/points/payload/delete", "{\"keys\":[\"color\"],\"points\":[3]}");
    assertThat(ok("GET", "/collections/docs/points/3", null).get("payload").toString()).isEqualTo("{\"n\":4}");
    ok("POST", "/collections/docs/points/payload/clear", "{\"points\":[3]}");
    assertThat(ok("GET", "/collections/docs/points/3", null).get("payload").toString()).isEqualTo("{}");

    JsonNode idx = ok("PUT", "/collections/docs/index?wait=true",
        "{\"field_name\":\"color\",\"field_schema\":\"keyword\"}");
    assertThat(idx.get("status").asText()).isEqualTo("completed");
    assertThat(ok("GET", "/collections/docs", null).at("/payload_schema/color/data_type").asText())
        .isEqualTo("keyword");
    // without ?wait=true Qdrant answers "acknowledged" (the update is applied all the same)
    assertThat(ok("DELETE", "/collections/docs/index/color", null).get("status").asText()).isEqualTo("acknowledged");
    assertThat(ok("GET", "/collections/docs", null).get("payload_schema")).isEmpty();

    ok("POST", "/collections/docs/points/delete", "{\"points\":[1]}");
    ok("POST", "/collections/docs/points/delete", "{\"filter\":" + red + "}");
    assertThat(ok("POST", "/collections/docs/points/count", "{\"exact\":true}").get("count").asLong()).isEqualTo(2);
    assertThat(ok("GET", "/collections/docs", null).get("points_count").asLong()).isEqualTo(2);
  }

  @Test
  void errors() throws Exception {
    createDocs();
    assertThat(error(call("PUT", "/collections/docs/points", "{\"points\":[{\"id\":1,"), 400))
        .startsWith("Json deserialize error");
    assertThat(error(call("POST", "/collections/docs/points/scroll", "{\"limit\":0}"), 400))
        .startsWith("Bad request: body.limit");
    assertThat(error(call("POST", "/collections/missing/points/search", "{\"vector\":[1,2,3]}"), 404))
        .contains("missing");
    assertThat(error(call("PUT", "/collections/missing/points", "{\"points\":[]}"), 404)).contains("missing");
    assertThat(error(call("PUT", "/collections/docs/points", "{\"points\":[{\"id\":1,\"vector\":[1,2]}]}"), 400))
        .contains("dimension");
    assertThat(error(call("POST", "/collections/docs/points/search", "{\"vector\":[1,2]}"), 400))
        .contains("dimension");
    assertThat(error(call("POST", "/collections/docs/points/search", "{\"vector\":[1,2,3],\"filter\":"
        + "{\"must\":[{\"key\":\"a\",\"match\":{\"valu\":1}}]}}"), 400)).contains("filter.must[0]").doesNotContain("filter.filter");
    assertThat(error(call("PUT", "/collections/docs/points", "{\"points\":[{\"id\":-1,\"vector\":[1,2,3]}]}"), 400))
        .contains("body.points[0].id");
    assertThat(error(call("PUT", "/collections/docs/points",
        "{\"points\":[{\"id\":18446744073709551616,\"vector\":[1,2,3]}]}"), 400)).contains("unsigned");
    assertThat(error(call("PUT", "/collections/docs/points", "{\"points\":[{\"id\":\"abc\",\"vector\":[1,2,3]}]}"),
        400)).contains("UUID");
    assertThat(error(call("PUT", "/collections/docs/points", "{\"points\":[{\"id\":1,\"vector\":[1,\"x\",3]}]}"),
        400)).contains("body.points[0].vector[1]");
    assertThat(error(call("POST", "/collections/docs/points/search", "{\"vector\":[1,2,3],\"limit\":\"ten\"}"), 400))
        .contains("body.limit");
    assertThat(error(call("POST", "/collections/docs/points/scroll", "{\"bogus\":1}"), 400)).contains("bogus");
    assertThat(error(call("POST", "/collections/docs/points/count", "[1,2]"), 400)).contains("object");
    // the bad writes changed nothing
    assertThat(ok("POST", "/collections/docs/points/count", "{}").get("count").asLong()).isZero();
    // u64 max id round-trips
    ok("PUT", "/collections/docs/points", "{\"points\":[{\"id\":18446744073709551615,\"vector\":[1,2,3]}]}");
    assertThat(ok("GET", "/collections/docs/points/18446744073709551615", null).get("id").toString())
        .isEqualTo("18446744073709551615");
    assertThat(error(call("GET", "/no/such/endpoint", null), 404)).contains("/no/such/endpoint");
  }

  @Test
  void batchesAliasesVectorsAndPatch() throws Exception {
    createDocs();
    ok("PUT", "/collections/docs/points", "{\"points\":[{\"id\":1,\"vector\":[0,0,0]},"
        + "{\"id\":2,\"vector\":[5,0,0]},{\"id\":3,\"vector\":[9,0,0]}]}");
    JsonNode searches = ok("POST", "/collections/docs/points/search/batch", "{\"searches\":["
        + "{\"vector\":[0,0,0],\"limit\":1},{\"vector\":[9,0,0],\"limit\":2}]}");
    assertThat(ids(searches.get(0))).containsExactly("1");
    assertThat(ids(searches.get(1))).containsExactly("3", "2");
    JsonNode queries = ok("POST", "/collections/docs/points/query/batch", "{\"searches\":["
        + "{\"query\":[5,0,0],\"limit\":1},{\"query\":3,\"limit\":1}]}");
    assertThat(ids(queries.get(0).get("points"))).containsExactly("2");
    assertThat(ids(queries.get(1).get("points"))).containsExactly("2");
    assertThat(error(call("POST", "/collections/docs/points/search/batch", "{\"searches\":[{\"vector\":[1,2,3]},"
        + "{\"vector\":[1,2,3],\"limit\":0}]}"), 400)).contains("body.searches[1].limit");

    ok("PUT", "/collections/docs/points/vectors", "{\"points\":[{\"id\":1,\"vector\":[20,0,0]}]}");
    assertThat(ok("GET", "/collections/docs/points/1", null).get("vector").toString()).isEqualTo("[20.0,0.0,0.0]");

    assertThat(ok("POST", "/collections/aliases", "{\"actions\":[{\"create_alias\":{\"collection_name\":\"docs\","
        + "\"alias_name\":\"latest\"}}]}").asBoolean()).isTrue();
    assertThat(ok("GET", "/aliases", null).toString())
        .isEqualTo("{\"aliases\":[{\"alias_name\":\"latest\",\"collection_name\":\"docs\"}]}");
    assertThat(ok("GET", "/collections/docs/aliases", null).get("aliases")).hasSize(1);
    assertThat(ok("POST", "/collections/latest/points/count", "{}").get("count").asLong()).isEqualTo(3);
    ok("POST", "/collections/aliases", "{\"actions\":[{\"rename_alias\":{\"old_alias_name\":\"latest\","
        + "\"new_alias_name\":\"current\"}}]}");
    assertThat(ok("GET", "/collections/current/exists", null).get("exists").asBoolean()).isTrue();
    ok("POST", "/collections/aliases", "{\"actions\":[{\"delete_alias\":{\"alias_name\":\"current\"}}]}");
    assertThat(ok("GET", "/aliases", null).get("aliases")).isEmpty();
    assertThat(error(call("POST", "/collections/aliases", "{\"actions\":[{\"create_alias\":{\"collection_name\":"
        + "\"nope\",\"alias_name\":\"x\"}}]}"), 404)).contains("nope");

    assertThat(ok("PATCH", "/collections/docs", "{\"optimizers_config\":{\"indexing_threshold\":5}}").asBoolean())
        .isTrue();
    assertThat(ok("GET", "/collections/docs", null).at("/config/optimizer_config/indexing_threshold").asInt())
        .isEqualTo(5);
    // stored settings survive a restart of server and database
    server.close();
    db.close();
    db = Quiver.open(dir.resolve("db"));
    server = QuiverServer.start(db, "127.0.0.1", 0);
    assertThat(ok("GET", "/collections/docs", null).at("/config/optimizer_config/indexing_threshold").asInt())
        .isEqualTo(5);
    assertThat(ok("POST", "/collections/docs/points/count", "{}").get("count").asLong()).isEqualTo(3);
  }

  @Test
  void bodyLimit() throws Exception {
    server.close();
    server = QuiverServer.start(db, "127.0.0.1", 0, 1024);
    createDocs();
    String big = "{\"points\":[], \"pad\":\"" + "x".repeat(4096) + "\"}";
    assertThat(error(call("PUT", "/collections/docs/points", big), 413)).contains("1024 bytes");
    // without a Content-Length (chunked), the limit holds while reading
    HttpRequest chunked = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
        + "/collections/docs/points")).method("PUT", HttpRequest.BodyPublishers.ofInputStream(
            () -> new java.io.ByteArrayInputStream(big.getBytes(java.nio.charset.StandardCharsets.UTF_8)))).build();
    HttpResponse<String> r = http.send(chunked, HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(JSON.readTree(r.body()).at("/status/error").asText()).contains("1024 bytes");
    assertThat(ok("POST", "/collections/docs/points/count", "{}").get("count").asLong()).isZero();
  }

  // ------------------------------------------------------------------ snapshots

  private HttpResponse<byte[]> raw(String method, String path, String contentType, byte[] body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** POSTs {@code bytes} as the multipart field {@code snapshot} (after an unrelated field) to the upload endpoint. */
  private Reply upload(String collection, String query, byte[] bytes) throws Exception {
    String boundary = "----quiver" + Long.toHexString(bytes.length * 31L + 7);
    java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
    body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n"
        + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"snapshot\"; filename=\"x.snapshot\"\r\n"
        + "Content-Type: application/octet-stream\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    body.writeBytes(bytes);
    body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    HttpResponse<byte[]> r = raw("POST", "/collections/" + collection + "/snapshots/upload" + query,
        "multipart/form-data; boundary=" + boundary, body.toByteArray());
    return new Reply(r.statusCode(), JSON.readTree(r.body()));
  }

  private String allPoints(String collection) throws Exception {
    return ok("POST", "/collections/" + collection + "/points/scroll",
        "{\"limit\":100,\"with_vector\":true,\"with_payload\":true}").get("points").toString();
  }

  private static String sha256(byte[] bytes) throws Exception {
    return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  @Test
  void snapshotsCreateListDownloadRecoverUploadDelete() throws Exception {
    createDocs();
    java.util.Random rnd = new java.util.Random(42);
    StringBuilder pts = new StringBuilder("{\"points\":[");
    for (int i = 1; i <= 40; i++) {
      pts.append(i > 1 ? "," : "").append("{\"id\":").append(i).append(",\"vector\":[").append(rnd.nextFloat())
          .append(',').append(rnd.nextFloat()).append(',').append(rnd.nextFloat()).append("],\"payload\":{\"i\":")
          .append(i).append("}}");
    }
    ok("PUT", "/collections/docs/points?wait=true", pts.append("]}").toString());
    String before = allPoints("docs");

    JsonNode snap = ok("POST", "/collections/docs/snapshots?wait=true", null);
    String name = snap.get("name").asText();
    assertThat(name).matches("docs-[0-9-]+\\.snapshot");
    assertThat(snap.get("creation_time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d");
    assertThat(snap.get("checksum").asText()).matches("[0-9a-f]{64}");
    assertThat(ok("GET", "/collections/docs/snapshots", null).toString()).isEqualTo("[" + snap + "]");
    assertThat(dir.resolve("db/snapshots/docs/" + name + ".checksum")).hasContent(snap.get("checksum").asText());

    HttpResponse<byte[]> file = raw("GET", "/collections/docs/snapshots/" + name, null, null);
    assertThat(file.statusCode()).isEqualTo(200);
    assertThat(file.headers().firstValue("content-type")).hasValue("application/octet-stream");
    assertThat((long) file.body().length).isEqualTo(snap.get("size").asLong());
    assertThat(sha256(file.body())).isEqualTo(snap.get("checksum").asText());

    // change the collection, then recover it from the snapshot file
    ok("POST", "/collections/docs/points/delete?wait=true", "{\"points\":[1,2,3]}");
    ok("PUT", "/collections/docs/points?wait=true", "{\"points\":[{\"id\":99,\"vector\":[9,9,9]}]}");
    assertThat(allPoints("docs")).isNotEqualTo(before);
    String location = dir.resolve("db/snapshots/docs/" + name).toAbsolutePath().toUri().toString();
    assertThat(ok("PUT", "/collections/docs/snapshots/recover",
        "{\"location\":\"" + location + "\",\"priority\":\"snapshot\",\"checksum\":\"" + snap.get("checksum").asText()
            + "\"}").asBoolean()).isTrue();
    assertThat(allPoints("docs")).isEqualTo(before);
    // recovering into a new collection creates it
    assertThat(ok("PUT", "/collections/copy/snapshots/recover", "{\"location\":\"" + location + "\"}").asBoolean())
        .isTrue();
    assertThat(allPoints("copy")).isEqualTo(before);
    // and from this server's own download URL
    assertThat(ok("PUT", "/collections/copy2/snapshots/recover", "{\"location\":\"http://127.0.0.1:" + server.port()
        + "/collections/docs/snapshots/" + name + "\"}").asBoolean()).isTrue();
    assertThat(allPoints("copy2")).isEqualTo(before);

    // upload (multipart) into an existing collection replaces it, into a new one creates it
    ok("POST", "/collections/copy/points/delete?wait=true", "{\"points\":[5]}");
    Reply up = upload("copy", "?priority=snapshot&checksum=" + snap.get("checksum").asText(), file.body());
    assertThat(up.status()).as(String.valueOf(up.body())).isEqualTo(200);
    assertThat(up.body().get("result").asBoolean()).isTrue();
    assertThat(allPoints("copy")).isEqualTo(before);
    assertThat(upload("fresh", "", file.body()).status()).isEqualTo(200);
    assertThat(allPoints("fresh")).isEqualTo(before);

    // bad input: wrong checksum, corrupt archives, bad locations and names; the collection stays as it was
    assertThat(error(upload("copy", "?checksum=" + "0".repeat(64), file.body()), 400)).contains("checksum");
    assertThat(error(upload("copy", "", "not a zip at all".getBytes()), 400)).startsWith("Bad request");
    java.io.ByteArrayOutputStream zipBytes = new java.io.ByteArrayOutputStream();
    try (var zip = new java.util.zip.ZipOutputStream(zipBytes)) {
      zip.putNextEntry(new java.util.zip.ZipEntry("collection.json"));
      zip.write("{not json".getBytes());
      zip.closeEntry();
    }
    assertThat(error(upload("copy", "", zipBytes.toByteArray()), 400)).startsWith("Bad request");
    byte[] truncated = java.util.Arrays.copyOf(file.body(), file.body().length / 2);
    assertThat(upload("copy", "", truncated).status()).isEqualTo(400);
    assertThat(error(upload("copy", "?priority=whatever", file.body()), 400)).contains("priority");
    HttpResponse<byte[]> nm = raw("POST", "/collections/copy/snapshots/upload", "application/json", "{}".getBytes());
    assertThat(nm.statusCode()).isEqualTo(400);
    assertThat(allPoints("copy")).isEqualTo(before);
    assertThat(error(call("PUT", "/collections/copy/snapshots/recover", "{\"location\":\"ftp://x/y.snapshot\"}"), 400))
        .contains("location");
    assertThat(error(call("PUT", "/collections/copy/snapshots/recover",
        "{\"location\":\"" + dir.resolve("db/aliases.json").toUri() + "\"}"), 400)).contains("snapshots directory");
    assertThat(error(call("PUT", "/collections/copy/snapshots/recover", "{\"location\":\"" + location
        + "/../../../collections/docs/collection.json\"}"), 400)).contains("snapshots directory");
    assertThat(error(call("PUT", "/collections/copy/snapshots/recover", "{\"location\":\"" + location
        + "\",\"checksum\":\"abc\"}"), 400)).contains("checksum");
    assertThat(error(call("PUT", "/collections/copy/snapshots/recover", "{}"), 400)).contains("location");
    assertThat(allPoints("copy")).isEqualTo(before);
    assertThat(error(call("GET", "/collections/docs/snapshots/nope.snapshot", null), 404)).contains("nope.snapshot");
    // an encoded slash is decoded before routing: no route matches (404); names are checked as well (400)
    assertThat(call("GET", "/collections/docs/snapshots/..%2Fdocs.snapshot", null).status()).isIn(400, 404);
    assertThat(error(call("GET", "/collections/docs/snapshots/aliases.json", null), 400)).contains("name");
    assertThat(error(call("DELETE", "/collections/docs/snapshots/..snapshot", null), 400)).contains("name");
    assertThat(error(call("GET", "/collections/nope/snapshots", null), 404)).contains("nope");
    assertThat(error(call("POST", "/collections/nope/snapshots", null), 404)).contains("nope");

    // deleting the snapshot removes file and sidecar
    JsonNode second = ok("POST", "/collections/docs/snapshots", null);
    String name2 = second.get("name").asText();
    assertThat(ok("DELETE", "/collections/docs/snapshots/" + name2, null).asBoolean()).isTrue();
    assertThat(dir.resolve("db/snapshots/docs/" + name2 + ".checksum")).doesNotExist();
    assertThat(ok("GET", "/collections/docs/snapshots", null)).hasSize(1);
    assertThat(error(call("DELETE", "/collections/docs/snapshots/" + name2, null), 404)).contains(name2);

    // deleting the collection sets its snapshots aside: a new collection of that name has none
    assertThat(ok("DELETE", "/collections/docs", null).asBoolean()).isTrue();
    assertThat(error(call("GET", "/collections/docs/snapshots", null), 404)).contains("docs");
    createDocs();
    assertThat(ok("GET", "/collections/docs/snapshots", null)).isEmpty();
    assertThat(error(call("GET", "/collections/docs/snapshots/" + name, null), 404)).contains(name);
    Path kept;
    try (var deleted = java.nio.file.Files.list(dir.resolve("db/snapshots/.deleted"))) {
      kept = deleted.toList().getFirst().resolve(name);
    }
    assertThat(kept).exists();
    // still a backup: recoverable by its file location
    assertThat(ok("PUT", "/collections/restored/snapshots/recover", "{\"location\":\""
        + kept.toAbsolutePath().toUri() + "\"}").asBoolean()).isTrue();
    assertThat(allPoints("restored")).isEqualTo(before);
    try (var left = java.nio.file.Files.list(dir.resolve("db/snapshots/.uploads"))) {
      assertThat(left).as("temporary uploads are removed").isEmpty();
    }
  }

  @Test
  void snapshotUploadLimitAndLeftovers() throws Exception {
    server.close();
    // files of a snapshot or upload a crash interrupted are removed when the server starts
    Path leftover = java.nio.file.Files.createDirectories(dir.resolve("db/snapshots/docs"))
        .resolve(".docs-1.snapshot.creating");
    java.nio.file.Files.writeString(leftover, "x");
    Path upload = java.nio.file.Files.createDirectories(dir.resolve("db/snapshots/.uploads")).resolve(".upload-1");
    java.nio.file.Files.writeString(upload, "x");
    server = QuiverServer.start(db, ServerConfig.builder().host("127.0.0.1").port(0).maxRequestBytes(1024)
        .maxSnapshotUploadBytes(1000).build());
    assertThat(leftover).doesNotExist();
    assertThat(upload).doesNotExist();
    createDocs();
    assertThat(error(upload("docs", "", new byte[5000]), 413)).contains("1000 bytes");
    assertThat(ok("POST", "/collections/docs/points/count", "{}").get("count").asLong()).isZero();
  }

  @Test
  void multipartReaderAcrossReadBoundaries() throws Exception {
    java.util.Random rnd = new java.util.Random(3);
    String boundary = "b0undary";
    byte[] content = new byte[300_000];
    rnd.nextBytes(content);
    byte[] trap = "\r\n--b0undar".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1); // a near-delimiter
    for (int at = 1000; at < content.length - trap.length; at += 65_531) {
      System.arraycopy(trap, 0, content, at, trap.length);
    }
    java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
    body.writeBytes(("preamble\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--"
        + boundary + "\r\nContent-Disposition: form-data; name=\"snapshot\"; filename=\"s\"\r\n\r\n").getBytes());
    body.writeBytes(content);
    body.writeBytes(("\r\n--" + boundary + "--\r\nepilogue").getBytes());
    byte[] all = body.toByteArray();
    // a stream handing out 1..9000 bytes per read
    java.io.InputStream trickle = new java.io.InputStream() {
      int pos;

      @Override
      public int read() {
        return pos < all.length ? all[pos++] & 0xff : -1;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (pos >= all.length) {
          return -1;
        }
        int n = Math.min(Math.min(len, 1 + rnd.nextInt(9000)), all.length - pos);
        System.arraycopy(all, pos, b, off, n);
        pos += n;
        return n;
      }
    };
    MultipartReader parts = new MultipartReader(trickle, MultipartReader.boundary(
        "multipart/form-data; boundary=\"" + boundary + "\""));
    assertThat(MultipartReader.fieldName(parts.nextPart())).isEqualTo("a");
    var h = parts.nextPart();
    assertThat(MultipartReader.fieldName(h)).isEqualTo("snapshot");
    java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
    assertThat(parts.copyBody(got, Long.MAX_VALUE)).isEqualTo(content.length);
    assertThat(got.toByteArray()).isEqualTo(content);
    assertThat(parts.nextPart()).isNull();
  }

  // ------------------------------------------------------------------ prefetch and fusion

  private JsonNode queryPoints(String collection, String body) throws Exception {
    return ok("POST", "/collections/" + collection + "/points/query", body).get("points");
  }

  /** Qdrant's RRF with k = 2 over ranked id lists: 1 / (position + k), position from 0, summed per id. */
  private static java.util.Map<String, Float> handRrf(int k, List<List<String>> lists) {
    java.util.Map<String, Float> out = new java.util.LinkedHashMap<>();
    for (List<String> l : lists) {
      for (int pos = 0; pos < l.size(); pos++) {
        out.merge(l.get(pos), 1f / (pos + k), Float::sum);
      }
    }
    return out;
  }

  private static void assertFused(JsonNode points, java.util.Map<String, Float> expected, int limit) {
    List<java.util.Map.Entry<String, Float>> sorted = new ArrayList<>(expected.entrySet());
    sorted.sort((a, b) -> Float.compare(b.getValue(), a.getValue()));
    assertThat(points).hasSize(Math.min(limit, sorted.size()));
    float last = Float.POSITIVE_INFINITY;
    for (JsonNode p : points) {
      float score = p.get("score").floatValue();
      assertThat(score).isLessThanOrEqualTo(last);
      last = score;
      assertThat(expected).containsKey(p.get("id").asText());
      assertThat(score).isCloseTo(expected.get(p.get("id").asText()), org.assertj.core.data.Offset.offset(1e-6f));
    }
    // the scores returned are the top `limit` expected scores (ties may come in either order)
    assertThat(points.get(points.size() - 1).get("score").floatValue())
        .isCloseTo(sorted.get(points.size() - 1).getValue(), org.assertj.core.data.Offset.offset(1e-6f));
  }

  @Test
  void queryPrefetchFusion() throws Exception {
    ok("PUT", "/collections/hy", "{\"vectors\":{\"a\":{\"size\":4,\"distance\":\"Cosine\"},"
        + "\"b\":{\"size\":4,\"distance\":\"Euclid\"}}}");
    java.util.Random rnd = new java.util.Random(7);
    StringBuilder pts = new StringBuilder("{\"points\":[");
    for (int i = 0; i < 60; i++) {
      pts.append(i > 0 ? "," : "").append("{\"id\":").append(i).append(",\"vector\":{\"a\":[")
          .append(rnd.nextGaussian()).append(',').append(rnd.nextGaussian()).append(',').append(rnd.nextGaussian())
          .append(',').append(rnd.nextGaussian()).append("],\"b\":[").append(rnd.nextFloat()).append(',')
          .append(rnd.nextFloat()).append(',').append(rnd.nextFloat()).append(',').append(rnd.nextFloat())
          .append("]},\"payload\":{\"even\":").append(i % 2 == 0).append("}}");
    }
    ok("PUT", "/collections/hy/points?wait=true", pts.append("]}").toString());
    String qa = "[0.3,-0.2,0.9,0.1]";
    String qb = "[0.5,0.5,0.1,0.9]";
    String pa = "{\"query\":" + qa + ",\"using\":\"a\",\"limit\":12,\"params\":{\"exact\":true}}";
    String pb = "{\"query\":" + qb + ",\"using\":\"b\",\"limit\":8,\"params\":{\"exact\":true}}";
    List<String> la = ids(queryPoints("hy", pa));
    List<String> lb = ids(queryPoints("hy", pb));
    assertThat(la).hasSize(12);
    assertThat(lb).hasSize(8);

    JsonNode fused = queryPoints("hy", "{\"prefetch\":[" + pa + "," + pb + "],\"query\":{\"fusion\":\"rrf\"},"
        + "\"limit\":15,\"with_payload\":true}");
    assertFused(fused, handRrf(2, List.of(la, lb)), 15);
    assertThat(fused.get(0).get("payload").has("even")).isTrue();
    // offset pages through the same fused list; {"rrf": {"k": ...}} sets the constant
    JsonNode paged = queryPoints("hy", "{\"prefetch\":[" + pa + "," + pb + "],\"query\":{\"fusion\":\"rrf\"},"
        + "\"limit\":5,\"offset\":3}");
    for (int i = 0; i < 5; i++) {
      assertThat(paged.get(i).get("score").floatValue()).isEqualTo(fused.get(i + 3).get("score").floatValue());
    }
    assertFused(queryPoints("hy", "{\"prefetch\":[" + pa + "," + pb + "],\"query\":{\"rrf\":{\"k\":60}},"
        + "\"limit\":30}"), handRrf(60, List.of(la, lb)), 30);
    // one prefetch object (not an array) works too
    assertFused(queryPoints("hy", "{\"prefetch\":" + pa + ",\"query\":{\"fusion\":\"rrf\"}}"),
        handRrf(2, List.of(la)), 10);

    // the outer filter restricts every prefetch
    String even = "{\"must\":[{\"key\":\"even\",\"match\":{\"value\":true}}]}";
    List<String> fa = ids(queryPoints("hy", pa.replace("\"limit\"", "\"filter\":" + even + ",\"limit\"")));
    List<String> fb = ids(queryPoints("hy", pb.replace("\"limit\"", "\"filter\":" + even + ",\"limit\"")));
    JsonNode filtered = queryPoints("hy", "{\"prefetch\":[" + pa + "," + pb + "],\"query\":{\"fusion\":\"rrf\"},"
        + "\"filter\":" + even + ",\"limit\":40}");
    assertFused(filtered, handRrf(2, List.of(fa, fb)), 40);
    filtered.forEach(p -> assertThat(p.get("id").asInt() % 2).isZero());

    // DBSF: every prefetched point, scores normalised per list and summed
    JsonNode dbsf = queryPoints("hy", "{\"prefetch\":[" + pa + "," + pb + "],\"query\":{\"fusion\":\"dbsf\"},"
        + "\"limit\":100}");
    java.util.Set<String> union = new java.util.HashSet<>(la);
    union.addAll(lb);
    assertThat(ids(dbsf)).containsExactlyInAnyOrderElementsOf(union);

    // an outer vector re-scores the prefetched candidates exactly
    JsonNode rescored = queryPoints("hy", "{\"prefetch\":[" + pa + "," + pb + "],\"query\":" + qb
        + ",\"using\":\"b\",\"limit\":5}");
    JsonNode expected = queryPoints("hy", "{\"query\":" + qb + ",\"using\":\"b\",\"limit\":5,\"params\":{\"exact\":"
        + "true},\"filter\":{\"must\":[{\"has_id\":" + JSON.valueToTree(union.stream().map(Integer::valueOf)
        .toList()) + "}]}}");
    assertThat(ids(rescored)).isEqualTo(ids(expected));

    // nested: the inner level re-scores its own prefetch, then RRF fuses it with another list
    JsonNode nested = queryPoints("hy", "{\"prefetch\":[{\"prefetch\":" + pa + ",\"query\":" + qb
        + ",\"using\":\"b\",\"limit\":6}," + pb + "],\"query\":{\"fusion\":\"rrf\"},\"limit\":20}");
    List<String> inner = ids(queryPoints("hy", "{\"query\":" + qb + ",\"using\":\"b\",\"limit\":6,\"params\":"
        + "{\"exact\":true},\"filter\":{\"must\":[{\"has_id\":" + JSON.valueToTree(la.stream().map(Integer::valueOf)
        .toList()) + "}]}}"));
    assertFused(nested, handRrf(2, List.of(inner, lb)), 20);

    // batch
    JsonNode batch = ok("POST", "/collections/hy/points/query/batch", "{\"searches\":[{\"prefetch\":[" + pa + ","
        + pb + "],\"query\":{\"fusion\":\"rrf\"},\"limit\":15}]}");
    assertFused(batch.get(0).get("points"), handRrf(2, List.of(la, lb)), 15);

    // errors
    assertThat(error(call("POST", "/collections/hy/points/query", "{\"query\":{\"fusion\":\"rrf\"}}"), 400))
        .contains("prefetch");
    assertThat(error(call("POST", "/collections/hy/points/query", "{\"prefetch\":[" + pa + "],\"query\":"
        + "{\"fusion\":\"max\"}}"), 400)).contains("body.query.fusion");
    assertThat(error(call("POST", "/collections/hy/points/query", "{\"prefetch\":[" + pa + "," + pb + "],"
        + "\"query\":{\"rrf\":{\"weights\":[1]}}}"), 400)).contains("weights");
    assertThat(error(call("POST", "/collections/hy/points/query", "{\"prefetch\":[{\"query\":[1,2],\"using\":\"a\"}],"
        + "\"query\":{\"fusion\":\"rrf\"}}"), 400)).startsWith("Bad request");
    assertThat(error(call("POST", "/collections/hy/points/query", "{\"prefetch\":[{\"bogus\":1}],"
        + "\"query\":{\"fusion\":\"rrf\"}}"), 400)).contains("body.prefetch[0]");
  }

  private static List<String> ids(JsonNode points) {
    List<String> out = new ArrayList<>();
    points.forEach(p -> out.add(p.get("id").asText()));
    return out;
  }
}
