package io.quiver.collection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.distance.Metric;
import io.quiver.index.hnsw.HnswConfig;
import io.quiver.payload.FieldSchema;
import io.quiver.text.TextIndexParamsJson;
import io.quiver.storage.wal.Durability;
import java.io.IOException;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** {@code collection.json}: a collection's configuration (documented in docs/format.md). */
public final class ConfigCodec {
  static final int FORMAT = 1;

  private ConfigCodec() {}

  /** Qdrant's name for a metric: Cosine, Euclid, Dot, Manhattan. */
  public static String distanceName(Metric m) {
    return switch (m) {
      case COSINE -> "Cosine";
      case L2 -> "Euclid";
      case DOT -> "Dot";
      case L1 -> "Manhattan";
    };
  }

  public static ObjectNode toJson(CollectionConfig c, ObjectMapper json) {
    ObjectNode root = json.createObjectNode();
    root.put("format", FORMAT);
    ObjectNode vectors = root.putObject("vectors");
    Map<String, VectorParams> all = new LinkedHashMap<>(c.vectors());
    all.putAll(c.multiVectors());
    for (Map.Entry<String, VectorParams> e : all.entrySet()) {
      VectorParams v = e.getValue();
      ObjectNode n = vectors.putObject(e.getKey());
      if (v.multivector() != null) {
        n.putObject("multivector").put("comparator", v.multivector().comparator().qdrantName())
            .put("indexed", v.multivector().indexed());
      }
      n.put("size", v.size());
      n.put("distance", distanceName(v.metric()));
      n.put("on_disk", v.onDisk());
      ObjectNode h = n.putObject("hnsw");
      h.put("m", v.hnsw().m());
      h.put("ef_construct", v.hnsw().efConstruction());
      h.put("ef", v.hnsw().efSearch());
      h.put("seed", v.hnsw().seed());
      h.put("alpha", v.hnsw().alpha());
      h.put("payload_m", v.hnsw().payloadM());
      h.put("on_disk", v.hnswOnDisk());
    }
    root.put("durability", c.durability().name().toLowerCase(Locale.ROOT));
    root.put("seal_threshold", c.sealThreshold());
    root.put("merge_threshold", c.mergeThreshold());
    root.put("vacuum_ratio", c.vacuumRatio());
    root.put("max_payload_bytes", c.maxPayloadBytes());
    root.put("indexing_lag", c.indexingLag());
    ObjectNode planner = root.putObject("planner");
    planner.put("exact_max_matches", c.planner().exactMaxMatches());
    planner.put("exact_max_fraction", c.planner().exactMaxFraction());
    planner.put("acorn_max_selectivity", c.planner().acornMaxSelectivity());
    planner.put("visit_budget", c.planner().visitBudget());
    if (c.quantization() != null) {
      QuantizationConfig q = c.quantization();
      ObjectNode qn = root.putObject("quantization");
      qn.put("kind", q.kindName());
      qn.put("quantile", q.quantile());
      qn.put("compression", q.compression());
      qn.put("oversampling", q.oversampling());
      qn.put("rescore", q.rescore());
    }
    if (!c.sparseVectors().isEmpty()) {
      ObjectNode sparse = root.putObject("sparse_vectors");
      c.sparseVectors().forEach((name, sp) -> {
        ObjectNode n = sparse.putObject(name);
        n.put("modifier", sp.modifier().qdrantName());
        n.put("on_disk", sp.onDisk());
        if (sp.fullScanThreshold() != null) {
          n.put("full_scan_threshold", sp.fullScanThreshold());
        }
        if (sp.datatype() != null) {
          n.put("datatype", sp.datatype());
        }
      });
    }
    ObjectNode schema = root.putObject("payload_schema");
    c.payloadSchema().forEach((k, v) -> {
      if (v == FieldSchema.TEXT) {
        schema.set(k, TextIndexParamsJson.write(c.textIndex(k)));
      } else {
        schema.put(k, v.qdrantName());
      }
    });
    var tenants = root.putArray("tenant_fields");
    c.tenantFields().forEach(tenants::add);
    return root;
  }

