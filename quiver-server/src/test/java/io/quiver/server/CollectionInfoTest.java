package io.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.collection.CollectionConfig;
import io.quiver.collection.QuantizationConfig;
import io.quiver.collection.StorageUsage;
import io.quiver.collection.VectorParams;
import io.quiver.distance.Metric;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CollectionInfoTest {
  @TempDir Path dir;

  @Test
  void quantizationIsReportedFromTheCollectionsOwnConfig() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      // created through the library: the server never saw its settings
      s.db.createCollection("lib", CollectionConfig.builder().vector(VectorParams.of(4, Metric.COSINE))
          .quantization(QuantizationConfig.int8(0.95f)).vacuumRatio(0.4).build());
      JsonNode cfg = s.ok("GET", "/collections/lib", null).get("config");
      assertThat(cfg.at("/quantization_config/scalar/type").asText()).isEqualTo("int8");
      assertThat(cfg.at("/quantization_config/scalar/quantile").floatValue()).isEqualTo(0.95f);
      assertThat(cfg.at("/optimizer_config/deleted_threshold").asDouble()).isEqualTo(0.4);

      // created through the server, then renamed: the setting travels with the collection
      s.ok("PUT", "/collections/pq", "{\"vectors\":{\"size\":8,\"distance\":\"Dot\"},"
          + "\"quantization_config\":{\"product\":{\"compression\":\"x16\"}}}");
      s.db.renameCollection("pq", "renamed");
      assertThat(s.ok("GET", "/collections/renamed", null).at("/config/quantization_config/product/compression")
          .asText()).isEqualTo("x16");

      // PATCH reports what the collection now does
      s.ok("PATCH", "/collections/renamed", "{\"quantization_config\":{\"binary\":{}}}");
      assertThat(s.ok("GET", "/collections/renamed", null).at("/config/quantization_config/binary").isObject())
          .isTrue();
      s.ok("PATCH", "/collections/renamed", "{\"quantization_config\":\"Disabled\"}");
      assertThat(s.ok("GET", "/collections/renamed", null).at("/config/quantization_config").isNull()).isTrue();

      // an optimizer setting PATCH does not act on is not reported as if it did
      s.ok("PATCH", "/collections/lib", "{\"optimizers_config\":{\"deleted_threshold\":0.9,"
          + "\"indexing_threshold\":5}}");
      cfg = s.ok("GET", "/collections/lib", null).get("config");
      assertThat(cfg.at("/optimizer_config/deleted_threshold").asDouble()).isEqualTo(0.4);
      assertThat(cfg.at("/optimizer_config/indexing_threshold").asInt()).isEqualTo(5);
    }
  }

  @Test
  void storageIsReportedByPartAndPlaceWithTotals() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      s.ok("PUT", "/collections/m", "{\"vectors\":{\"size\":4,\"distance\":\"Cosine\"}}");
      s.ok("PUT", "/collections/m/points?wait=true", "{\"points\":[{\"id\":1,\"vector\":[1,0,0,0]},"
          + "{\"id\":2,\"vector\":[0,1,0,0]}]}");
      JsonNode st = s.ok("GET", "/collections/m", null).get("storage");
      StorageUsage expected = s.db.collection("m").info().storage();
      assertThat(st.at("/vectors/heap_bytes").asLong()).isEqualTo(expected.vectors().heap()).isPositive();
      long heap = 0;
      for (String part : List.of("vectors", "graph", "codes", "payloads", "caches")) {
        for (String place : List.of("heap_bytes", "mapped_bytes", "disk_bytes")) {
          assertThat(st.at("/" + part + "/" + place).isIntegralNumber()).as(part + "." + place).isTrue();
        }
        heap += st.at("/" + part + "/heap_bytes").asLong();
      }
      assertThat(st.at("/total/heap_bytes").asLong()).isEqualTo(heap).isEqualTo(expected.heapBytes());
      assertThat(st.at("/total/disk_bytes").asLong()).isEqualTo(expected.diskBytes());
    }
  }

  @Test
  void hnswOnDiskRoundTripsAndSelectsDiskSegments() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      s.ok("PUT", "/collections/disk", "{\"vectors\":{\"size\":8,\"distance\":\"Cosine\",\"on_disk\":true,"
          + "\"hnsw_config\":{\"on_disk\":true,\"m\":8}}}");
      assertThat(s.db.collection("disk").config().vector(CollectionConfig.DEFAULT_VECTOR).diskSegments()).isTrue();
      JsonNode cfg = s.ok("GET", "/collections/disk", null).get("config");
      assertThat(cfg.at("/params/vectors/on_disk").asBoolean()).isTrue();
      assertThat(cfg.at("/params/vectors/hnsw_config/on_disk").asBoolean()).isTrue();
      assertThat(cfg.at("/params/vectors/hnsw_config/m").asInt()).isEqualTo(8);
      assertThat(cfg.at("/hnsw_config/on_disk").asBoolean()).isTrue();

      // the collection-wide hnsw_config.on_disk applies to a field that does not set it; on_disk alone maps vectors
      s.ok("PUT", "/collections/named", "{\"hnsw_config\":{\"on_disk\":true},\"vectors\":{"
          + "\"a\":{\"size\":4,\"distance\":\"Dot\",\"on_disk\":true},"
          + "\"b\":{\"size\":4,\"distance\":\"Dot\",\"on_disk\":true,\"hnsw_config\":{\"on_disk\":false}}}}");
      CollectionConfig named = s.db.collection("named").config();
      assertThat(named.vector("a").diskSegments()).isTrue();
      assertThat(named.vector("b").diskSegments()).isFalse();
      assertThat(named.vector("b").onDisk()).isTrue();
      cfg = s.ok("GET", "/collections/named", null).get("config");
      assertThat(cfg.at("/params/vectors/a/hnsw_config/on_disk").asBoolean()).isTrue();
      assertThat(cfg.at("/params/vectors/b/hnsw_config/on_disk").asBoolean()).isFalse();

      // disk segments need a metric the disk index's codes support
      assertThat(s.call("PUT", "/collections/l1", "{\"vectors\":{\"size\":4,\"distance\":\"Manhattan\","
          + "\"on_disk\":true,\"hnsw_config\":{\"on_disk\":true}}}").status()).isEqualTo(400);
    }
  }
}
