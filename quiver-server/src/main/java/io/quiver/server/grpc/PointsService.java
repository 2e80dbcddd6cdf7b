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
import io.qdrant.client.grpc.Points.DiscoverBatchPoints;
import io.qdrant.client.grpc.Points.DiscoverBatchResponse;
import io.qdrant.client.grpc.Points.DiscoverPoints;
import io.qdrant.client.grpc.Points.DiscoverResponse;
import io.qdrant.client.grpc.Points.FacetCounts;
import io.qdrant.client.grpc.Points.FacetResponse;
import io.qdrant.client.grpc.Points.QueryGroupsResponse;
import io.qdrant.client.grpc.Points.QueryPointGroups;
import io.qdrant.client.grpc.Points.RecommendBatchPoints;
import io.qdrant.client.grpc.Points.RecommendBatchResponse;
import io.qdrant.client.grpc.Points.RecommendGroupsResponse;
import io.qdrant.client.grpc.Points.RecommendPointGroups;
import io.qdrant.client.grpc.Points.RecommendPoints;
import io.qdrant.client.grpc.Points.RecommendResponse;
import io.qdrant.client.grpc.Points.SearchGroupsResponse;
import io.qdrant.client.grpc.Points.SearchMatrixOffsetsResponse;
import io.qdrant.client.grpc.Points.SearchMatrixPairsResponse;
import io.qdrant.client.grpc.Points.SearchMatrixPoints;
import io.qdrant.client.grpc.Points.SearchPointGroups;
import io.qdrant.client.grpc.Points.UpdateBatchPoints;
import io.qdrant.client.grpc.Points.UpdateBatchResponse;
import io.qdrant.client.grpc.Points.CreateVectorNameRequest;
import io.qdrant.client.grpc.Points.DeleteVectorNameRequest;
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

  @Override
  public void updateBatch(UpdateBatchPoints r, StreamObserver<UpdateBatchResponse> out) {
    Rpc.answer(out, "UpdateBatch", start -> {
      JsonNode res = rpc.write(Operation.UPDATE_BATCH, r.getCollectionName(), WriteRequests.batch(r), r.getWait());
      UpdateBatchResponse.Builder b = UpdateBatchResponse.newBuilder();
      res.forEach(one -> b.addResult(Results.update(one)));
      return b.setTime(Rpc.seconds(start)).build();
    });
  }

  /**
   * A sparse field is declared at once; a dense one on an existing collection is refused as over REST (UNIMPLEMENTED).
   */
  @Override
  public void createVectorName(CreateVectorNameRequest r, StreamObserver<PointsOperationResponse> out) {
    Rpc.answer(out, "CreateVectorName", start -> {
      ObjectNode b = Rpc.body();
      switch (r.getVectorConfigCase()) {
        case DENSE_CONFIG -> b.putObject("dense").put("size", r.getDenseConfig().getSize());
        case SPARSE_CONFIG -> {
          ObjectNode sparse = b.putObject("sparse");
          if (r.getSparseConfig().hasModifier()) {
            sparse.put("modifier", r.getSparseConfig().getModifier()
                == io.qdrant.client.grpc.Collections.Modifier.Idf ? "idf" : "none");
          }
        }
        case VECTORCONFIG_NOT_SET -> throw Filters.invalid("vector_config: dense_config or sparse_config required");
      }
      JsonNode res = rpc.run(Operation.CREATE_VECTOR, r.getCollectionName(), b, 0,
          Map.of("vector", r.getVectorName(), "wait", String.valueOf(r.getWait())));
      return PointsOperationResponse.newBuilder().setResult(Results.update(res)).setTime(Rpc.seconds(start)).build();
    });
  }

  @Override
  public void deleteVectorName(DeleteVectorNameRequest r, StreamObserver<PointsOperationResponse> out) {
    Rpc.answer(out, "DeleteVectorName", start -> {
      throw Rpc.unimplemented("deleting a named vector field is not supported");
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

  // ------------------------------------------------------------------ recommend, discover, groups, facet, matrix

  @Override
  public void recommend(RecommendPoints r, StreamObserver<RecommendResponse> out) {
    Rpc.answer(out, "Recommend", start -> {
      JsonNode res = rpc.run(Operation.RECOMMEND, r.getCollectionName(), MoreReadRequests.recommend(r),
          r.getTimeout());
      return RecommendResponse.newBuilder().addAllResult(Results.scoredList(res)).setTime(Rpc.seconds(start)).build();
    });
  }

  @Override
  public void recommendBatch(RecommendBatchPoints r, StreamObserver<RecommendBatchResponse> out) {
    Rpc.answer(out, "RecommendBatch", start -> {
      JsonNode res = rpc.run(Operation.RECOMMEND_BATCH, r.getCollectionName(), MoreResults.batchBody(
          r.getRecommendPointsList().stream().map(MoreReadRequests::recommend).toList()), r.getTimeout());
      return RecommendBatchResponse.newBuilder().addAllResult(MoreResults.batches(res)).setTime(Rpc.seconds(start))
          .build();
    });
  }

  @Override
  public void discover(DiscoverPoints r, StreamObserver<DiscoverResponse> out) {
    Rpc.answer(out, "Discover", start -> {
      JsonNode res = rpc.run(Operation.DISCOVER, r.getCollectionName(), MoreReadRequests.discover(r), r.getTimeout());
      return DiscoverResponse.newBuilder().addAllResult(Results.scoredList(res)).setTime(Rpc.seconds(start)).build();
    });
  }

  @Override
  public void discoverBatch(DiscoverBatchPoints r, StreamObserver<DiscoverBatchResponse> out) {
    Rpc.answer(out, "DiscoverBatch", start -> {
      JsonNode res = rpc.run(Operation.DISCOVER_BATCH, r.getCollectionName(), MoreResults.batchBody(
          r.getDiscoverPointsList().stream().map(MoreReadRequests::discover).toList()), r.getTimeout());
      return DiscoverBatchResponse.newBuilder().addAllResult(MoreResults.batches(res)).setTime(Rpc.seconds(start))
          .build();
    });
  }

  @Override
  public void searchGroups(SearchPointGroups r, StreamObserver<SearchGroupsResponse> out) {
    Rpc.answer(out, "SearchGroups", start -> {
      JsonNode res = rpc.run(Operation.SEARCH_GROUPS, r.getCollectionName(), MoreReadRequests.searchGroups(r),
          r.getTimeout());
      return SearchGroupsResponse.newBuilder().setResult(MoreResults.groups(res)).setTime(Rpc.seconds(start)).build();
    });
  }

  @Override
  public void queryGroups(QueryPointGroups r, StreamObserver<QueryGroupsResponse> out) {
    Rpc.answer(out, "QueryGroups", start -> {
      JsonNode res = rpc.run(Operation.QUERY_GROUPS, r.getCollectionName(), MoreReadRequests.queryGroups(r),
          r.getTimeout());
      return QueryGroupsResponse.newBuilder().setResult(MoreResults.groups(res)).setTime(Rpc.seconds(start)).build();
    });
  }

  @Override
  public void recommendGroups(RecommendPointGroups r, StreamObserver<RecommendGroupsResponse> out) {
    Rpc.answer(out, "RecommendGroups", start -> {
      JsonNode res = rpc.run(Operation.RECOMMEND_GROUPS, r.getCollectionName(), MoreReadRequests.recommendGroups(r),
          r.getTimeout());
      return RecommendGroupsResponse.newBuilder().setResult(MoreResults.groups(res)).setTime(Rpc.seconds(start))
          .build();
    });
  }

  @Override
  public void facet(FacetCounts r, StreamObserver<FacetResponse> out) {
    Rpc.answer(out, "Facet", start -> {
      JsonNode res = rpc.run(Operation.FACET, r.getCollectionName(), MoreReadRequests.facet(r), r.getTimeout());
      return FacetResponse.newBuilder().addAllHits(MoreResults.facet(res)).setTime(Rpc.seconds(start)).build();
    });
  }

  @Override
  public void searchMatrixPairs(SearchMatrixPoints r, StreamObserver<SearchMatrixPairsResponse> out) {
    Rpc.answer(out, "SearchMatrixPairs", start -> {
      JsonNode res = rpc.run(Operation.MATRIX_PAIRS, r.getCollectionName(), MoreReadRequests.matrix(r),
          r.getTimeout());
      return SearchMatrixPairsResponse.newBuilder().setResult(MoreResults.pairs(res)).setTime(Rpc.seconds(start))
          .build();
    });
  }

  @Override
  public void searchMatrixOffsets(SearchMatrixPoints r, StreamObserver<SearchMatrixOffsetsResponse> out) {
    Rpc.answer(out, "SearchMatrixOffsets", start -> {
      JsonNode res = rpc.run(Operation.MATRIX_OFFSETS, r.getCollectionName(), MoreReadRequests.matrix(r),
          r.getTimeout());
      return SearchMatrixOffsetsResponse.newBuilder().setResult(MoreResults.offsets(res))
          .setTime(Rpc.seconds(start)).build();
    });
  }
}
