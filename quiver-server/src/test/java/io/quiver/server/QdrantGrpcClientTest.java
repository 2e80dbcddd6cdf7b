package io.quiver.server;

import static io.qdrant.client.ConditionFactory.filter;
import static io.qdrant.client.ConditionFactory.match;
import static io.qdrant.client.ConditionFactory.matchExceptKeywords;
import static io.qdrant.client.ConditionFactory.matchKeyword;
import static io.qdrant.client.ConditionFactory.matchKeywords;
import static io.qdrant.client.ConditionFactory.matchText;
import static io.qdrant.client.ConditionFactory.range;
import static io.qdrant.client.PointIdFactory.id;
import static io.qdrant.client.QueryFactory.nearest;
import static io.qdrant.client.ValueFactory.value;
import static io.qdrant.client.VectorsFactory.vectors;
import static io.qdrant.client.WithPayloadSelectorFactory.enable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import io.qdrant.client.WithVectorsSelectorFactory;
import io.qdrant.client.grpc.Collections.CollectionInfo;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.PayloadSchemaType;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.Common.Range;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.QueryPoints;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.qdrant.client.grpc.Points.ScrollPoints;
import io.qdrant.client.grpc.Points.ScrollResponse;
import io.qdrant.client.grpc.Points.SearchPoints;
import io.qdrant.client.grpc.Points.UpdateStatus;
import io.qdrant.client.grpc.Points.Vector;
import io.quiver.testing.RandomizedTest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Qdrant's official Java client ({@code io.qdrant:client}) against the server's gRPC API, unchanged. */
@ExtendWith(RandomizedTest.SeedReporter.class)
class QdrantGrpcClientTest extends RandomizedTest {
  static final String KEY = "grpc-secret";
  static final String READ_KEY = "grpc-read-only";

