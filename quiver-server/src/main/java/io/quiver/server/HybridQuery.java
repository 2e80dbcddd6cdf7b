package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.PointId;
import io.quiver.collection.Collection;
import io.quiver.collection.CollectionConfig;
import io.quiver.collection.PayloadSelector;
import io.quiver.collection.PointRecord;
import io.quiver.collection.ScoredPoint;
import io.quiver.collection.ScrollRequest;
import io.quiver.collection.SearchRequest;
import io.quiver.distance.Metric;
import io.quiver.filter.Condition;
import io.quiver.filter.Filter;
import io.quiver.server.formula.Formula;
import io.quiver.server.formula.FormulaParser;
import io.quiver.server.formula.FormulaRescore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Qdrant's query API with {@code prefetch}: each prefetch (itself possibly with nested prefetches) yields a ranked
 * list; the outer {@code query} fuses them ({@code {"fusion":"rrf"|"dbsf"}}, {@code {"rrf":{"k","weights"}}}) or
 * re-scores their union exactly by a vector. A level's filter also restricts every prefetch below it, as in Qdrant.
 */
final class HybridQuery {
  /**
   * Qdrant's RRF constant: {@code DEFAULT_RRF_K = 2} in qdrant/lib/segment/src/common/reciprocal_rank_fusion.rs (the
   * Rust client's docs say 60, but the server uses 2). A point at 0-based position p of a list with weight w adds
   * {@code 1 / ((p + 1) / w + k - 1)}, i.e. {@code 1 / (p + k)} at the default weight 1.
   */
  static final int DEFAULT_RRF_K = 2;

  /** A ranked list; {@code largerBetter} is false for distances (Euclid, Manhattan). */
  private record Ranked(List<ScoredPoint> points, boolean largerBetter) {}

  /** The final page: points with the asked payload and vectors. */
  /** Ranked points; {@code orderValues} (parallel to {@code points}) is empty unless the query ordered by a field. */
  record Page(List<ScoredPoint> points, PayloadSelector payload, List<JsonNode> orderValues) {
    Page(List<ScoredPoint> points, PayloadSelector payload) {
      this(points, payload, List.of());
    }
  }

  private sealed interface Query {}

  /**
   * A query vector, or the id of the point whose vector is the query ({@code vector} null); or, for a sparse field,
   * {@code sparse}.
   */
  private record Nearest(float[] vector, PointId near, SparseQuery.Target sparse) implements Query {}

  private record Rrf(int k, float[] weights) implements Query {}

  private record Dbsf() implements Query {}

  /** {@code recommend}, {@code discover} or {@code context}: see {@link ExampleQuery}. */
  private record Examples(ExampleQuery.Parsed parsed) implements Query {}

  /** {@code {formula, defaults}}: the prefetched points re-ranked by the formula. */
  private record Rescore(Formula formula) implements Query {}

  private HybridQuery() {}

  /** Whether a query body needs this class: it has prefetches or asks for a fusion. */
  static boolean applies(ObjectNode body) {
    JsonNode q = body.get("query");
    return Json.present(body.get("prefetch")) || (q != null && q.isObject() && (q.has("fusion") || q.has("rrf") || q.has("formula")));
  }

  /** Runs a top-level query request whose fields the caller has checked. */
  static Page run(Collection c, ObjectNode body, String path) {
    int limit = Json.intField(body, "limit", path, 10, 1);
    int offset = Json.intField(body, "offset", path, 0, 0);
    PayloadSelector payload = Json.payloadSelector(body.get("with_payload"), path + ".with_payload",
        PayloadSelector.NONE);
    Set<String> vectors = Json.vectorSelector(body.get("with_vector"), path + ".with_vector", false);
    if ((long) offset + limit > Collection.MAX_RESULT_WINDOW) {
      throw ApiError.badRequest(path + ": offset + limit exceeds " + Collection.MAX_RESULT_WINDOW);
    }
    List<ScoredPoint> all = evaluate(c, body, path, null, offset + limit).points();
    return withRecords(c, all.subList(Math.min(offset, all.size()), all.size()), payload, vectors);
  }

