package io.quiver.server.grpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.stub.StreamObserver;
import io.qdrant.client.grpc.Points.BatchResult;
import io.qdrant.client.grpc.Points.ClearPayloadPoints;
import io.qdrant.client.grpc.Points.CountPoints;
import io.qdrant.client.grpc.Points.CountResponse;
import io.qdrant.client.grpc.Points.CountResult;
import io.qdrant.client.grpc.Points.CreateFieldIndexCollection;
import io.qdrant.client.grpc.Points.DeleteFieldIndexCollection;
import io.qdrant.client.grpc.Points.DeletePayloadPoints;
import io.qdrant.client.grpc.Points.DeletePointVectors;
import io.qdrant.client.grpc.Points.DeletePoints;
import io.qdrant.client.grpc.Points.GetPoints;
import io.qdrant.client.grpc.Points.GetResponse;
import io.qdrant.client.grpc.Points.PointsOperationResponse;
import io.qdrant.client.grpc.Points.QueryBatchPoints;
import io.qdrant.client.grpc.Points.QueryBatchResponse;
import io.qdrant.client.grpc.Points.QueryPoints;
import io.qdrant.client.grpc.Points.QueryResponse;
import io.qdrant.client.grpc.Points.ScrollPoints;
import io.qdrant.client.grpc.Points.ScrollResponse;
import io.qdrant.client.grpc.Points.SearchBatchPoints;
import io.qdrant.client.grpc.Points.SearchBatchResponse;
import io.qdrant.client.grpc.Points.SearchPoints;
import io.qdrant.client.grpc.Points.SearchResponse;
import io.qdrant.client.grpc.Points.SetPayloadPoints;
import io.qdrant.client.grpc.Points.UpdatePointVectors;
import io.qdrant.client.grpc.Points.UpsertPoints;
import io.qdrant.client.grpc.PointsGrpc;
import io.quiver.server.JsonApi.Operation;
import java.util.Map;

/**
 * {@code qdrant.Points}: point reads and writes through the shared operations. RPCs Quiver does not implement answer
 * UNIMPLEMENTED (the generated base class's answer for an RPC not overridden here, or an explicit one).
 */
final class PointsService extends PointsGrpc.PointsImplBase {
  private final Rpc rpc;

  PointsService(Rpc rpc) {
    this.rpc = rpc;
  }

  // ------------------------------------------------------------------ writes

  @Override
  public void upsert(UpsertPoints r, StreamObserver<PointsOperationResponse> out) {
    write(out, "Upsert", Operation.UPSERT, r.getCollectionName(), () -> WriteRequests.upsert(r), r.getWait());
  }

  @Override
  public void delete(DeletePoints r, StreamObserver<PointsOperationResponse> out) {
    write(out, "Delete", Operation.DELETE_POINTS, r.getCollectionName(), () -> WriteRequests.delete(r), r.getWait());
  }

  @Override
  public void updateVectors(UpdatePointVectors r, StreamObserver<PointsOperationResponse> out) {
    write(out, "UpdateVectors", Operation.UPDATE_VECTORS, r.getCollectionName(),
        () -> WriteRequests.updateVectors(r), r.getWait());
  }

  @Override
  public void deleteVectors(DeletePointVectors r, StreamObserver<PointsOperationResponse> out) {
    Rpc.answer(out, "DeleteVectors", start -> {
      throw Rpc.unimplemented("deleting named vectors of points is not supported");
    });
  }

  @Override
  public void setPayload(SetPayloadPoints r, StreamObserver<PointsOperationResponse> out) {
    write(out, "SetPayload", Operation.SET_PAYLOAD, r.getCollectionName(), () -> WriteRequests.setPayload(r),
        r.getWait());
  }

  @Override
  public void overwritePayload(SetPayloadPoints r, StreamObserver<PointsOperationResponse> out) {
    write(out, "OverwritePayload", Operation.OVERWRITE_PAYLOAD, r.getCollectionName(),
        () -> WriteRequests.setPayload(r), r.getWait());
  }

  @Override
  public void deletePayload(DeletePayloadPoints r, StreamObserver<PointsOperationResponse> out) {
    write(out, "DeletePayload", Operation.DELETE_PAYLOAD, r.getCollectionName(),
        () -> WriteRequests.deletePayload(r), r.getWait());
  }

  @Override
  public void clearPayload(ClearPayloadPoints r, StreamObserver<PointsOperationResponse> out) {
    write(out, "ClearPayload", Operation.CLEAR_PAYLOAD, r.getCollectionName(),
        () -> WriteRequests.clearPayload(r), r.getWait());
  }

  @Override
  public void createFieldIndex(CreateFieldIndexCollection r, StreamObserver<PointsOperationResponse> out) {
    write(out, "CreateFieldIndex", Operation.CREATE_INDEX, r.getCollectionName(),
        () -> WriteRequests.createIndex(r), r.getWait());
  }