  public static CollectionConfig fromJson(JsonNode root) throws IOException {
    if (root.path("format").asInt(-1) != FORMAT) {
      throw new IOException("unsupported collection.json format " + root.path("format"));
    }
    CollectionConfig.Builder b = CollectionConfig.builder();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.path("vectors").fields(); it.hasNext(); ) {
      var e = it.next();
      JsonNode n = e.getValue();
      JsonNode h = n.path("hnsw");
      HnswConfig hnsw = HnswConfig.builder().m(h.path("m").asInt()).efConstruction(h.path("ef_construct").asInt())
          .efSearch(h.path("ef").asInt()).seed(h.path("seed").asLong()).alpha((float) h.path("alpha").asDouble())
          .payloadM(h.path("payload_m").asInt(0)).build();
      JsonNode mv = n.path("multivector"); // absent for one-vector fields
      b.vector(e.getKey(), new VectorParams(n.path("size").asInt(), Metric.parse(n.path("distance").asText()), hnsw,
          n.path("on_disk").asBoolean(), h.path("on_disk").asBoolean(false), !mv.isObject() ? null
          : new MultiVectorConfig(MultiVectorConfig.Comparator.parse(mv.path("comparator").asText()),
              mv.path("indexed").asBoolean(true))));
    }
    b.durability(Durability.valueOf(root.path("durability").asText("fsync").toUpperCase(Locale.ROOT)))
        .sealThreshold(root.path("seal_threshold").asInt())
        .mergeThreshold(root.path("merge_threshold").asInt())
        .vacuumRatio(root.path("vacuum_ratio").asDouble())
        .maxPayloadBytes(root.path("max_payload_bytes").asInt())
        .indexingLag(root.path("indexing_lag").asInt(0));
    JsonNode p = root.path("planner"); // absent in files written before the planner existed
    PlannerConfig d = PlannerConfig.DEFAULT;
    b.planner(new PlannerConfig(p.path("exact_max_matches").asInt(d.exactMaxMatches()),
        p.path("exact_max_fraction").asDouble(d.exactMaxFraction()),
        p.path("acorn_max_selectivity").asDouble(d.acornMaxSelectivity()),
        p.path("visit_budget").asDouble(d.visitBudget())));
    JsonNode q = root.path("quantization");
    if (q.isObject()) {
      b.quantization(new QuantizationConfig(QuantizationConfig.Kind.valueOf(q.path("kind").asText().toUpperCase(
          Locale.ROOT)), (float) q.path("quantile").asDouble(0.99), q.path("compression").asInt(0),
          q.path("oversampling").asDouble(1), q.path("rescore").asBoolean(true)));
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = root.path("payload_schema").fields(); it.hasNext(); ) {
      var e = it.next();
      if (e.getValue().isObject()) {
        try {
          b.payloadIndex(e.getKey(), TextIndexParamsJson.parse(e.getValue(), "payload_schema." + e.getKey()));
        } catch (IllegalArgumentException ex) {
          throw new IOException("collection.json: " + ex.getMessage(), ex);
        }
      } else {
        b.payloadIndex(e.getKey(), FieldSchema.parse(e.getValue().asText()));
      }
    }
    for (var e : root.path("sparse_vectors").properties()) { // absent before sparse vectors existed
      JsonNode n = e.getValue();
      b.sparseVector(e.getKey(), new SparseVectorParams(
          SparseVectorParams.Modifier.parse(n.path("modifier").asText("none")),
          n.has("full_scan_threshold") ? n.get("full_scan_threshold").asInt() : null,
          n.path("on_disk").asBoolean(false), n.has("datatype") ? n.get("datatype").asText() : null));
    }
    Set<String> tenants = new HashSet<>();
    root.path("tenant_fields").forEach(t -> tenants.add(t.asText())); // absent before payload links existed
    for (Iterator<Map.Entry<String, JsonNode>> it = root.path("payload_schema").fields(); it.hasNext(); ) {
      var e = it.next();
      if (tenants.contains(e.getKey())) {
        b.payloadIndex(e.getKey(), FieldSchema.parse(e.getValue().asText()), true);
      }
    }
    return b.build();
  }
}
