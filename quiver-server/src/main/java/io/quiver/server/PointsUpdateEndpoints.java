package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.PointId;
import io.quiver.collection.Collection;
import io.quiver.collection.CollectionConfig;
import io.quiver.collection.Point;
import io.quiver.collection.SparseVector;
import io.quiver.collection.UpdateMode;
import io.quiver.collection.VectorParams;
import io.quiver.filter.Filter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Point updates: upsert, vectors, delete, payload operations, and {@code /points/batch} of them. */
final class PointsUpdateEndpoints {
  private final Endpoints ep;

  PointsUpdateEndpoints(Endpoints ep) {
    this.ep = ep;
  }

  /** {points: [ids]} or {filter: {...}}: ids, or a filter, exactly one of them. */
  private record Selector(List<PointId> ids, Filter filter) {}

  private Selector selector(ObjectNode body) {
    boolean hasIds = Json.present(body.get("points"));
    boolean hasFilter = Json.present(body.get("filter"));
    if (hasIds == hasFilter) {
      throw ApiError.badRequest("body: expected exactly one of `points` (ids) or `filter`");
    }
    if (hasIds) {
      List<PointId> ids = Json.pointIds(body.get("points"), "body.points");
      ep.checkBatchSize(ids.size(), "body.points");
      return new Selector(ids, null);
    }
    return new Selector(null, Json.filter(body.get("filter")));
  }

  /** PUT /collections/{name}/points. */
  JsonNode upsert(Call req) {
    return upsert(ep.collection(req), ep.body(req));
  }

  private JsonNode upsert(Collection c, ObjectNode body) {
    Json.onlyFields(body, "body", "points", "batch", "shard_key", "update_filter", "update_mode");
    String mode = Json.stringField(body, "update_mode", "body", "upsert");
    if (!mode.equals("upsert") && !mode.equals("insert_only") && !mode.equals("update_only")) {
      throw ApiError.badRequest("body.update_mode: unknown variant `" + mode
          + "`, expected one of `upsert`, `insert_only`, `update_only`");
    }
    try (DocumentVectors docs = new DocumentVectors(c, ep.documentLengths)) {
      List<Point> points = docs.finish(parsePoints(c, body, docs), mode.equals("upsert"));
      boolean done = false;
      try {
        // which points exist is decided under the collection's write lock, not here: two concurrent insert_only
        // requests for one id write it once
        c.upsert(points, UpdateMode.valueOf(mode.toUpperCase(Locale.ROOT)));
        done = mode.equals("upsert");
      } finally {
        if (!done) { // the length figures counted a write that did not happen as counted
          ep.documentLengths.invalidate(c);
        }
      }
    }
    return ep.updateResult();
  }