  @Override
  public void deleteFieldIndex(DeleteFieldIndexCollection r, StreamObserver<PointsOperationResponse> out) {
    Rpc.answer(out, "DeleteFieldIndex", start -> {
      JsonNode res = rpc.run(Operation.DELETE_INDEX, r.getCollectionName(), Rpc.body(), 0,
          Map.of("field", r.getFieldName(), "wait", String.valueOf(r.getWait())));
      return PointsOperationResponse.newBuilder().setResult(Results.update(res)).setTime(Rpc.seconds(start)).build();
    });
  }

  private interface Body {
    ObjectNode get();
  }

  private void write(StreamObserver<PointsOperationResponse> out, String name, Operation op, String collection,
      Body body, boolean wait) {
    Rpc.answer(out, name, start -> {
      JsonNode res = rpc.write(op, collection, body.get(), wait);
      return PointsOperationResponse.newBuilder().setResult(Results.update(res)).setTime(Rpc.seconds(start)).build();
    });
  }

  // ------------------------------------------------------------------ reads

  @Override
  public void get(GetPoints r, StreamObserver<GetResponse> out) {
    Rpc.answer(out, "Get", start -> {
      JsonNode res = rpc.run(Operation.RETRIEVE, r.getCollectionName(), ReadRequests.get(r), r.getTimeout());
      return GetResponse.newBuilder().addAllResult(Results.retrievedList(res)).setTime(Rpc.seconds(start)).build();
    });
  }

  @Override
  public void search(SearchPoints r, StreamObserver<SearchResponse> out) {
    Rpc.answer(out, "Search", start -> {
      JsonNode res = rpc.run(Operation.SEARCH, r.getCollectionName(), ReadRequests.search(r), r.getTimeout());
      return SearchResponse.newBuilder().addAllResult(Results.scoredList(res)).setTime(Rpc.seconds(start)).build();
    });
  }

  @Override
  public void searchBatch(SearchBatchPoints r, StreamObserver<SearchBatchResponse> out) {
    Rpc.answer(out, "SearchBatch", start -> {
      ObjectNode body = Rpc.body();
      var searches = body.putArray("searches");
      for (SearchPoints s : r.getSearchPointsList()) {
        searches.add(ReadRequests.search(s));
      }
      JsonNode res = rpc.run(Operation.SEARCH_BATCH, r.getCollectionName(), body, r.getTimeout());
      SearchBatchResponse.Builder b = SearchBatchResponse.newBuilder();
      res.forEach(one -> b.addResult(BatchResult.newBuilder().addAllResult(Results.scoredList(one))));
      return b.setTime(Rpc.seconds(start)).build();
    });
  }

  @Override
  public void query(QueryPoints r, StreamObserver<QueryResponse> out) {
    Rpc.answer(out, "Query", start -> {
      JsonNode res = rpc.run(Operation.QUERY, r.getCollectionName(), ReadRequests.query(r), r.getTimeout());
      return QueryResponse.newBuilder().addAllResult(Results.scoredList(res.get("points")))
          .setTime(Rpc.seconds(start)).build();
    });
  }

  @Override
  public void queryBatch(QueryBatchPoints r, StreamObserver<QueryBatchResponse> out) {
    Rpc.answer(out, "QueryBatch", start -> {
      ObjectNode body = Rpc.body();
      var searches = body.putArray("searches");
      for (QueryPoints q : r.getQueryPointsList()) {
        searches.add(ReadRequests.query(q));
      }
      JsonNode res = rpc.run(Operation.QUERY_BATCH, r.getCollectionName(), body, r.getTimeout());
      QueryBatchResponse.Builder b = QueryBatchResponse.newBuilder();
      res.forEach(one -> b.addResult(BatchResult.newBuilder().addAllResult(Results.scoredList(one.get("points")))));
      return b.setTime(Rpc.seconds(start)).build();
    });
  }

  @Override
  public void scroll(ScrollPoints r, StreamObserver<ScrollResponse> out) {
    Rpc.answer(out, "Scroll", start -> {
      JsonNode res = rpc.run(Operation.SCROLL, r.getCollectionName(), ReadRequests.scroll(r), r.getTimeout());
      ScrollResponse.Builder b = ScrollResponse.newBuilder().addAllResult(Results.retrievedList(res.get("points")));
      JsonNode next = res.get("next_page_offset");
      if (next != null && !next.isNull()) {
        b.setNextPageOffset(Values.pointId(next));
      }
      return b.setTime(Rpc.seconds(start)).build();
    });
  }

  @Override
  public void count(CountPoints r, StreamObserver<CountResponse> out) {
    Rpc.answer(out, "Count", start -> {
      JsonNode res = rpc.run(Operation.COUNT, r.getCollectionName(), ReadRequests.count(r), r.getTimeout());
      return CountResponse.newBuilder().setResult(CountResult.newBuilder().setCount(res.path("count").asLong()))
          .setTime(Rpc.seconds(start)).build();
    });
  }
}
