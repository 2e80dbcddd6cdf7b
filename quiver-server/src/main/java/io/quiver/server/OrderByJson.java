package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.LongNode;
import io.quiver.collection.Collection;
import io.quiver.collection.ScrollRequest;
import io.quiver.payload.FieldSchema;

/** Qdrant's {@code order_by}: a key, or {@code {key, direction: asc|desc, start_from}}; numeric start values only. */
final class OrderByJson {
  private OrderByJson() {}

  /** The order at {@code path} ({@code ob} present). */
  static ScrollRequest.OrderBy parse(JsonNode ob, String path) {
    if (ob.isTextual()) {
      return new ScrollRequest.OrderBy(ob.textValue(), false, null);
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
    JsonNode sf = ob.get("start_from");
    Double startFrom = null;
    if (Json.present(sf)) {
      if (!sf.isNumber()) {
        throw ApiError.badRequest(path + ".start_from: expected a number, got " + sf);
      }
      startFrom = sf.doubleValue();
    }
    return new ScrollRequest.OrderBy(key, dir.equals("desc"), startFrom);
  }

  /**
   * The schema of the order key's payload index, which must be a numeric one (integer or float): as Qdrant, ordering
   * reads a range index, so a key without one is a 400 naming {@code path}.
   */
  static FieldSchema rangeIndex(Collection c, String key, String path) {
    FieldSchema schema = c.config().payloadSchema().get(key);
    if (schema == FieldSchema.INTEGER || schema == FieldSchema.FLOAT) {
      return schema;
    }
    throw ApiError.badRequest(path + ".key: no range index for the order_by key \"" + key
        + "\"; create an integer or float payload index on it" + (schema == null ? "" : " (it has a "
        + schema.name().toLowerCase() + " index)"));
  }

  /** An order value as Qdrant answers it: an integer for an integer index, else a double. */
  static JsonNode valueJson(double v, FieldSchema schema) {
    return schema == FieldSchema.INTEGER && v == Math.rint(v) ? LongNode.valueOf((long) v) : DoubleNode.valueOf(v);
  }
}
