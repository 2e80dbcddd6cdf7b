package io.quiver.server.grpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qdrant.client.grpc.Points.BatchResult;
import io.qdrant.client.grpc.Points.FacetHit;
import io.qdrant.client.grpc.Points.FacetValue;
import io.qdrant.client.grpc.Points.GroupId;
import io.qdrant.client.grpc.Points.GroupsResult;
import io.qdrant.client.grpc.Points.PointGroup;
import io.qdrant.client.grpc.Points.SearchMatrixOffsets;
import io.qdrant.client.grpc.Points.SearchMatrixPair;
import io.qdrant.client.grpc.Points.SearchMatrixPairs;
import java.util.List;

/** Answers of the recommend, discover, groups, facet and matrix RPCs, from the REST API's JSON. */
final class MoreResults {
  private MoreResults() {}

  static List<BatchResult> batches(JsonNode res) {
    return java.util.stream.StreamSupport.stream(res.spliterator(), false)
        .map(one -> BatchResult.newBuilder().addAllResult(Results.scoredList(one)).build()).toList();
  }

  static GroupsResult groups(JsonNode res) {
    GroupsResult.Builder b = GroupsResult.newBuilder();
    for (JsonNode g : res.path("groups")) {
      PointGroup.Builder pg = PointGroup.newBuilder().setId(groupId(g.get("id")))
          .addAllHits(Results.scoredList(g.path("hits")));
      if (g.hasNonNull("lookup")) {
        pg.setLookup(Results.retrieved(g.get("lookup")));
      }
      b.addGroups(pg);
    }
    return b.build();
  }

  private static GroupId groupId(JsonNode id) {
    if (id.isIntegralNumber()) {
      return id.canConvertToLong() && id.longValue() < 0 ? GroupId.newBuilder().setIntegerValue(id.longValue()).build()
          : GroupId.newBuilder().setUnsignedValue(id.bigIntegerValue().longValue()).build();
    }
    return GroupId.newBuilder().setStringValue(id.asText()).build();
  }

  static List<FacetHit> facet(JsonNode res) {
    return java.util.stream.StreamSupport.stream(res.path("hits").spliterator(), false).map(h -> {
      JsonNode v = h.get("value");
      FacetValue.Builder fv = FacetValue.newBuilder();
      if (v.isBoolean()) {
        fv.setBoolValue(v.booleanValue());
      } else if (v.isIntegralNumber()) {
        fv.setIntegerValue(v.longValue());
      } else {
        fv.setStringValue(v.asText());
      }
      return FacetHit.newBuilder().setValue(fv).setCount(h.path("count").asLong()).build();
    }).toList();
  }

  static SearchMatrixPairs pairs(JsonNode res) {
    SearchMatrixPairs.Builder b = SearchMatrixPairs.newBuilder();
    for (JsonNode p : res.path("pairs")) {
      b.addPairs(SearchMatrixPair.newBuilder().setA(Values.pointId(p.get("a"))).setB(Values.pointId(p.get("b")))
          .setScore(p.path("score").floatValue()));
    }
    return b.build();
  }

  static SearchMatrixOffsets offsets(JsonNode res) {
    SearchMatrixOffsets.Builder b = SearchMatrixOffsets.newBuilder();
    res.path("offsets_row").forEach(x -> b.addOffsetsRow(x.asLong()));
    res.path("offsets_col").forEach(x -> b.addOffsetsCol(x.asLong()));
    res.path("scores").forEach(x -> b.addScores(x.floatValue()));
    res.path("ids").forEach(x -> b.addIds(Values.pointId(x)));
    return b.build();
  }

  /** {@code {"searches": [bodies]}}. */
  static ObjectNode batchBody(List<ObjectNode> bodies) {
    ObjectNode b = Rpc.body();
    ArrayNode a = b.putArray("searches");
    bodies.forEach(a::add);
    return b;
  }
}
