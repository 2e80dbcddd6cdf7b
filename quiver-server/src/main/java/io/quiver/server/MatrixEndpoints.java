package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.PointId;
import io.quiver.collection.Collection;
import io.quiver.collection.CollectionConfig;
import io.quiver.collection.PayloadSelector;
import io.quiver.collection.PointRecord;
import io.quiver.collection.ScoredPoint;
import io.quiver.collection.SearchRequest;
import io.quiver.filter.Condition;
import io.quiver.filter.Filter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /collections/{name}/points/search/matrix/pairs} and {@code .../offsets}, Qdrant's distance matrix: up
 * to {@code sample} random points matching the filter that have the {@code using} vector (sorted by id), and for
 * each its {@code limit} nearest among the sample, itself excluded, scored exactly. Fewer than two sampled points
 * give an empty matrix.
 */
final class MatrixEndpoints {
  static final int DEFAULT_SAMPLE = 10;
  static final int DEFAULT_LIMIT = 3;

  /** The sampled ids (sorted) and, for each, its nearest sampled neighbours best first. */
  private record Matrix(List<PointId> ids, List<List<ScoredPoint>> nearest) {}

  private final Endpoints ep;

  MatrixEndpoints(Endpoints ep) {
    this.ep = ep;
  }

  /** POST .../points/search/matrix/pairs: {@code {pairs: [{a, b, score}]}}. */
  JsonNode pairs(Call req) {
    Matrix m = matrix(ep.collection(req), ep.body(req));
    ObjectNode result = ep.json.createObjectNode();
    ArrayNode pairs = result.putArray("pairs");
    for (int row = 0; row < m.ids().size(); row++) {
      for (ScoredPoint p : m.nearest().get(row)) {
        ObjectNode pair = pairs.addObject();
        pair.set("a", Json.idJson(m.ids().get(row)));
        pair.set("b", Json.idJson(p.id()));
        pair.put("score", p.score());
      }
    }
    return result;
  }

  /** POST .../points/search/matrix/offsets: {@code {offsets_row, offsets_col, scores, ids}}. */
  JsonNode offsets(Call req) {
    Matrix m = matrix(ep.collection(req), ep.body(req));
    Map<PointId, Integer> column = new HashMap<>();
    for (int i = 0; i < m.ids().size(); i++) {
      column.put(m.ids().get(i), i);
    }
    ObjectNode result = ep.json.createObjectNode();
    ArrayNode rows = result.putArray("offsets_row");
    ArrayNode cols = result.putArray("offsets_col");
    ArrayNode scores = result.putArray("scores");
    ArrayNode ids = result.putArray("ids");
    for (int row = 0; row < m.ids().size(); row++) {
      ids.add(Json.idJson(m.ids().get(row)));
      for (ScoredPoint p : m.nearest().get(row)) {
        rows.add(row);
        cols.add(column.get(p.id()));
        scores.add(p.score());
      }
    }
    return result;
  }

  private Matrix matrix(Collection c, ObjectNode body) {
    String path = "body";
    Json.onlyFields(body, path, "sample", "limit", "filter", "using", "shard_key");
    int sample = Json.intField(body, "sample", path, DEFAULT_SAMPLE, 2);
    int limit = Json.intField(body, "limit", path, DEFAULT_LIMIT, 1);
    if (sample > ep.config.maxLimit()) {
      throw ApiError.badRequest(path + ".sample: " + sample + " exceeds the server's max_limit of "
          + ep.config.maxLimit());
    }
    ep.checkWindow(limit, path);
    String using = SearchParams.vectorName(c, Json.stringField(body, "using", path, CollectionConfig.DEFAULT_VECTOR));
    Filter filter = Json.filter(body.get("filter"));

    // the matching points in random order; the first `sample` of them that have the vector are the sample
    List<PointId> shuffled = OrderedQuery.sample(c, filter, Integer.MAX_VALUE);
    Map<PointId, float[]> vectors = new HashMap<>();
    for (int from = 0; from < shuffled.size() && vectors.size() < sample; ) {
      int to = Math.min(shuffled.size(), from + sample - vectors.size());
      for (PointRecord r : c.retrieve(shuffled.subList(from, to), PayloadSelector.NONE, Set.of(using))) {
        float[] v = r.vectors() == null ? null : r.vectors().get(using);
        if (v != null) {
          vectors.put(r.id(), v);
        }
      }
      from = to;
    }
    if (vectors.size() < 2) {
      return new Matrix(List.of(), List.of());
    }
    List<PointId> ids = new ArrayList<>(vectors.keySet());
    ids.sort(PointId.ORDER);
    Filter only = Filter.must(new Condition.HasId(new LinkedHashSet<>(ids)));
    List<List<ScoredPoint>> nearest = new ArrayList<>(ids.size());
    for (PointId id : ids) {
      SearchRequest sr = SearchRequest.builder(vectors.get(id)).using(using).limit(limit + 1).filter(only)
          .exact(true).build();
      List<ScoredPoint> row = new ArrayList<>(limit);
      for (ScoredPoint p : c.search(sr)) {
        if (!p.id().equals(id) && row.size() < limit) {
          row.add(new ScoredPoint(p.id(), p.score(), null, null));
        }
      }
      nearest.add(row);
    }
    return new Matrix(ids, nearest);
  }
}