  /** {@code page} with each point's payload and vectors as asked, read now; points deleted since are left out. */
  static Page withRecords(Collection c, List<ScoredPoint> page, PayloadSelector payload, Set<String> vectors) {
    if (page.isEmpty() || (payload instanceof PayloadSelector.None && vectors == null)) {
      return new Page(page.stream().map(p -> p.payload() == null && p.vectors() == null && p.sparseVectors().isEmpty()
          ? p : new ScoredPoint(p.id(), p.score(), null, null)).toList(), payload);
    }
    Map<PointId, PointRecord> records = new HashMap<>();
    for (PointRecord r : c.retrieve(page.stream().map(ScoredPoint::id).toList(), payload, vectors)) {
      records.put(r.id(), r);
    }
    List<ScoredPoint> out = new ArrayList<>(page.size());
    for (ScoredPoint p : page) {
      PointRecord r = records.get(p.id());
      if (r != null) { // else deleted since
        out.add(new ScoredPoint(p.id(), p.score(), r.payload(), r.vectors(), r.sparseVectors()));
      }
    }
    return new Page(out, payload);
  }

  /** One level: its prefetches first (if any), then its query over them. {@code topLimit} > 0 only at the top. */
  private static Ranked evaluate(Collection c, JsonNode node, String path, Filter inherited, int topLimit) {
    if (topLimit == 0) {
      Json.object(node, path);
      Json.onlyFields(node, path, "prefetch", "query", "using", "filter", "params", "score_threshold", "limit",
          "lookup_from");
    }
    if (Json.present(node.get("lookup_from"))) {
      throw ApiError.unsupported(path + ".lookup_from: not supported yet");
    }
    Filter own = Json.filter(node.get("filter"));
    Filter filter = inherited == null ? own : own == null ? inherited : Filter.must(inherited, own);
    String using = Json.stringField(node, "using", path, CollectionConfig.DEFAULT_VECTOR);
    int limit = topLimit > 0 ? topLimit : Json.intField(node, "limit", path, 10, 1);
    Float threshold = Json.floatField(node, "score_threshold", path);
    ObjectNode params = Json.object(node.get("params"), path + ".params");
    Json.onlyFields(params, path + ".params", "hnsw_ef", "exact", "quantization", "indexed_only", "acorn", "idf");
    int ef = Json.intField(params, "hnsw_ef", path + ".params", 0, 0);
    boolean exact = Json.boolField(params, "exact", path + ".params", false);
    Query query = query(c, node.get("query"), path + ".query", using);
    List<JsonNode> subs = prefetches(node.get("prefetch"), path + ".prefetch");
    boolean largerBetter = true;
    if (query instanceof Nearest n && n.sparse() == null && !MultiVectorQuery.isMultiField(c, using)
        || query instanceof Examples e && e.parsed().average() != null) { // a fusion level names no field
      Metric metric = c.config().vector(using).metric();
      largerBetter = metric != Metric.L2 && metric != Metric.L1;
    }

    if (subs.isEmpty()) {
      return switch (query) {
        case null -> { // no query: points in id order
          List<ScoredPoint> out = new ArrayList<>();
          for (PointRecord r : c.scroll(new ScrollRequest(filter, null, limit, PayloadSelector.NONE, null, null))
              .points()) {
            out.add(new ScoredPoint(r.id(), 0f, null, null));
          }
          yield new Ranked(out, true);
        }
        case Nearest n -> new Ranked(nearest(c, n, using, filter, limit, threshold, ef, exact), largerBetter);
        case Examples e -> new Ranked(ExampleSearch.ranked(c, e.parsed(), using, filter, limit, threshold, ef, exact),
            largerBetter);
        case Rrf r -> throw ApiError.badRequest(path + ".query: fusion needs a prefetch to fuse");
        case Dbsf d -> throw ApiError.badRequest(path + ".query: fusion needs a prefetch to fuse");
        case Rescore r -> throw ApiError.badRequest(path + ".query: cannot apply Formula without prefetches");
      };
    }
    List<Ranked> lists = new ArrayList<>(subs.size());
    for (int i = 0; i < subs.size(); i++) {
      lists.add(evaluate(c, subs.get(i), path + ".prefetch" + (isArray(node) ? "[" + i + "]" : ""),
          filter, 0));
    }
    List<ScoredPoint> fused = switch (query) {
      case null -> throw ApiError.badRequest(path + ".query: required with prefetch (a fusion or a vector)");
      case Rrf r -> rrf(lists, r.k(), r.weights(), path + ".query");
      case Dbsf d -> dbsf(lists);
      case Rescore r -> FormulaRescore.rank(c, r.formula(), lists.stream().map(Ranked::points).toList(), limit,
          threshold);
      case Nearest n -> {
        Set<PointId> candidates = new LinkedHashSet<>();
        lists.forEach(l -> l.points().forEach(p -> candidates.add(p.id())));
        if (candidates.isEmpty()) {
          yield List.of();
        }
        // re-score the prefetched candidates exactly (their filter already holds for them)
        Filter only = Filter.must(new Condition.HasId(candidates));
        yield nearest(c, n, using, only, limit, threshold, 0, true);
      }
      case Examples e -> {
        Set<PointId> candidates = new LinkedHashSet<>();
        lists.forEach(l -> l.points().forEach(p -> candidates.add(p.id())));
        if (candidates.isEmpty()) {
          yield List.of();
        }
        Filter only = Filter.must(new Condition.HasId(candidates));
        yield ExampleSearch.ranked(c, e.parsed(), using, only, limit, threshold, 0, true);
      }
    };
    if (query instanceof Nearest || query instanceof Examples) {
      return new Ranked(fused, largerBetter);
    }
    List<ScoredPoint> out = new ArrayList<>(Math.min(limit, fused.size()));
    for (ScoredPoint p : fused) {
      if (out.size() == limit) {
        break;
      }
      if (threshold == null || p.score() >= threshold) {
        out.add(p);
      }
    }
    return new Ranked(out, true);
  }

