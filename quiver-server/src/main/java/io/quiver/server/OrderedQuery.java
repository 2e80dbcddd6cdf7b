package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.PointId;
import io.quiver.collection.Collection;
import io.quiver.collection.PayloadSelector;
import io.quiver.collection.PointRecord;
import io.quiver.collection.ScoredPoint;
import io.quiver.collection.ScrollPage;
import io.quiver.collection.ScrollRequest;
import io.quiver.filter.Filter;
import io.quiver.payload.FieldSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The queries that rank by no vector: {@code {order_by}} (points by a numeric or datetime payload field, score 0,
 * each with its {@code order_value}) and {@code {sample: "random"}} (a uniform sample without replacement of the
 * matching points).
 */
final class OrderedQuery {
  private OrderedQuery() {}

  /** Whether {@code query} is an order-by or sample query. */
  static boolean applies(JsonNode query) {
    return query != null && query.isObject() && (query.has("order_by") || query.has("sample"));
  }

  static HybridQuery.Page run(Collection c, ObjectNode body, String path, Endpoints ep) {
    String queryPath = path + ".query";
    JsonNode q = body.get("query");
    int limit = Json.intField(body, "limit", path, 10, 1);
    int offset = Json.intField(body, "offset", path, 0, 0);
    ep.checkWindow((long) limit + offset, path);
    PayloadSelector payload = Json.payloadSelector(body.get("with_payload"), path + ".with_payload",
        PayloadSelector.NONE);
    Set<String> vectors = Json.vectorSelector(body.get("with_vector"), path + ".with_vector", false);
    Filter filter = Json.filter(body.get("filter"));
    if (q.has("order_by")) {
      Json.onlyFields(q, queryPath, "order_by");
      ScrollRequest.OrderBy order = OrderByJson.parse(c, q.get("order_by"), queryPath + ".order_by");
      FieldSchema schema = OrderByJson.rangeIndex(c, order.key(), queryPath + ".order_by");
      ScrollPage page = c.scroll(new ScrollRequest(filter, null, offset + limit, payload, vectors, order));
      List<ScoredPoint> out = new ArrayList<>();
      List<JsonNode> values = new ArrayList<>();
      for (int i = offset; i < page.points().size(); i++) {
        out.add(scored(page.points().get(i)));
        values.add(OrderByJson.valueJson(page.orderValues().get(i), schema));
      }
      return new HybridQuery.Page(out, payload, values);
    }
    Json.onlyFields(q, queryPath, "sample");
    JsonNode sample = q.get("sample");
    if (sample == null || !sample.isTextual() || !sample.textValue().equals("random")) {
      throw ApiError.badRequest(queryPath + ".sample: expected \"random\", got " + sample);
    }
    List<PointId> chosen = sample(c, filter, offset + limit);
    List<ScoredPoint> out = new ArrayList<>();
    List<PointRecord> records = c.retrieve(chosen.subList(Math.min(offset, chosen.size()), chosen.size()), payload,
        vectors);
    for (PointRecord r : records) {
      out.add(scored(r));
    }
    return new HybridQuery.Page(out, payload);
  }

  /**
   * {@code n} distinct ids drawn uniformly without replacement from the points matching {@code filter} (all of them,
   * in random order, when fewer match): a partial Fisher-Yates shuffle driven by {@link ThreadLocalRandom}, so
   * samples are not reproducible and not for security.
   */
  static List<PointId> sample(Collection c, Filter filter, int n) {
    List<PointId> ids = new ArrayList<>();
    for (PointRecord r : c.scroll(new ScrollRequest(filter, null, Integer.MAX_VALUE, PayloadSelector.NONE, null,
        null)).points()) {
      ids.add(r.id());
    }
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    int k = Math.min(n, ids.size());
    for (int i = 0; i < k; i++) {
      int j = i + rnd.nextInt(ids.size() - i);
      PointId t = ids.get(i);
      ids.set(i, ids.get(j));
      ids.set(j, t);
    }
    return ids.subList(0, k);
  }

  private static ScoredPoint scored(PointRecord r) {
    return new ScoredPoint(r.id(), 0f, r.payload(), r.vectors(), r.sparseVectors());
  }
}