  @TempDir Path dir;
  private ServerHarness h;
  private final List<QdrantClient> clients = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    clients.forEach(QdrantClient::close);
    if (h != null) {
      h.close();
    }
  }

  private QdrantClient start(ServerConfig.Builder b) throws Exception {
    h = new ServerHarness(dir, b.host("127.0.0.1").port(0).build());
    assertThat(h.server.grpcPort()).isPositive();
    return client(null);
  }

  private QdrantClient client(String key) {
    QdrantGrpcClient.Builder b = QdrantGrpcClient.newBuilder("127.0.0.1", h.server.grpcPort(), false);
    if (key != null) {
      b.withApiKey(key);
    }
    QdrantClient c = new QdrantClient(b.build());
    clients.add(c);
    return c;
  }

  private static <T> T get(com.google.common.util.concurrent.ListenableFuture<T> f) throws Exception {
    return f.get(30, TimeUnit.SECONDS);
  }

  private static Status.Code code(ThrowingCall call) {
    try {
      call.run();
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(StatusRuntimeException.class);
      return ((StatusRuntimeException) e.getCause()).getStatus().getCode();
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    return Status.Code.OK;
  }

  @FunctionalInterface
  interface ThrowingCall {
    void run() throws Exception;
  }

  private static VectorParams cosine(int dim) {
    return VectorParams.newBuilder().setSize(dim).setDistance(Distance.Cosine).build();
  }

  private static PointStruct point(PointId id, float[] v, Map<String, io.qdrant.client.grpc.JsonWithInt.Value> payload) {
    return PointStruct.newBuilder().setId(id).setVectors(vectors(v)).putAllPayload(payload).build();
  }

  // ------------------------------------------------------------------ collections

  @Test
  void collectionsCreateListExistsGetDelete() throws Exception {
    QdrantClient c = start(ServerConfig.builder());
    assertThat(get(c.healthCheckAsync()).getVersion()).isEqualTo(QuiverServer.QDRANT_VERSION);
    assertThat(get(c.createCollectionAsync("docs", cosine(4))).getResult()).isTrue();
    assertThat(get(c.listCollectionsAsync())).containsExactly("docs");
    assertThat(get(c.collectionExistsAsync("docs"))).isTrue();
    assertThat(get(c.collectionExistsAsync("nope"))).isFalse();
    CollectionInfo info = get(c.getCollectionInfoAsync("docs"));
    assertThat(info.getConfig().getParams().getVectorsConfig().getParams().getSize()).isEqualTo(4);
    assertThat(info.getConfig().getParams().getVectorsConfig().getParams().getDistance()).isEqualTo(Distance.Cosine);
    assertThat(info.getPointsCount()).isZero();
    // the same collection over REST
    assertThat(h.ok("GET", "/collections/docs", null).get("config").get("params").get("vectors").get("size").asInt())
        .isEqualTo(4);
    assertThat(code(() -> get(c.createCollectionAsync("docs", cosine(4))))).isEqualTo(Status.Code.ALREADY_EXISTS);
    assertThat(get(c.deleteCollectionAsync("docs")).getResult()).isTrue();
    assertThat(get(c.collectionExistsAsync("docs"))).isFalse();
    assertThat(get(c.listCollectionsAsync())).isEmpty();
  }

  // ------------------------------------------------------------------ points

  private void fill(QdrantClient c) throws Exception {
    get(c.createCollectionAsync("docs", cosine(4)));
    get(c.createPayloadIndexAsync("docs", "city", PayloadSchemaType.Keyword, null, true, null, null));
    List<PointStruct> points = List.of(
        point(id(1), new float[] {1, 0, 0, 0}, Map.of("city", value("Paris"), "n", value(1), "open", value(true),
            "text", value("the quick brown fox"))),
        point(id(2), new float[] {0.9f, 0.1f, 0, 0}, Map.of("city", value("Berlin"), "n", value(2), "open",
            value(false), "text", value("lazy dogs sleep"))),
        point(id(UUID.fromString("5c56c793-69f3-4fbf-87e6-c4bf54c28c26")), new float[] {0, 1, 0, 0},
            Map.of("city", value("Paris"), "n", value(3), "open", value(false), "text", value("a quick dog"))),
        point(id(4), new float[] {-1, 0, 0, 0}, Map.of("city", value("Rome"), "n", value(4), "open", value(true),
            "text", value("nothing here"))));
    assertThat(get(c.upsertAsync("docs", points)).getStatus()).isEqualTo(UpdateStatus.Completed);
  }

  @Test
  void upsertRetrieveWithVectorsInBothEncodings() throws Exception {
    QdrantClient c = start(ServerConfig.builder());
    fill(c);
    List<RetrievedPoint> got = get(c.retrieveAsync("docs", List.of(id(2),
        id(UUID.fromString("5c56c793-69f3-4fbf-87e6-c4bf54c28c26"))), true, true, null));
    assertThat(got).hasSize(2);
    RetrievedPoint two = got.stream().filter(p -> p.getId().hasNum()).findFirst().orElseThrow();
    assertThat(two.getPayloadMap().get("city").getStringValue()).isEqualTo("Berlin");
    assertThat(two.getPayloadMap().get("n").getIntegerValue()).isEqualTo(2);
    var v = two.getVectors().getVector();
    float norm = (float) Math.sqrt(0.81 + 0.01);
    assertThat(v.getDense().getDataList()).hasSize(4);
    assertThat(v.getDense().getData(0)).isCloseTo(0.9f / norm, org.assertj.core.data.Offset.offset(1e-5f));
    @SuppressWarnings("deprecation")
    List<Float> legacy = v.getDataList();
    assertThat(legacy).isEqualTo(v.getDense().getDataList());
    assertThat(got.stream().filter(p -> p.getId().hasUuid()).findFirst().orElseThrow().getId().getUuid())
        .isEqualTo("5c56c793-69f3-4fbf-87e6-c4bf54c28c26");

    // a client that sends the deprecated Vector.data encoding (Spring AI 1.1's client does)
    @SuppressWarnings("deprecation")
    Vector legacyVector = Vector.newBuilder().addAllData(List.of(0f, 0f, 1f, 0f)).build();
    get(c.upsertAsync("docs", List.of(PointStruct.newBuilder().setId(id(5)).setVectors(vectors(legacyVector))
        .putPayload("city", value("Oslo")).build())));
    List<ScoredPoint> hit = get(c.queryAsync(QueryPoints.newBuilder().setCollectionName("docs")
        .setQuery(nearest(0f, 0f, 1f, 0f)).setLimit(1).build()));
    assertThat(hit.get(0).getId().getNum()).isEqualTo(5);
    assertThat(hit.get(0).getScore()).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-5f));
  }

  @Test
  void searchWithFiltersAndScoreThreshold() throws Exception {
    QdrantClient c = start(ServerConfig.builder());
    fill(c);
    SearchPoints.Builder s = SearchPoints.newBuilder().setCollectionName("docs").addAllVector(List.of(1f, 0f, 0f, 0f))
        .setLimit(10).setWithPayload(enable(true));
    // score_threshold 0: the opposite point (cosine -1) and the orthogonal one (0 is kept: >= threshold) behave
    List<ScoredPoint> all = get(c.searchAsync(s.build()));
    assertThat(all).hasSize(4);
    // Spring AI always sends a threshold, 0.0 by default: the opposite point (cosine -1) must not come back
    assertThat(ids(get(c.searchAsync(s.clone().setScoreThreshold(0f).build())))).doesNotContain("4").contains("1", "2");
    List<ScoredPoint> positive = get(c.searchAsync(s.clone().setScoreThreshold(0.5f).build()));
    assertThat(positive).extracting(p -> p.getId().getNum()).containsExactly(1L, 2L);
    List<ScoredPoint> paris = get(c.searchAsync(s.clone().setFilter(Filter.newBuilder()
        .addMust(matchKeyword("city", "Paris"))).build()));
    assertThat(paris).hasSize(2).allSatisfy(p ->
        assertThat(p.getPayloadMap().get("city").getStringValue()).isEqualTo("Paris"));
    assertThat(paris.get(0).getId().getNum()).isEqualTo(1);
    // no payload unless asked for, as in Qdrant
    assertThat(get(c.searchAsync(s.clone().clearWithPayload().build())).get(0).getPayloadCount()).isZero();
  }

  @Test
  void queryWithNestedFilters() throws Exception {
    QdrantClient c = start(ServerConfig.builder());
    fill(c);
    QueryPoints.Builder q = QueryPoints.newBuilder().setCollectionName("docs").setQuery(nearest(1f, 0f, 0f, 0f))
        .setLimit(10).setWithPayload(enable(true));
    // (city in [Paris, Rome] and n >= 2) or open == false, and not text contains "lazy"
    Filter f = Filter.newBuilder()
        .addShould(filter(Filter.newBuilder().addMust(matchKeywords("city", List.of("Paris", "Rome")))
            .addMust(range("n", Range.newBuilder().setGte(2).build())).build()))
        .addShould(match("open", false))
        .addMustNot(matchText("text", "lazy"))
        .build();
    List<ScoredPoint> got = get(c.queryAsync(q.clone().setFilter(f).build()));
    assertThat(ids(got)).containsExactlyInAnyOrder("5c56c793-69f3-4fbf-87e6-c4bf54c28c26", "4");
    List<ScoredPoint> except = get(c.queryAsync(q.clone().setFilter(Filter.newBuilder()
        .addMust(matchExceptKeywords("city", List.of("Paris"))).addMust(match("n", 2L))).build()));
    assertThat(ids(except)).containsExactly("2");
    // with_vectors: the vector comes back, so a client can recompute the score
    List<ScoredPoint> withVectors = get(c.queryAsync(q.clone().setLimit(1)
        .setWithVectors(WithVectorsSelectorFactory.enable(true)).build()));
    assertThat(withVectors.get(0).getVectors().getVector().getDense().getDataList()).containsExactly(1f, 0f, 0f, 0f);
  }

  private static List<String> ids(List<ScoredPoint> ps) {
    return ps.stream().map(p -> p.getId().hasNum() ? String.valueOf(p.getId().getNum()) : p.getId().getUuid())
        .toList();
  }

  @Test
  void scrollCountAndDelete() throws Exception {
    QdrantClient c = start(ServerConfig.builder());
    fill(c);
    Set<String> seen = new HashSet<>();
    PointId offset = null;
    do {
      ScrollPoints.Builder sb = ScrollPoints.newBuilder().setCollectionName("docs").setLimit(3)
          .setWithPayload(enable(true));
      if (offset != null) {
        sb.setOffset(offset);
      }
      ScrollResponse page = get(c.scrollAsync(sb.build()));
      page.getResultList().forEach(p -> seen.add(p.getId().toString()));
      offset = page.hasNextPageOffset() ? page.getNextPageOffset() : null;
    } while (offset != null);
    assertThat(seen).hasSize(4);
    assertThat(get(c.countAsync("docs", Filter.newBuilder().addMust(matchKeyword("city", "Paris")).build(), true)))
        .isEqualTo(2);
    assertThat(get(c.deleteAsync("docs", List.of(id(1)))).getStatus()).isEqualTo(UpdateStatus.Completed);
    assertThat(get(c.countAsync("docs", null, true))).isEqualTo(3);
    get(c.deleteAsync("docs", Filter.newBuilder().addMust(matchKeyword("city", "Paris")).build()));
    assertThat(get(c.countAsync("docs", null, true))).isEqualTo(2);
    // an empty filter selects every point
    get(c.deleteAsync("docs", Filter.getDefaultInstance()));
    assertThat(get(c.countAsync("docs", null, true))).isZero();
  }

  /** gRPC and REST answer the same searches with the same points, scores and order. */
  @Test
  void randomSearchesMatchRest() throws Exception {
    QdrantClient c = start(ServerConfig.builder());
    int dim = 8;
    get(c.createCollectionAsync("r", cosine(dim)));
    int n = atLeast(200);
    List<PointStruct> points = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      points.add(point(id(i), randomVector(dim), Map.of("bucket", value(random().nextInt(5)))));
    }
    get(c.upsertAsync("r", points));
    for (int q = 0; q < atLeast(10); q++) {
      float[] v = randomVector(dim);
      long bucket = random().nextInt(5);
      int limit = 1 + random().nextInt(20);
      List<ScoredPoint> grpc = get(c.searchAsync(SearchPoints.newBuilder().setCollectionName("r")
          .addAllVector(floats(v)).setLimit(limit)
          .setFilter(Filter.newBuilder().addMustNot(match("bucket", bucket))).build()));
      StringBuilder vec = new StringBuilder();
      for (float x : v) {
        vec.append(vec.isEmpty() ? "" : ",").append(x);
      }
      JsonNode rest = h.ok("POST", "/collections/r/points/search", "{\"vector\":[" + vec + "],\"limit\":" + limit
          + ",\"filter\":{\"must_not\":[{\"key\":\"bucket\",\"match\":{\"value\":" + bucket + "}}]}}");
      assertThat(grpc).hasSize(rest.size());
      for (int i = 0; i < grpc.size(); i++) {
        assertThat(grpc.get(i).getId().getNum()).isEqualTo(rest.get(i).get("id").asLong());
        assertThat(grpc.get(i).getScore()).isEqualTo(rest.get(i).get("score").floatValue());
      }
    }
  }

  private float[] randomVector(int dim) {
    float[] v = new float[dim];
    for (int i = 0; i < dim; i++) {
      v[i] = (float) random().nextGaussian();
    }
    return v;
  }

  private static List<Float> floats(float[] v) {
    List<Float> out = new ArrayList<>(v.length);
    for (float x : v) {
      out.add(x);
    }
    return out;
  }

  /** The rest of the public surface: payload writes, batch updates, recommend, discover, groups, facet, matrix. */
  @Test
  void payloadBatchRecommendDiscoverGroupsFacetMatrixAliasesSnapshots() throws Exception {
    QdrantClient c = start(ServerConfig.builder());
    fill(c);
    get(c.setPayloadAsync("docs", Map.of("tag", value("x")), List.of(id(1), id(2)), true, null, null));
    assertThat(get(c.countAsync("docs", Filter.newBuilder().addMust(matchKeyword("tag", "x")).build(), true)))
        .isEqualTo(2);
    get(c.deletePayloadAsync("docs", List.of("tag"), List.of(id(1)), true, null, null));
    assertThat(get(c.retrieveAsync("docs", id(1), null)).get(0).getPayloadMap()).doesNotContainKey("tag")
        .containsKey("city");
    get(c.clearPayloadAsync("docs", List.of(id(2)), true, null, null));
    assertThat(get(c.retrieveAsync("docs", id(2), null)).get(0).getPayloadCount()).isZero();
    List<io.qdrant.client.grpc.Points.UpdateResult> batch = get(c.batchUpdateAsync("docs", List.of(
        io.qdrant.client.grpc.Points.PointsUpdateOperation.newBuilder().setUpsert(
            io.qdrant.client.grpc.Points.PointsUpdateOperation.PointStructList.newBuilder()
                .addPoints(point(id(7), new float[] {0, 0, 0, 1}, Map.of("city", value("Lima"))))).build(),
        io.qdrant.client.grpc.Points.PointsUpdateOperation.newBuilder().setDeletePoints(
            io.qdrant.client.grpc.Points.PointsUpdateOperation.DeletePoints.newBuilder().setPoints(
                io.qdrant.client.grpc.Points.PointsSelector.newBuilder().setPoints(
                    io.qdrant.client.grpc.Points.PointsIdsList.newBuilder().addIds(id(4))))).build())));
    assertThat(batch).hasSize(2);
    assertThat(get(c.countAsync("docs", null, true))).isEqualTo(4);

    List<ScoredPoint> rec = get(c.recommendAsync(io.qdrant.client.grpc.Points.RecommendPoints.newBuilder()
        .setCollectionName("docs").addPositive(id(1)).setLimit(2).build()));
    assertThat(ids(rec)).doesNotContain("1").first().isEqualTo("2");
    List<ScoredPoint> disc = get(c.discoverAsync(io.qdrant.client.grpc.Points.DiscoverPoints.newBuilder()
        .setCollectionName("docs").setTarget(io.qdrant.client.grpc.Points.TargetVector.newBuilder().setSingle(
            io.qdrant.client.grpc.Points.VectorExample.newBuilder().setId(id(7)))).setLimit(1).build()));
    assertThat(disc).hasSize(1);

    var groups = get(c.searchGroupsAsync(io.qdrant.client.grpc.Points.SearchPointGroups.newBuilder()
        .setCollectionName("docs").addAllVector(List.of(1f, 0f, 0f, 0f)).setGroupBy("city").setGroupSize(2)
        .setLimit(10).build()));
    // point 2 lost its payload above, point 4 was deleted: Paris (2 points) and Lima remain
    assertThat(groups).extracting(g -> g.getId().getStringValue()).containsExactlyInAnyOrder("Paris", "Lima");
    assertThat(groups.stream().filter(g -> g.getId().getStringValue().equals("Paris")).findFirst().orElseThrow()
        .getHitsCount()).isEqualTo(2);
    var qgroups = get(c.queryGroupsAsync(io.qdrant.client.grpc.Points.QueryPointGroups.newBuilder()
        .setCollectionName("docs").setQuery(nearest(1f, 0f, 0f, 0f)).setGroupBy("city").setGroupSize(1)
        .setLimit(2).build()));
    assertThat(qgroups).hasSize(2);

    var facet = get(c.facetAsync(io.qdrant.client.grpc.Points.FacetCounts.newBuilder().setCollectionName("docs")
        .setKey("city").setExact(true).build()));
    assertThat(facet.stream().filter(f -> f.getValue().getStringValue().equals("Paris")).findFirst().orElseThrow()
        .getCount()).isEqualTo(2);
    var pairs = get(c.searchMatrixPairsAsync(io.qdrant.client.grpc.Points.SearchMatrixPoints.newBuilder()
        .setCollectionName("docs").setSample(4).setLimit(1).build()));
    assertThat(pairs.getPairsCount()).isEqualTo(4);

    get(c.createAliasAsync("latest", "docs"));
    assertThat(get(c.listAliasesAsync())).extracting(a -> a.getAliasName() + "->" + a.getCollectionName())
        .containsExactly("latest->docs");
    assertThat(get(c.countAsync("latest", null, true))).isEqualTo(4);

    var snap = get(c.createSnapshotAsync("docs"));
    assertThat(snap.getName()).endsWith(".snapshot");
    assertThat(snap.getSize()).isPositive();
    assertThat(get(c.listSnapshotAsync("docs"))).extracting(d -> d.getName()).containsExactly(snap.getName());
    get(c.deleteSnapshotAsync("docs", snap.getName()));
    assertThat(get(c.listSnapshotAsync("docs"))).isEmpty();
  }

  // ------------------------------------------------------------------ errors

  @Test
  void errorsMapToQdrantStatusCodes() throws Exception {
    QdrantClient c = start(ServerConfig.builder());
    fill(c);
    assertThat(code(() -> get(c.getCollectionInfoAsync("nope")))).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(code(() -> get(c.searchAsync(SearchPoints.newBuilder().setCollectionName("nope")
        .addAllVector(List.of(1f, 0f, 0f, 0f)).setLimit(1).build())))).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(code(() -> get(c.upsertAsync("docs", List.of(point(id(9), new float[] {1, 2, 3}, Map.of()))))))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(code(() -> get(c.searchAsync(SearchPoints.newBuilder().setCollectionName("docs")
        .addAllVector(List.of(1f, 0f)).setLimit(1).build())))).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(get(c.countAsync("docs", null, true))).as("a refused write loses nothing").isEqualTo(4);
    assertThat(code(() -> get(c.deleteVectorsAsync("docs", List.of("x"), List.of(id(1))))))
        .isEqualTo(Status.Code.UNIMPLEMENTED);
    var named = io.qdrant.client.grpc.Points.CreateVectorNameRequest.newBuilder().setCollectionName("docs")
        .setVectorName("extra");
    assertThat(code(() -> get(c.createVectorNameAsync(named.clone().setDenseConfig(
        io.qdrant.client.grpc.Points.DenseVectorCreationConfig.newBuilder().setSize(4)
            .setDistance(Distance.Dot)).build())))).isEqualTo(Status.Code.UNIMPLEMENTED);
    get(c.createVectorNameAsync(named.clone().setSparseConfig(
        io.qdrant.client.grpc.Points.SparseVectorCreationConfig.getDefaultInstance()).build()));
    assertThat(get(c.getCollectionInfoAsync("docs")).getConfig().getParams().getSparseVectorsConfig().getMapMap())
        .containsKey("extra");
  }

  // ------------------------------------------------------------------ keys and TLS

  @Test
  void apiKeysAndReadOnlyKey() throws Exception {
    start(ServerConfig.builder().apiKey(KEY).readOnlyApiKey(READ_KEY));
    QdrantClient none = client(null);
    QdrantClient wrong = client("not-the-key");
    QdrantClient full = client(KEY);
    QdrantClient readOnly = client(READ_KEY);
    // health answers without a key, both Qdrant's and the standard one
    assertThat(get(none.healthCheckAsync()).getVersion()).isEqualTo(QuiverServer.QDRANT_VERSION);
    ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", h.server.grpcPort()).usePlaintext().build();
    try {
      assertThat(HealthGrpc.newBlockingStub(ch).check(HealthCheckRequest.getDefaultInstance()).getStatus())
          .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    } finally {
      ch.shutdownNow();
    }
    assertThat(code(() -> get(none.listCollectionsAsync()))).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(code(() -> get(wrong.listCollectionsAsync()))).isEqualTo(Status.Code.UNAUTHENTICATED);
    fill(full);
    assertThat(get(readOnly.countAsync("docs", null, true))).isEqualTo(4);
    assertThat(get(readOnly.searchAsync(SearchPoints.newBuilder().setCollectionName("docs")
        .addAllVector(List.of(1f, 0f, 0f, 0f)).setLimit(2).build()))).hasSize(2);
    assertThat(code(() -> get(readOnly.upsertAsync("docs", List.of(point(id(9), new float[] {1, 0, 0, 0},
        Map.of())))))).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(code(() -> get(readOnly.deleteCollectionAsync("docs")))).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(get(full.countAsync("docs", null, true))).isEqualTo(4);
    // Authorization: Bearer works as api-key does
    QdrantGrpcClient.Builder bearer = QdrantGrpcClient.newBuilder("127.0.0.1", h.server.grpcPort(), false)
        .withHeaders(Map.of("authorization", "Bearer " + KEY));
    QdrantClient b = new QdrantClient(bearer.build());
    clients.add(b);
    assertThat(get(b.listCollectionsAsync())).containsExactly("docs");
    // the calls are counted per RPC in the server's metrics
    String metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create("http://127.0.0.1:" + h.server.port() + "/metrics")).header("api-key", KEY).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    assertThat(metrics).contains("grpc_server_requests_seconds_count{method=\"qdrant.Points/Upsert\",status=\"OK\"}")
        .contains("method=\"qdrant.Points/Upsert\",status=\"PERMISSION_DENIED\"");
  }

  @Test
  void tlsWithTheRestCertificate() throws Exception {
    Path ks = dir.resolve("server.p12");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "quiver", "-keyalg", "EC",
        "-groupname", "secp256r1", "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
        "-validity", "2", "-storetype", "PKCS12", "-keystore", ks.toString(), "-storepass", "changeit",
        "-keypass", "changeit").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    h = new ServerHarness(dir, ServerConfig.builder().host("127.0.0.1").port(0).apiKey(KEY)
        .tls(ServerConfig.Tls.pkcs12(ks, "changeit")).build());
    java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
    try (var in = java.nio.file.Files.newInputStream(ks)) {
      store.load(in, "changeit".toCharArray());
    }
    var tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    ManagedChannel tls = io.grpc.Grpc.newChannelBuilderForAddress("127.0.0.1", h.server.grpcPort(),
        io.grpc.TlsChannelCredentials.newBuilder().trustManager(tmf.getTrustManagers()).build()).build();
    QdrantClient c = new QdrantClient(QdrantGrpcClient.newBuilder(tls, true).withApiKey(KEY).build());
    clients.add(c);
    fill(c);
    assertThat(get(c.countAsync("docs", null, true))).isEqualTo(4);
    // a plaintext client gets no answer from the TLS port
    QdrantClient plain = client(KEY);
    assertThat(code(() -> get(plain.listCollectionsAsync()))).isEqualTo(Status.Code.UNAVAILABLE);
  }

  @Test
  void grpcCanBeTurnedOff() throws Exception {
    h = new ServerHarness(dir, ServerConfig.builder().host("127.0.0.1").port(0).grpcPort(ServerConfig.GRPC_OFF)
        .build());
    assertThat(h.server.grpcPort()).isEqualTo(-1);
  }
}
