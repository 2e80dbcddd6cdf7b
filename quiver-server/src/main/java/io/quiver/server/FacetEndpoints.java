package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.collection.Collection;
import io.quiver.collection.PayloadSelector;
import io.quiver.collection.PointRecord;
import io.quiver.collection.ScrollRequest;
import io.quiver.filter.PayloadPath;
import io.quiver.payload.FieldSchema;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /collections/{name}/facet}: how many of the points matching the filter have each value of an indexed
 * keyword, uuid, integer or bool field (a point counts once per distinct value it holds). Counts are always exact;
 * hits are ordered by count descending, then by value ascending.
 */
final class FacetEndpoints {
  private static final Comparator<JsonNode> VALUE_ORDER = (a, b) -> a.isNumber() && b.isNumber()
      ? Long.compare(a.longValue(), b.longValue())
      : a.isBoolean() && b.isBoolean() ? Boolean.compare(a.booleanValue(), b.booleanValue())
      : a.asText().compareTo(b.asText());

  private final Endpoints ep;

  FacetEndpoints(Endpoints ep) {
    this.ep = ep;
  }

  JsonNode facet(Call req) {
    Collection c = ep.collection(req);
    ObjectNode body = ep.body(req);
    Json.onlyFields(body, "body", "key", "limit", "filter", "exact", "shard_key");
    String key = Json.stringField(body, "key", "body", null);
    if (key == null) {
      throw ApiError.badRequest("body.key: required");
    }
    int limit = Json.intField(body, "limit", "body", 10, 1);
    Json.boolField(body, "exact", "body", false);
    FieldSchema schema = c.config().payloadSchema().get(key);
    if (schema != FieldSchema.KEYWORD && schema != FieldSchema.UUID && schema != FieldSchema.INTEGER
        && schema != FieldSchema.BOOL) {
      throw ApiError.badRequest("body.key: no keyword, uuid, integer or bool index for the facet key \"" + key
          + "\"" + (schema == null ? "" : " (it has a " + schema.name().toLowerCase() + " index)"));
    }
    Map<JsonNode, Long> counts = counts(c, body.get("filter"), key, schema);
    List<Map.Entry<JsonNode, Long>> hits = new ArrayList<>(counts.entrySet());
    hits.sort(Map.Entry.<JsonNode, Long>comparingByValue().reversed()
        .thenComparing(Map.Entry.comparingByKey(VALUE_ORDER)));
    ObjectNode result = ep.json.createObjectNode();
    ArrayNode out = result.putArray("hits");
    for (Map.Entry<JsonNode, Long> h : hits.subList(0, Math.min(limit, hits.size()))) {
      out.addObject().<ObjectNode>set("value", h.getKey()).put("count", h.getValue());
    }
    return result;
  }

  /** Each value of {@code key} with the number of matching points holding it. */
  private static Map<JsonNode, Long> counts(Collection c, JsonNode filter, String key, FieldSchema schema) {
    // the top-level key holds every path below it, so selecting it is enough to read the values
    String top = key.split("[.\\[]", 2)[0];
    ScrollRequest all = new ScrollRequest(Json.filter(filter), null, Integer.MAX_VALUE,
        PayloadSelector.include(List.of(top)), null, null);
    Map<JsonNode, Long> counts = new HashMap<>();
    for (PointRecord r : c.scroll(all).points()) {
      Set<JsonNode> seen = new HashSet<>();
      for (JsonNode v : PayloadPath.values(r.payload(), key)) {
        JsonNode value = schema == FieldSchema.INTEGER && fits(v, schema) ? LongNode.valueOf(v.longValue()) : v;
        if (fits(v, schema) && seen.add(value)) { // ints and longs of one value are one facet value
          counts.merge(value, 1L, Long::sum);
        }
      }
    }
    return counts;
  }

  private static boolean fits(JsonNode v, FieldSchema schema) {
    return switch (schema) {
      case KEYWORD, UUID -> v.isTextual();
      case INTEGER -> v.isIntegralNumber() && v.canConvertToLong();
      case BOOL -> v.isBoolean();
      default -> false;
    };
  }
}