  private static boolean isArray(JsonNode node) {
    return node.get("prefetch") != null && node.get("prefetch").isArray();
  }

  private static List<JsonNode> prefetches(JsonNode n, String path) {
    if (!Json.present(n)) {
      return List.of();
    }
    if (n.isObject()) {
      return List.of(n);
    }
    if (!n.isArray()) {
      throw ApiError.badRequest(path + ": expected a prefetch object or an array of them");
    }
    List<JsonNode> out = new ArrayList<>();
    n.forEach(out::add);
    return out;
  }

  /**
   * A query: a vector or point id (nearest), {nearest: ...}, {fusion: rrf|dbsf}, {rrf: {k, weights}}, {formula,
   * defaults}; null if absent.
   */
  private static Query query(Collection c, JsonNode q, String path, String using) {
    if (!Json.present(q)) {
      return null;
    }
    if (!q.has("fusion") && !q.has("rrf")) { // a fusion level names no field
      MultiVectorQuery.checkSupported(c, q, path, using);
    }
    if (q.isObject() && !SparseJson.isSparse(q) && !DocumentVectors.isDocument(q)) {
      if (q.has("mmr")) {
        throw ApiError.badRequest(path + ".mmr: MMR is supported on the top-level query without prefetch only");
      }
      if (ExampleQuery.applies(q)) {
        return new Examples(ExampleQuery.parse(c, q, path, using));
      }
      if (q.has("formula")) {
        return new Rescore(FormulaParser.parse(q, path));
      }
      if (q.size() != 1) {
        throw ApiError.badRequest(path + ": expected one of nearest, recommend, discover, context, fusion, rrf, "
            + "formula");
      }
      if (q.has("nearest")) {
        return nearestQuery(c, q.get("nearest"), path + ".nearest", using);
      }
      if (q.has("fusion")) {
        return switch (q.get("fusion").asText("")) {
          case "rrf" -> new Rrf(DEFAULT_RRF_K, null);
          case "dbsf" -> new Dbsf();
          default -> throw ApiError.badRequest(path + ".fusion: expected rrf or dbsf, got " + q.get("fusion"));
        };
      }
      if (q.has("rrf")) {
        JsonNode r = Json.object(q.get("rrf"), path + ".rrf");
        Json.onlyFields(r, path + ".rrf", "k", "weights");
        int k = Json.intField(r, "k", path + ".rrf", DEFAULT_RRF_K, 1);
        float[] weights = Json.present(r.get("weights")) ? Json.vector(r.get("weights"), path + ".rrf.weights") : null;
        return new Rrf(k, weights);
      }
      throw ApiError.badRequest(path + ": unsupported query `" + q.fieldNames().next()
          + "`, expected nearest, recommend, discover, context, fusion, rrf or formula");
    }
    return nearestQuery(c, q, path, using);
  }