  /** The points of an upsert body, {@code points} or {@code batch}; their Documents wait in {@code docs}. */
  private List<Point> parsePoints(Collection c, ObjectNode body, DocumentVectors docs) {
    List<Point> points = new ArrayList<>();
    if (Json.present(body.get("points"))) {
      JsonNode list = body.get("points");
      if (!list.isArray()) {
        throw ApiError.badRequest("body.points: expected an array of points");
      }
      ep.checkBatchSize(list.size(), "body.points");
      for (int i = 0; i < list.size(); i++) {
        String path = "body.points[" + i + "]";
        JsonNode p = Json.object(list.get(i), path);
        Json.onlyFields(p, path, "id", "vector", "payload");
        PointId id = Json.pointId(p.get("id"), path + ".id");
        points.add(SparseJson.vectors(p.get("vector"), path + ".vector", c.config(), docs, i)
            .point(id, Json.payload(p.get("payload"), path + ".payload")));
      }
    } else if (Json.present(body.get("batch"))) {
      ObjectNode batch = Json.object(body.get("batch"), "body.batch");
      Json.onlyFields(batch, "body.batch", "ids", "vectors", "payloads");
      List<PointId> ids = Json.pointIds(batch.get("ids"), "body.batch.ids");
      ep.checkBatchSize(ids.size(), "body.batch.ids");
      JsonNode vectors = batch.get("vectors");
      List<Map<String, float[]>> vs = new ArrayList<>();
      List<Map<String, SparseVector>> sparse = new ArrayList<>();
      for (int i = 0; i < ids.size(); i++) {
        vs.add(new LinkedHashMap<>());
        sparse.add(new LinkedHashMap<>());
      }
      if (vectors != null && vectors.isArray()) {
        Endpoints.checkBatchLength(vectors, ids.size(), "body.batch.vectors");
        for (int i = 0; i < ids.size(); i++) {
          String path = "body.batch.vectors[" + i + "]";
          if (DocumentVectors.isDocument(vectors.get(i))) {
            docs.add(i, CollectionConfig.DEFAULT_VECTOR, vectors.get(i), path);
          } else {
            VectorParams multi = c.config().multiVector(CollectionConfig.DEFAULT_VECTOR);
            vs.get(i).put(CollectionConfig.DEFAULT_VECTOR, multi != null
                ? MultiVectorJson.read(vectors.get(i), path, multi) : Json.vector(vectors.get(i), path));
          }
        }
      } else if (vectors != null && vectors.isObject()) {
        for (var e : vectors.properties()) {
          String path = "body.batch.vectors." + e.getKey();
          Endpoints.checkBatchLength(e.getValue(), ids.size(), path);
          for (int i = 0; i < ids.size(); i++) {
            SparseJson.put(e.getKey(), e.getValue().get(i), path + "[" + i + "]", c.config(), vs.get(i),
                sparse.get(i), docs, i);
          }
        }
      } else {
        throw ApiError.badRequest("body.batch.vectors: expected an array of vectors or an object of named lists");
      }
      JsonNode payloads = batch.get("payloads");
      if (Json.present(payloads)) {
        Endpoints.checkBatchLength(payloads, ids.size(), "body.batch.payloads");
      }
      for (int i = 0; i < ids.size(); i++) {
        ObjectNode payload = Json.present(payloads)
            ? Json.payload(payloads.get(i), "body.batch.payloads[" + i + "]") : null;
        points.add(new Point(ids.get(i), vs.get(i), payload, sparse.get(i)));
      }
    } else {
      throw ApiError.badRequest("body: expected `points` or `batch`");
    }
    return points;
  }

  /** PUT /collections/{name}/points/vectors. */
  JsonNode updateVectors(Call req) {
    return updateVectors(ep.collection(req), ep.body(req));
  }

