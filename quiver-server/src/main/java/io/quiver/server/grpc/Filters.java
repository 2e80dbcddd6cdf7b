package io.quiver.server.grpc;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Timestamp;
import io.grpc.Status;
import io.qdrant.client.grpc.Common.Condition;
import io.qdrant.client.grpc.Common.DatetimeRange;
import io.qdrant.client.grpc.Common.FieldCondition;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.GeoLineString;
import io.qdrant.client.grpc.Common.GeoPoint;
import io.qdrant.client.grpc.Common.Match;
import io.qdrant.client.grpc.Common.Range;
import io.qdrant.client.grpc.Common.ValuesCount;
import java.time.Instant;
import java.util.List;

/**
 * Qdrant's protobuf {@code Filter} as the REST API's JSON filter, which the shared request code parses and checks:
 * must / should / must_not / min_should, field conditions (match keyword, integer, bool, text, text_any, phrase,
 * any and except lists; ranges of numbers and datetimes; values count; geo), is_empty, is_null, has_id, has_vector,
 * nested and inner filters.
 */
final class Filters {
  private Filters() {}

  static ObjectNode json(Filter f) {
    ObjectNode o = Values.NODES.objectNode();
    if (f.getMustCount() > 0) {
      o.set("must", conditions(f.getMustList()));
    }
    if (f.getShouldCount() > 0) {
      o.set("should", conditions(f.getShouldList()));
    }
    if (f.getMustNotCount() > 0) {
      o.set("must_not", conditions(f.getMustNotList()));
    }
    if (f.hasMinShould()) {
      ObjectNode m = o.putObject("min_should");
      m.set("conditions", conditions(f.getMinShould().getConditionsList()));
      m.put("min_count", f.getMinShould().getMinCount());
    }
    return o;
  }

  private static ArrayNode conditions(List<Condition> cs) {
    ArrayNode a = Values.NODES.arrayNode(cs.size());
    cs.forEach(c -> a.add(condition(c)));
    return a;
  }

  private static ObjectNode condition(Condition c) {
    ObjectNode o = Values.NODES.objectNode();
    switch (c.getConditionOneOfCase()) {
      case FIELD -> {
        return field(c.getField());
      }
      case IS_EMPTY -> o.putObject("is_empty").put("key", c.getIsEmpty().getKey());
      case IS_NULL -> o.putObject("is_null").put("key", c.getIsNull().getKey());
      case HAS_ID -> o.set("has_id", Values.ids(c.getHasId().getHasIdList()));
      case FILTER -> {
        return json(c.getFilter());
      }
      case NESTED -> {
        ObjectNode n = o.putObject("nested");
        n.put("key", c.getNested().getKey());
        n.set("filter", json(c.getNested().getFilter()));
      }
      case HAS_VECTOR -> o.put("has_vector", c.getHasVector().getHasVector());
      case CONDITIONONEOF_NOT_SET -> throw invalid("a filter condition is empty");
    }
    return o;
  }