  private static Nearest nearestQuery(Collection c, JsonNode query, String path, String using) {
    JsonNode q = DenseDocuments.resolve(c, query, path, using);
    SparseQuery.Target sparse = SparseQuery.target(c, q, path, using);
    if (sparse != null) {
      return new Nearest(null, null, sparse);
    }
    if (MultiVectorQuery.isMultiField(c, using)) { // MaxSim: a multi-vector, one vector, or a point id
      float[] v = MultiVectorQuery.vector(c, q, path, using);
      return new Nearest(v, v == null ? Json.pointId(q, path) : null, null);
    }
    if (c.config().vector(using) == null) {
      throw ApiError.badRequest("Wrong input: Not existing vector name error: "
          + (using.isEmpty() ? "the collection has only named vectors; pass one" : using));
    }
    if (q != null && q.isArray()) {
      return new Nearest(Json.vector(q, path), null, null);
    }
    return new Nearest(null, Json.pointId(q, path), null); // searched with the point's own vector, see nearest
  }

  private static List<ScoredPoint> nearest(Collection c, Nearest n, String using, Filter filter, int limit,
      Float threshold, int ef, boolean exact) {
    if (n.sparse() != null) { // exact whatever is asked: sparse search always scores every candidate
      return SparseQuery.run(c, n.sparse(), using, filter, limit, 0, threshold, PayloadSelector.NONE, null);
    }
    if (MultiVectorQuery.isMultiField(c, using)) {
      return MultiVectorQuery.search(c, n.vector(), n.near(), using, filter, limit, 0, threshold, ef, exact,
          PayloadSelector.NONE, null);
    }
    SearchRequest sr = SearchRequest.builder(n.vector() == null ? new float[0] : n.vector()).using(using)
        .limit(limit).filter(filter).scoreThreshold(threshold).ef(ef).exact(exact).build();
    // by point id: Qdrant leaves the query point out of its own neighbours
    return n.near() == null ? c.search(sr) : c.searchNear(n.near(), sr);
  }

  /** Reciprocal Rank Fusion as Qdrant computes it (f32 arithmetic); ties keep first-seen order. */
  private static List<ScoredPoint> rrf(List<Ranked> lists, int k, float[] weights, String path) {
    if (weights != null && weights.length != lists.size()) {
      throw ApiError.badRequest(path + ": Number of weights in RRF should match number of pre-fetches: got "
          + weights.length + ", expected " + lists.size());
    }
    Map<PointId, float[]> scores = new LinkedHashMap<>();
    for (int i = 0; i < lists.size(); i++) {
      float w = weights == null ? 1f : weights[i];
      List<ScoredPoint> ps = lists.get(i).points();
      for (int pos = 0; pos < ps.size(); pos++) {
        float s = w <= 0f ? 0f : 1f / ((pos + 1) / w + k - 1f);
        scores.computeIfAbsent(ps.get(pos).id(), id -> new float[1])[0] += s;
      }
    }
    return sorted(scores);
  }

  /**
   * Distribution-Based Score Fusion as in Qdrant: each list's scores (distances negated) are normalised against
   * mean -/+ 3 sample standard deviations, then summed per point.
   */
  private static List<ScoredPoint> dbsf(List<Ranked> lists) {
    Map<PointId, float[]> scores = new LinkedHashMap<>();
    for (Ranked l : lists) {
      List<ScoredPoint> ps = l.points();
      float[] s = new float[ps.size()];
      for (int i = 0; i < s.length; i++) {
        s[i] = l.largerBetter() ? ps.get(i).score() : -ps.get(i).score();
      }
      if (s.length == 1) {
        s[0] = 0.5f;
      } else if (s.length > 1) {
        float mean = 0f;
        float agg = 0f;
        for (int i = 0; i < s.length; i++) { // Welford
          float old = s[i] - mean;
          mean += old / (i + 1);
          agg += old * (s[i] - mean);
        }
        float std = (float) Math.sqrt(agg / (s.length - 1f));
        float min = mean - 3f * std;
        float max = mean + 3f * std;
        for (int i = 0; i < s.length; i++) {
          s[i] = min == max ? 0.5f : (s[i] - min) / (max - min);
        }
      }
      for (int i = 0; i < s.length; i++) {
        scores.computeIfAbsent(ps.get(i).id(), id -> new float[1])[0] += s[i];
      }
    }
    return sorted(scores);
  }

  private static List<ScoredPoint> sorted(Map<PointId, float[]> scores) {
    List<ScoredPoint> out = new ArrayList<>(scores.size());
    scores.forEach((id, s) -> out.add(new ScoredPoint(id, s[0], null, null)));
    out.sort((a, b) -> Float.compare(b.score(), a.score())); // stable
    return out;
  }
}