  private JsonNode updateVectors(Collection c, ObjectNode body) {
    Json.onlyFields(body, "body", "points", "shard_key", "update_filter");
    JsonNode list = body.get("points");
    if (list == null || !list.isArray()) {
      throw ApiError.badRequest("body.points: expected an array of {id, vector}");
    }
    ep.checkBatchSize(list.size(), "body.points");
    try (DocumentVectors docs = new DocumentVectors(c, ep.documentLengths)) {
      List<Point> points = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        String path = "body.points[" + i + "]";
        JsonNode p = Json.object(list.get(i), path);
        Json.onlyFields(p, path, "id", "vector");
        points.add(SparseJson.vectors(p.get("vector"), path + ".vector", c.config(), docs, i)
            .point(Json.pointId(p.get("id"), path + ".id"), null));
      }
      points = docs.finish(points, false);
      try {
        c.updateVectors(points);
      } finally { // replaced vectors are not subtracted: the figures are read again when next needed
        ep.documentLengths.invalidate(c);
      }
    }
    return ep.updateResult();
  }

  /** POST /points/batch: applies the update operations in order, one UpdateResult each (not atomic, as in Qdrant). */
  JsonNode batch(Call req) {
    Collection c = ep.collection(req);
    ObjectNode body = ep.body(req);
    Json.onlyFields(body, "body", "operations");
    JsonNode ops = body.get("operations");
    if (ops == null || !ops.isArray()) {
      throw ApiError.badRequest("body.operations: expected an array of update operations");
    }
    ep.checkBatchSize(ops.size(), "body.operations");
    // validate the shape of every operation before applying any of them
    List<Map.Entry<String, ObjectNode>> parsed = new ArrayList<>();
    for (int i = 0; i < ops.size(); i++) {
      String path = "body.operations[" + i + "]";
      JsonNode op = Json.object(ops.get(i), path);
      if (op.size() != 1) {
        throw ApiError.badRequest(path + ": expected exactly one of upsert, delete, set_payload, overwrite_payload,"
            + " delete_payload, clear_payload, update_vectors, delete_vectors");
      }
      String kind = op.fieldNames().next();
      Json.onlyFields(op, path, "upsert", "delete", "set_payload", "overwrite_payload", "delete_payload",
          "clear_payload", "update_vectors", "delete_vectors");
      if (kind.equals("delete_vectors")) {
        throw ApiError.unsupported(path + ".delete_vectors: deleting named vectors is not supported");
      }
      ObjectNode args = Json.object(op.get(kind), path + "." + kind);
      parsed.add(Map.entry(kind, args));
    }
    ArrayNode results = ep.json.createArrayNode();
    for (Map.Entry<String, ObjectNode> e : parsed) {
      ObjectNode args = e.getValue();
      results.add(switch (e.getKey()) {
        case "upsert" -> upsert(c, args);
        case "delete" -> delete(c, args);
        case "set_payload" -> payloadOp(c, args, "set");
        case "overwrite_payload" -> payloadOp(c, args, "overwrite");
        case "delete_payload" -> payloadOp(c, args, "delete");
        case "clear_payload" -> clearPayload(c, args);
        case "update_vectors" -> updateVectors(c, args);
        default -> throw new IllegalStateException(e.getKey());
      });
    }
    return results;
  }

  /** POST /collections/{name}/points/delete. */
  JsonNode delete(Call req) {
    return delete(ep.collection(req), ep.body(req));
  }

  private JsonNode delete(Collection c, ObjectNode body) {
    Json.onlyFields(body, "body", "points", "filter", "shard_key");
    Selector s = selector(body);
    try {
      if (s.ids() != null) {
        c.delete(s.ids());
      } else {
        c.delete(s.filter());
      }
    } finally {
      ep.documentLengths.invalidate(c);
    }
    return ep.updateResult();
  }

  /** The payload endpoints: {@code op} is set (POST), overwrite (PUT) or delete (POST .../delete). */
  JsonNode payloadOp(Call req, String op) {
    return payloadOp(ep.collection(req), ep.body(req), op);
  }

  private JsonNode payloadOp(Collection c, ObjectNode body, String op) {
    if (op.equals("delete")) {
      Json.onlyFields(body, "body", "keys", "points", "filter", "shard_key");
      List<String> keys = Json.strings(body.get("keys"), "body.keys");
      Selector s = selector(body);
      if (s.ids() != null) {
        c.deletePayloadKeys(s.ids(), keys);
      } else {
        c.deletePayloadKeys(s.filter(), keys);
      }
      return ep.updateResult();
    }
    Json.onlyFields(body, "body", "payload", "points", "filter", "shard_key", "key");
    if (Json.present(body.get("key"))) {
      throw ApiError.unsupported("body.key: setting a payload under a nested key is not supported");
    }
    ObjectNode payload = Json.payload(body.get("payload"), "body.payload");
    if (payload == null) {
      throw ApiError.badRequest("body.payload: required");
    }
    Selector s = selector(body);
    if (op.equals("set")) {
      if (s.ids() != null) {
        c.setPayload(s.ids(), payload);
      } else {
        c.setPayload(s.filter(), payload);
      }
    } else if (s.ids() != null) {
      c.overwritePayload(s.ids(), payload);
    } else {
      c.overwritePayload(s.filter(), payload);
    }
    return ep.updateResult();
  }

  /** POST /collections/{name}/points/payload/clear. */
  JsonNode clearPayload(Call req) {
    return clearPayload(ep.collection(req), ep.body(req));
  }

  private JsonNode clearPayload(Collection c, ObjectNode body) {
    Json.onlyFields(body, "body", "points", "filter", "shard_key");
    Selector s = selector(body);
    if (s.ids() != null) {
      c.clearPayload(s.ids());
    } else {
      c.clearPayload(s.filter());
    }
    return ep.updateResult();
  }
}
