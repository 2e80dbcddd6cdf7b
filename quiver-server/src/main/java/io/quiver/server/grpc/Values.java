package io.quiver.server.grpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.JsonWithInt.ListValue;
import io.qdrant.client.grpc.JsonWithInt.NullValue;
import io.qdrant.client.grpc.JsonWithInt.Struct;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.grpc.Status;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/** Qdrant's protobuf JSON values ({@code Value}, {@code Struct}) and point ids, to and from the REST API's JSON. */
final class Values {
  static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private Values() {}

  static JsonNode json(Value v) {
    return switch (v.getKindCase()) {
      case NULL_VALUE, KIND_NOT_SET -> NODES.nullNode();
      case DOUBLE_VALUE -> NODES.numberNode(v.getDoubleValue());
      case INTEGER_VALUE -> NODES.numberNode(v.getIntegerValue());
      case STRING_VALUE -> NODES.textNode(v.getStringValue());
      case BOOL_VALUE -> NODES.booleanNode(v.getBoolValue());
      case STRUCT_VALUE -> json(v.getStructValue().getFieldsMap());
      case LIST_VALUE -> {
        ArrayNode a = NODES.arrayNode(v.getListValue().getValuesCount());
        v.getListValue().getValuesList().forEach(x -> a.add(json(x)));
        yield a;
      }
    };
  }

  /** A payload map as a JSON object, in the map's order. */
  static ObjectNode json(Map<String, Value> fields) {
    ObjectNode o = NODES.objectNode();
    fields.forEach((k, x) -> o.set(k, json(x)));
    return o;
  }

  static Value value(JsonNode n) {
    Value.Builder b = Value.newBuilder();
    if (n == null || n.isNull() || n.isMissingNode()) {
      return b.setNullValue(NullValue.NULL_VALUE).build();
    }
    if (n.isBoolean()) {
      return b.setBoolValue(n.booleanValue()).build();
    }
    if (n.isIntegralNumber() && n.canConvertToLong()) {
      return b.setIntegerValue(n.longValue()).build();
    }
    if (n.isNumber()) {
      return b.setDoubleValue(n.doubleValue()).build();
    }
    if (n.isTextual()) {
      return b.setStringValue(n.textValue()).build();
    }
    if (n.isArray()) {
      ListValue.Builder l = ListValue.newBuilder();
      n.forEach(x -> l.addValues(value(x)));
      return b.setListValue(l).build();
    }
    if (n.isObject()) {
      Struct.Builder s = Struct.newBuilder();
      n.properties().forEach(e -> s.putFields(e.getKey(), value(e.getValue())));
      return b.setStructValue(s).build();
    }
    return b.setStringValue(n.asText()).build();
  }

  /** The fields of the JSON object {@code payload} (null or not an object: none). */
  static Map<String, Value> payload(JsonNode payload) {
    Map<String, Value> out = new java.util.LinkedHashMap<>();
    if (payload != null && payload.isObject()) {
      payload.properties().forEach(e -> out.put(e.getKey(), value(e.getValue())));
    }
    return out;
  }

  static JsonNode id(PointId id) {
    return switch (id.getPointIdOptionsCase()) {
      case NUM -> id.getNum() >= 0 ? NODES.numberNode(id.getNum())
          : NODES.numberNode(new BigInteger(Long.toUnsignedString(id.getNum())));
      case UUID -> NODES.textNode(id.getUuid());
      case POINTIDOPTIONS_NOT_SET -> throw Status.INVALID_ARGUMENT
          .withDescription("Bad request: a point id needs num or uuid").asRuntimeException();
    };
  }

  static ArrayNode ids(List<PointId> ids) {
    ArrayNode a = NODES.arrayNode(ids.size());
    ids.forEach(i -> a.add(id(i)));
    return a;
  }

  static PointId pointId(JsonNode n) {
    if (n.isIntegralNumber()) {
      return PointId.newBuilder().setNum(n.bigIntegerValue().longValue()).build();
    }
    return PointId.newBuilder().setUuid(n.asText()).build();
  }
}
