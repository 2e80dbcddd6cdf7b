package io.quiver.cli.load;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.qdrant.client.grpc.Common.Condition;
import io.qdrant.client.grpc.Common.FieldCondition;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.Match;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.DenseVector;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.PointsOperationResponse;
import io.qdrant.client.grpc.Points.Query;
import io.qdrant.client.grpc.Points.QueryPoints;
import io.qdrant.client.grpc.Points.QueryResponse;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.qdrant.client.grpc.Points.SearchParams;
import io.qdrant.client.grpc.Points.UpdateStatus;
import io.qdrant.client.grpc.Points.UpsertPoints;
import io.qdrant.client.grpc.Points.Vector;
import io.qdrant.client.grpc.Points.VectorInput;
import io.qdrant.client.grpc.Points.Vectors;
import io.qdrant.client.grpc.PointsGrpc;
import io.qdrant.client.grpc.QdrantGrpc;
import io.qdrant.client.grpc.QdrantOuterClass.HealthCheckRequest;
import java.util.concurrent.TimeUnit;

/**
 * The scenarios' requests over Qdrant's gRPC API, the same as {@link RestWorkload}'s: {@code Points/Query} with the
 * same vectors, limit, {@code hnsw_ef} and filter (prepared messages), {@code Qdrant/HealthCheck} for ping, and
 * {@code Points/Upsert} batches with {@code wait = true} made when they are sent. Blocking stubs: each call runs
 * on its worker's thread.
 */
final class GrpcWorkload implements Workload {
  static final Filter FILTER = Filter.newBuilder().addMust(Condition.newBuilder().setField(FieldCondition.newBuilder()
      .setKey("group").setMatch(Match.newBuilder().setKeyword("g3")))).build();

  private static final long TIMEOUT_S = 120;

  /** One request on a channel; answers the reply. */
  @FunctionalInterface
  private interface Call {
    Reply call(ManagedChannel channel, int q, boolean exact, boolean wantIds);
  }

  private final GrpcChannels channels;
  private final int size;
  private final Call call;

  private GrpcWorkload(GrpcChannels channels, int size, Call call) {
    this.channels = channels;
    this.size = size;
    this.call = call;
  }

  static GrpcWorkload search(GrpcChannels channels, String collection, LoadSettings s, float[][] pool,
      boolean filtered) {
    QueryPoints[] prepared = new QueryPoints[pool.length];
    for (int q = 0; q < pool.length; q++) {
      prepared[q] = query(collection, pool[q], s, filtered, false);
    }
    return new GrpcWorkload(channels, pool.length, (ch, q, exact, wantIds) -> {
      QueryResponse r = points(ch)
          .query(exact ? query(collection, pool[q], s, filtered, true) : prepared[q]);
      return wantIds ? Reply.ids(ids(r)) : Reply.OK;
    });
  }

  static GrpcWorkload ping(GrpcChannels channels) {
    HealthCheckRequest request = HealthCheckRequest.getDefaultInstance();
    return new GrpcWorkload(channels, 1, (ch, q, exact, wantIds) -> {
      QdrantGrpc.newBlockingStub(ch).withDeadlineAfter(TIMEOUT_S, TimeUnit.SECONDS).healthCheck(request);
      return Reply.OK;
    });
  }

  /** Batch {@code q} is points {@code q * batch ..} of {@code data}, as {@link RestWorkload#upsert}'s. */
  static GrpcWorkload upsert(GrpcChannels channels, String collection, SyntheticVectors data, int points, int batch) {
    return new GrpcWorkload(channels, (points + batch - 1) / batch, (ch, q, exact, wantIds) -> {
      PointsOperationResponse r = points(ch)
          .upsert(upsertRequest(collection, data, q * batch, Math.min(points, (q + 1) * batch)));
      return r.getResult().getStatus() == UpdateStatus.Completed ? Reply.OK
          : Reply.failed("upsert answered status " + r.getResult().getStatus() + ", not Completed");
    });
  }

  /** Points {@code from..to-1} with payload {@code {"group": "g<i % 10>", "n": i}}, wait=true. */
  static UpsertPoints upsertRequest(String collection, SyntheticVectors data, int from, int to) {
    UpsertPoints.Builder b = UpsertPoints.newBuilder().setCollectionName(collection).setWait(true);
    for (int i = from; i < to; i++) {
      b.addPoints(PointStruct.newBuilder().setId(PointId.newBuilder().setNum(i))
          .setVectors(Vectors.newBuilder().setVector(Vector.newBuilder().setDense(dense(data.point(i)))))
          .putPayload("group", Value.newBuilder().setStringValue("g" + i % 10).build())
          .putPayload("n", Value.newBuilder().setIntegerValue(i).build()));
    }
    return b.build();
  }

  private static QueryPoints query(String collection, float[] v, LoadSettings s, boolean filtered, boolean exact) {
    QueryPoints.Builder b = QueryPoints.newBuilder().setCollectionName(collection)
        .setQuery(Query.newBuilder().setNearest(VectorInput.newBuilder().setDense(dense(v))))
        .setLimit(s.limit())
        .setParams(exact ? SearchParams.newBuilder().setExact(true) : SearchParams.newBuilder().setHnswEf(s.ef()));
    if (filtered) {
      b.setFilter(FILTER);
    }
    return b.build();
  }

  /** {@code title version} from the server's Qdrant/HealthCheck: proof the gRPC port answers before any load. */
  static String hello(GrpcChannels channels) {
    ManagedChannel ch = channels.open();
    try {
      var r = QdrantGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
          .healthCheck(HealthCheckRequest.getDefaultInstance());
      return channels.target() + " (" + r.getTitle() + " " + r.getVersion() + ")";
    } catch (StatusRuntimeException e) {
      throw new IllegalStateException("gRPC at " + channels.target() + " does not answer Qdrant/HealthCheck: "
          + e.getStatus(), e);
    } finally {
      GrpcChannels.shutdown(ch);
    }
  }

  /** Each call's deadline, as the REST client's socket read timeout. */
  private static PointsGrpc.PointsBlockingStub points(ManagedChannel ch) {
    return PointsGrpc.newBlockingStub(ch).withDeadlineAfter(TIMEOUT_S, TimeUnit.SECONDS);
  }

  private static DenseVector dense(float[] v) {
    DenseVector.Builder d = DenseVector.newBuilder();
    for (float f : v) {
      d.addData(f);
    }
    return d.build();
  }

  private static long[] ids(QueryResponse r) {
    long[] ids = new long[r.getResultCount()];
    for (int i = 0; i < ids.length; i++) {
      ScoredPoint p = r.getResult(i);
      ids[i] = p.getId().hasNum() ? p.getId().getNum() : -1;
    }
    return ids;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public Connection open() {
    ManagedChannel ch = channels.open();
    return new Connection() {
      @Override
      public Reply send(int q, boolean exact, boolean wantIds) {
        try {
          return call.call(ch, q, exact, wantIds);
        } catch (StatusRuntimeException e) {
          return Reply.failed("gRPC " + e.getStatus().getCode() + ": " + abbreviated(e.getStatus().getDescription()));
        }
      }

      @Override
      public void close() {
        GrpcChannels.shutdown(ch);
      }
    };
  }

  private static String abbreviated(String s) {
    return s == null || s.length() <= 300 ? s : s.substring(0, 300) + "...";
  }
}
