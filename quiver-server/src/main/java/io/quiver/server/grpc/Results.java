package io.quiver.server.grpc;

import com.fasterxml.jackson.databind.JsonNode;
import io.qdrant.client.grpc.Points.OrderValue;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.qdrant.client.grpc.Points.UpdateResult;
import io.qdrant.client.grpc.Points.UpdateStatus;
import io.qdrant.client.grpc.Points.VectorsOutput;
import java.util.ArrayList;
import java.util.List;

/** The REST API's JSON answers (points, hits, update results) as Qdrant's protobuf messages. */
final class Results {
  private Results() {}

  static ScoredPoint scored(JsonNode p) {
    ScoredPoint.Builder b = ScoredPoint.newBuilder()
        .setId(Values.pointId(p.get("id")))
        .setScore(p.path("score").floatValue())
        .setVersion(p.path("version").asLong(0));
    b.putAllPayload(Values.payload(p.get("payload")));
    VectorsOutput v = VectorCodec.output(p.get("vector"));
    if (v != null) {
      b.setVectors(v);
    }
    JsonNode order = p.get("order_value");
    if (order != null && order.isNumber()) {
      b.setOrderValue(orderValue(order));
    }
    return b.build();
  }

  static List<ScoredPoint> scoredList(JsonNode points) {
    List<ScoredPoint> out = new ArrayList<>(points.size());
    points.forEach(p -> out.add(scored(p)));
    return out;
  }

  static RetrievedPoint retrieved(JsonNode p) {
    RetrievedPoint.Builder b = RetrievedPoint.newBuilder().setId(Values.pointId(p.get("id")));
    b.putAllPayload(Values.payload(p.get("payload")));
    VectorsOutput v = VectorCodec.output(p.get("vector"));
    if (v != null) {
      b.setVectors(v);
    }
    JsonNode order = p.get("order_value");
    if (order != null && order.isNumber()) {
      b.setOrderValue(orderValue(order));
    }
    return b.build();
  }

  static List<RetrievedPoint> retrievedList(JsonNode points) {
    List<RetrievedPoint> out = new ArrayList<>(points.size());
    points.forEach(p -> out.add(retrieved(p)));
    return out;
  }

  private static OrderValue orderValue(JsonNode n) {
    return n.isIntegralNumber() ? OrderValue.newBuilder().setInt(n.longValue()).build()
        : OrderValue.newBuilder().setFloat(n.doubleValue()).build();
  }

  /** {@code {operation_id, status: completed|acknowledged}}. */
  static UpdateResult update(JsonNode r) {
    return UpdateResult.newBuilder()
        .setOperationId(r.path("operation_id").asLong())
        .setStatus("completed".equals(r.path("status").asText()) ? UpdateStatus.Completed : UpdateStatus.Acknowledged)
        .build();
  }
}
