package io.quiver.server;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.PointId;
import io.quiver.collection.CollectionConfig;
import io.quiver.collection.PayloadSelector;
import io.quiver.collection.PointRecord;
import io.quiver.collection.ScoredPoint;
import io.quiver.filter.Filter;
import io.quiver.filter.FilterParser;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reading Qdrant request bodies and writing Qdrant response shapes. Every malformed input is a 400 naming its path. */
final class Json {
  static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final BigInteger MAX_U64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
  /** Reads NaN and Infinity, only to say where a body that failed to parse has one. */
  private static final ObjectMapper LENIENT = JsonMapper.builder()
      .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

  private Json() {}

  /** Fails with 400 if {@code node} has a field not in {@code allowed}. */
  static void onlyFields(JsonNode node, String path, String... allowed) {
    Set<String> ok = Set.of(allowed);
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!ok.contains(f)) {
        throw ApiError.badRequest(path + ": unknown field `" + f + "`, expected one of " + String.join(", ", allowed));
      }
    }
  }

  static ObjectNode object(JsonNode node, String path) {
    if (node == null || node.isMissingNode() || node.isNull()) {
      return NODES.objectNode();
    }
    if (!node.isObject()) {
      throw ApiError.badRequest(path + ": expected an object, got " + node.getNodeType().name().toLowerCase());
    }
    return (ObjectNode) node;
  }

  static boolean present(JsonNode node) {
    return node != null && !node.isMissingNode() && !node.isNull();
  }

  static int intField(JsonNode parent, String field, String path, int dflt, int min) {
    JsonNode n = parent.get(field);
    if (!present(n)) {
      return dflt;
    }
    if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < min) {
      throw ApiError.badRequest(path + "." + field + ": expected an integer >= " + min + ", got " + n);
    }
    return n.intValue();
  }

  static boolean boolField(JsonNode parent, String field, String path, boolean dflt) {
    JsonNode n = parent.get(field);
    if (!present(n)) {
      return dflt;
    }
    if (!n.isBoolean()) {
      throw ApiError.badRequest(path + "." + field + ": expected a boolean, got " + n);
    }
    return n.booleanValue();
  }

  static String stringField(JsonNode parent, String field, String path, String dflt) {
    JsonNode n = parent.get(field);
    if (!present(n)) {
      return dflt;
    }
    if (!n.isTextual()) {
      throw ApiError.badRequest(path + "." + field + ": expected a string, got " + n);
    }
    return n.textValue();
  }

  static Float floatField(JsonNode parent, String field, String path) {
    JsonNode n = parent.get(field);
    if (!present(n)) {
      return null;
    }
    if (!n.isNumber()) {
      throw ApiError.badRequest(path + "." + field + ": expected a number, got " + n);
    }
    return n.floatValue();
  }

  /**
   * The error for a body that is not JSON because it holds NaN or Infinity (JSON has no such numbers): the path of the
   * first one and what to send instead; null when the body fails to parse for another reason.
   */
  static String nonFiniteNumber(byte[] body) {
    JsonNode root;
    try {
      root = LENIENT.readTree(body);
    } catch (IOException e) {
      return null;
    }
    String path = nonFinitePath(root, "body");
    if (path == null) {
      return null;
    }
    return path + ": " + (path.contains("vector") || path.contains("query")
        ? "vectors must be finite numbers" : "numbers must be finite") + " (JSON has no NaN or Infinity)";
  }

  private static String nonFinitePath(JsonNode n, String path) {
    if (n == null) {
      return null;
    }
    if (n.isNumber()) {
      return n.isFloatingPointNumber() && !Double.isFinite(n.doubleValue()) ? path : null;
    }
    if (n.isArray()) {
      for (int i = 0; i < n.size(); i++) {
        String p = nonFinitePath(n.get(i), path + "[" + i + "]");
        if (p != null) {
          return p;
        }
      }
    } else if (n.isObject()) {
      for (var e : n.properties()) {
        String p = nonFinitePath(e.getValue(), path + "." + e.getKey());
        if (p != null) {
          return p;
        }
      }
    }
    return null;
  }

  /** A point id: an unsigned 64-bit integer or a UUID string. */
  static PointId pointId(JsonNode n, String path) {
    if (n != null && n.isIntegralNumber()) {
      BigInteger v = n.bigIntegerValue();
      if (v.signum() < 0 || v.compareTo(MAX_U64) > 0) {
        throw ApiError.badRequest(path + ": point id " + v + " is not an unsigned 64-bit integer");
      }
      return PointId.of(v.longValue());
    }
    if (n != null && n.isTextual()) {
      try {
        return new PointId.Uuid(PointId.uuid(n.textValue()));
      } catch (IllegalArgumentException e) {
        throw ApiError.badRequest(path + ": point id '" + n.textValue() + "' is not a valid UUID");
      }
    }
    throw ApiError.badRequest(path + ": a point id must be an unsigned integer or a UUID string, got " + n);
  }

  static List<PointId> pointIds(JsonNode n, String path) {
    if (n == null || !n.isArray()) {
      throw ApiError.badRequest(path + ": expected an array of point ids");
    }
    List<PointId> out = new ArrayList<>(n.size());
    for (int i = 0; i < n.size(); i++) {
      out.add(pointId(n.get(i), path + "[" + i + "]"));
    }
    return out;
  }

  static JsonNode idJson(PointId id) {
    return switch (id) {
      case PointId.Num n -> n.value() >= 0 ? NODES.numberNode(n.value())
          : NODES.numberNode(new BigInteger(Long.toUnsignedString(n.value())));
      case PointId.Uuid u -> NODES.textNode(u.value().toString());
    };
  }

  static float[] vector(JsonNode n, String path) {
    if (n == null || !n.isArray()) {
      throw ApiError.badRequest(path + ": expected an array of numbers");
    }
    float[] v = new float[n.size()];
    for (int i = 0; i < v.length; i++) {
      JsonNode x = n.get(i);
      if (!x.isNumber()) {
        throw ApiError.badRequest(path + "[" + i + "]: expected a number, got " + x);
      }
      v[i] = x.floatValue();
      if (!Float.isFinite(v[i])) {
        throw ApiError.badRequest(path + "[" + i + "]: " + x + " is out of float32 range (at most "
            + Float.MAX_VALUE + " in magnitude)");
      }
    }
    return v;
  }

  /** A point's vectors: an array (the unnamed vector) or an object of named arrays. */
  static Map<String, float[]> vectors(JsonNode n, String path) {
    Map<String, float[]> out = new LinkedHashMap<>();
    if (n != null && n.isArray()) {
      out.put(CollectionConfig.DEFAULT_VECTOR, vector(n, path));
    } else if (n != null && n.isObject()) {
      n.properties().forEach(e -> out.put(e.getKey(), vector(e.getValue(), path + "." + e.getKey())));
    } else {
      throw ApiError.badRequest(path + ": expected an array of numbers or an object of named vectors");
    }
    return out;
  }

  static ObjectNode payload(JsonNode n, String path) {
    if (!present(n)) {
      return null;
    }
    if (!n.isObject()) {
      throw ApiError.badRequest(path + ": a payload must be a JSON object");
    }
    return (ObjectNode) n;
  }

  static Filter filter(JsonNode n) {
    return present(n) ? FilterParser.parse(n) : null;
  }

  /** {@code with_payload}: a boolean, a list of keys to include, or {include|exclude: [keys]}. */
  static PayloadSelector payloadSelector(JsonNode n, String path, PayloadSelector dflt) {
    if (!present(n)) {
      return dflt;
    }
    if (n.isBoolean()) {
      return n.booleanValue() ? PayloadSelector.ALL : PayloadSelector.NONE;
    }
    if (n.isArray()) {
      return PayloadSelector.include(strings(n, path));
    }
    if (n.isObject()) {
      onlyFields(n, path, "include", "exclude");
      if (n.has("include")) {
        return PayloadSelector.include(strings(n.get("include"), path + ".include"));
      }
      if (n.has("exclude")) {
        return PayloadSelector.exclude(strings(n.get("exclude"), path + ".exclude"));
      }
    }
    throw ApiError.badRequest(path + ": expected a boolean, a list of keys or {include|exclude: [keys]}");
  }

  /** {@code with_vector}: a boolean or a list of vector names; null means none, empty means all. */
  static Set<String> vectorSelector(JsonNode n, String path, boolean dflt) {
    if (!present(n)) {
      return dflt ? Set.of() : null;
    }
    if (n.isBoolean()) {
      return n.booleanValue() ? Set.of() : null;
    }
    if (n.isArray()) {
      List<String> names = strings(n, path);
      return names.isEmpty() ? null : Set.copyOf(names);
    }
    throw ApiError.badRequest(path + ": expected a boolean or a list of vector names");
  }

  static List<String> strings(JsonNode n, String path) {
    if (n == null || !n.isArray()) {
      throw ApiError.badRequest(path + ": expected an array of strings");
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n.size(); i++) {
      if (!n.get(i).isTextual()) {
        throw ApiError.badRequest(path + "[" + i + "]: expected a string");
      }
      out.add(n.get(i).textValue());
    }
    return out;
  }

  /** Vectors as Qdrant returns them: the unnamed one as an array, named ones as an object. */
  static JsonNode vectorsJson(Map<String, float[]> vectors) {
    if (vectors == null) {
      return NODES.nullNode();
    }
    if (vectors.size() == 1 && vectors.containsKey(CollectionConfig.DEFAULT_VECTOR)) {
      return floats(vectors.get(CollectionConfig.DEFAULT_VECTOR));
    }
    ObjectNode o = NODES.objectNode();
    vectors.forEach((k, v) -> o.set(k, floats(v)));
    return o;
  }

  static ArrayNode floats(float[] v) {
    ArrayNode a = NODES.arrayNode(v.length);
    for (float x : v) {
      a.add(x);
    }
    return a;
  }

  /** A point's payload as Qdrant returns it: null when not asked for, {} when asked for but the point has none. */
  static JsonNode payloadJson(ObjectNode payload, PayloadSelector asked) {
    if (asked instanceof PayloadSelector.None) {
      return NODES.nullNode();
    }
    return payload == null ? NODES.objectNode() : payload;
  }

  /** A retrieved point: {@code {id, payload, vector}}. */
  static ObjectNode recordJson(PointRecord r, PayloadSelector asked) {
    ObjectNode o = NODES.objectNode();
    o.set("id", idJson(r.id()));
    o.set("payload", payloadJson(r.payload(), asked));
    o.set("vector", SparseJson.vectorsJson(r.vectors(), r.sparseVectors()));
    return o;
  }

  /** {@link #recordJson(PointRecord, PayloadSelector)} with multi-vectors as lists of vectors. */
  static ObjectNode recordJson(PointRecord r, PayloadSelector asked, CollectionConfig config) {
    return MultiVectorJson.reshape(recordJson(r, asked), config);
  }

  /** {@link #scoredJson(ScoredPoint, PayloadSelector)} with multi-vectors as lists of vectors. */
  static ObjectNode scoredJson(ScoredPoint p, PayloadSelector asked, CollectionConfig config) {
    return MultiVectorJson.reshape(scoredJson(p, asked), config);
  }

  /** A search hit: {@code {id, version, score, payload, vector}}. */
  static ObjectNode scoredJson(ScoredPoint p, PayloadSelector asked) {
    ObjectNode o = NODES.objectNode();
    o.set("id", idJson(p.id()));
    o.put("version", 0);
    o.put("score", p.score());
    o.set("payload", payloadJson(p.payload(), asked));
    o.set("vector", SparseJson.vectorsJson(p.vectors(), p.sparseVectors()));
    return o;
  }
}