  private static ObjectNode field(FieldCondition f) {
    String key = f.getKey();
    if (f.hasIsEmpty() || f.hasIsNull()) { // FieldCondition's own flags: the REST is_empty / is_null conditions
      String kind = f.hasIsEmpty() ? "is_empty" : "is_null";
      boolean want = f.hasIsEmpty() ? f.getIsEmpty() : f.getIsNull();
      ObjectNode c = Values.NODES.objectNode();
      c.putObject(kind).put("key", key);
      if (want) {
        return c;
      }
      ObjectNode not = Values.NODES.objectNode();
      not.putArray("must_not").add(c);
      return not;
    }
    ObjectNode o = Values.NODES.objectNode();
    o.put("key", key);
    int given = 0;
    if (f.hasMatch()) {
      o.set("match", match(f.getMatch()));
      given++;
    }
    if (f.hasRange()) {
      Range r = f.getRange();
      ObjectNode n = o.putObject("range");
      if (r.hasLt()) n.put("lt", r.getLt());
      if (r.hasGt()) n.put("gt", r.getGt());
      if (r.hasGte()) n.put("gte", r.getGte());
      if (r.hasLte()) n.put("lte", r.getLte());
      given++;
    }
    if (f.hasDatetimeRange()) {
      DatetimeRange r = f.getDatetimeRange();
      ObjectNode n = o.putObject("range");
      if (r.hasLt()) n.put("lt", time(r.getLt()));
      if (r.hasGt()) n.put("gt", time(r.getGt()));
      if (r.hasGte()) n.put("gte", time(r.getGte()));
      if (r.hasLte()) n.put("lte", time(r.getLte()));
      given++;
    }
    if (f.hasValuesCount()) {
      ValuesCount r = f.getValuesCount();
      ObjectNode n = o.putObject("values_count");
      if (r.hasLt()) n.put("lt", r.getLt());
      if (r.hasGt()) n.put("gt", r.getGt());
      if (r.hasGte()) n.put("gte", r.getGte());
      if (r.hasLte()) n.put("lte", r.getLte());
      given++;
    }
    if (f.hasGeoBoundingBox()) {
      ObjectNode n = o.putObject("geo_bounding_box");
      n.set("top_left", geo(f.getGeoBoundingBox().getTopLeft()));
      n.set("bottom_right", geo(f.getGeoBoundingBox().getBottomRight()));
      given++;
    }
    if (f.hasGeoRadius()) {
      ObjectNode n = o.putObject("geo_radius");
      n.set("center", geo(f.getGeoRadius().getCenter()));
      n.put("radius", f.getGeoRadius().getRadius());
      given++;
    }
    if (f.hasGeoPolygon()) {
      ObjectNode n = o.putObject("geo_polygon");
      n.set("exterior", line(f.getGeoPolygon().getExterior()));
      ArrayNode interiors = n.putArray("interiors");
      f.getGeoPolygon().getInteriorsList().forEach(l -> interiors.add(line(l)));
      given++;
    }
    if (given == 0) {
      throw invalid("the field condition on `" + key + "` has no match, range or other test");
    }
    return o;
  }

  private static ObjectNode match(Match m) {
    ObjectNode o = Values.NODES.objectNode();
    switch (m.getMatchValueCase()) {
      case KEYWORD -> o.put("value", m.getKeyword());
      case INTEGER -> o.put("value", m.getInteger());
      case BOOLEAN -> o.put("value", m.getBoolean());
      case TEXT -> o.put("text", m.getText());
      case KEYWORDS -> m.getKeywords().getStringsList().forEach(o.putArray("any")::add);
      case INTEGERS -> m.getIntegers().getIntegersList().forEach(o.putArray("any")::add);
      case EXCEPT_INTEGERS -> m.getExceptIntegers().getIntegersList().forEach(o.putArray("except")::add);
      case EXCEPT_KEYWORDS -> m.getExceptKeywords().getStringsList().forEach(o.putArray("except")::add);
      case PHRASE -> o.put("phrase", m.getPhrase());
      case TEXT_ANY -> o.put("text_any", m.getTextAny());
      case MATCHVALUE_NOT_SET -> throw invalid("a match condition has no value");
    }
    return o;
  }

  private static ObjectNode geo(GeoPoint p) {
    return Values.NODES.objectNode().put("lon", p.getLon()).put("lat", p.getLat());
  }

  private static ObjectNode line(GeoLineString l) {
    ObjectNode o = Values.NODES.objectNode();
    ArrayNode points = o.putArray("points");
    l.getPointsList().forEach(p -> points.add(geo(p)));
    return o;
  }

  private static String time(Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos()).toString();
  }

  static RuntimeException invalid(String message) {
    return Status.INVALID_ARGUMENT.withDescription("Bad request: " + message).asRuntimeException();
  }
}
