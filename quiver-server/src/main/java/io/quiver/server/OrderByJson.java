package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.LongNode;
import io.quiver.collection.Collection;
import io.quiver.collection.ScrollRequest;
import io.quiver.filter.Values;
import io.quiver.payload.FieldSchema;
import java.time.Instant;

/**
 * Qdrant's {@code order_by}: a key, or {@code {key, direction: asc|desc, start_from}}. A key with a datetime index
 * is ordered by its datetime strings, as epoch microseconds (Qdrant's datetime index): {@code start_from} is then a
 * datetime string (or epoch microseconds) and {@code order_value} the epoch microseconds.
 */
final class OrderByJson {
  private OrderByJson() {}

  /** The order at {@code path} ({@code ob} present) over {@code c}. */
  static ScrollRequest.OrderBy parse(Collection c, JsonNode ob, String path) {
    if (ob.isTextual()) {
      return new ScrollRequest.OrderBy(ob.textValue(), false, null, isDatetime(c, ob.textValue()));
    }
    if (!ob.isObject()) {
      throw ApiError.badRequest(path + ": expected a payload key or {key, direction, start_from}, got " + ob);
    }
    Json.onlyFields(ob, path, "key", "direction", "start_from");
    String key = Json.stringField(ob, "key", path, null);
    if (key == null) {
      throw ApiError.badRequest(path + ".key: required");
    }
    String dir = Json.stringField(ob, "direction", path, "asc");
    if (!dir.equals("asc") && !dir.equals("desc")) {
      throw ApiError.badRequest(path + ".direction: expected asc or desc, got \"" + dir + "\"");
    }
    boolean datetime = isDatetime(c, key);
    JsonNode sf = ob.get("start_from");
    Double startFrom = null;
    if (Json.present(sf)) {
      if (sf.isNumber()) {
        startFrom = sf.doubleValue();
      } else if (sf.isTextual() && datetime) {
        Instant t = Values.parseDatetimeOrNull(sf.textValue());
        if (t == null) {
          throw ApiError.badRequest(path + ".start_from: expected an RFC 3339 datetime, got " + sf);
        }
        startFrom = (double) (t.getEpochSecond() * 1_000_000L + t.getNano() / 1000);
      } else {
        throw ApiError.badRequest(path + ".start_from: expected a number" + (datetime ? " or a datetime string" : "")
            + ", got " + sf);
      }
    }
    return new ScrollRequest.OrderBy(key, dir.equals("desc"), startFrom, datetime);
  }

  private static boolean isDatetime(Collection c, String key) {
    return c.config().payloadSchema().get(key) == FieldSchema.DATETIME;
  }

  /**
   * The schema of the order key's payload index, which must be a range one (integer, float or datetime): as Qdrant,
   * ordering reads a range index, so a key without one is a 400 naming {@code path}.
   */
  static FieldSchema rangeIndex(Collection c, String key, String path) {
    FieldSchema schema = c.config().payloadSchema().get(key);
    if (schema == FieldSchema.INTEGER || schema == FieldSchema.FLOAT || schema == FieldSchema.DATETIME) {
      return schema;
    }
    throw ApiError.badRequest(path + ".key: no range index for the order_by key \"" + key
        + "\"; create an integer, float or datetime payload index on it" + (schema == null ? "" : " (it has a "
        + schema.name().toLowerCase() + " index)"));
  }

  /** An order value as Qdrant answers it: an integer for an integer or datetime index, else a double. */
  static JsonNode valueJson(double v, FieldSchema schema) {
    return (schema == FieldSchema.INTEGER || schema == FieldSchema.DATETIME) && v == Math.rint(v)
        ? LongNode.valueOf((long) v) : DoubleNode.valueOf(v);
  }
}
