package io.quiver.server;

import static dev.langchain4j.store.embedding.filter.MetadataFilterBuilder.metadataKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.filter.Filter;
import dev.langchain4j.store.embedding.qdrant.QdrantEmbeddingStore;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.quiver.testing.RandomizedTest;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * LangChain4j's {@code QdrantEmbeddingStore} (langchain4j-qdrant), unchanged, against the server's gRPC API with an
 * API key: add with ids and metadata, search with metadata filters, remove by id, ids, filter and all.
 */
@ExtendWith(RandomizedTest.SeedReporter.class)
class LangChain4jQdrantStoreTest extends RandomizedTest {
  private static final String KEY = "lc4j-key";
  @TempDir Path dir;
  private ServerHarness h;
  private QdrantEmbeddingStore store;

  private final String paris = UUID.randomUUID().toString();
  private final String berlin = UUID.randomUUID().toString();
  private final String rome = UUID.randomUUID().toString();
  private final String south = UUID.randomUUID().toString();

  @BeforeEach
  void start() throws Exception {
    h = new ServerHarness(dir, ServerConfig.builder().host("127.0.0.1").port(0).apiKey(KEY).build());
    // the store expects its collection to exist, as with Qdrant
    try (QdrantClient admin = new QdrantClient(QdrantGrpcClient.newBuilder("127.0.0.1", h.server.grpcPort(), false)
        .withApiKey(KEY).build())) {
      admin.createCollectionAsync("lc", VectorParams.newBuilder().setSize(3).setDistance(Distance.Cosine).build())
          .get(30, TimeUnit.SECONDS);
    }
    store = QdrantEmbeddingStore.builder().host("127.0.0.1").port(h.server.grpcPort()).useTls(false).apiKey(KEY)
        .collectionName("lc").build();
    store.addAll(List.of(paris, berlin, rome, south),
        List.of(Embedding.from(new float[] {1, 0, 0}), Embedding.from(new float[] {0.8f, 0.6f, 0}),
            Embedding.from(new float[] {0, 1, 0}), Embedding.from(new float[] {-1, 0, 0})),
        List.of(segment("Paris is the capital of France", "fr", 2021, true),
            segment("Berlin is the capital of Germany", "de", 2019, false),
            segment("Rome was not built in a day", "it", 2023, true),
            segment("Nothing like the others", "fr", 2000, false)));
  }

  private static TextSegment segment(String text, String lang, int year, boolean eu) {
    return TextSegment.from(text, Metadata.from(Map.of("lang", lang, "year", year, "eu", String.valueOf(eu))));
  }

  @AfterEach
  void stop() throws Exception {
    if (store != null) {
      store.close();
    }
    h.close();
  }

  private List<EmbeddingMatch<TextSegment>> search(float[] q, int n, double minScore, Filter filter) {
    return store.search(EmbeddingSearchRequest.builder().queryEmbedding(Embedding.from(q)).maxResults(n)
        .minScore(minScore).filter(filter).build()).matches();
  }

  @Test
  void searchReturnsIdsTextMetadataAndCosineScores() {
    List<EmbeddingMatch<TextSegment>> all = search(new float[] {1, 0, 0}, 10, 0, null);
    assertThat(all).extracting(EmbeddingMatch::embeddingId).containsExactly(paris, berlin, rome, south);
    // LangChain4j's relevance score, (cosine + 1) / 2, recomputed from the vector the server returns
    assertThat(all.get(0).score()).isCloseTo(1.0, offset(1e-6));
    assertThat(all.get(1).score()).isCloseTo((0.8 + 1) / 2, offset(1e-6));
    assertThat(all.get(3).score()).isCloseTo(0.0, offset(1e-6));
    assertThat(all.get(0).embedded().text()).isEqualTo("Paris is the capital of France");
    assertThat(all.get(0).embedded().metadata().getString("lang")).isEqualTo("fr");
    assertThat(all.get(0).embedded().metadata().getInteger("year")).isEqualTo(2021);
    assertThat(all.get(1).embedding().vector()).containsExactly(0.8f, 0.6f, 0f);
    assertThat(search(new float[] {1, 0, 0}, 10, 0.75, null)).extracting(EmbeddingMatch::embeddingId)
        .containsExactly(paris, berlin);
  }

  @Test
  void metadataFilters() {
    float[] q = {1, 0, 0};
    assertThat(ids(search(q, 10, 0, metadataKey("lang").isEqualTo("fr")))).containsExactly(paris, south);
    assertThat(ids(search(q, 10, 0, metadataKey("year").isGreaterThanOrEqualTo(2020)))).containsExactly(paris, rome);
    assertThat(ids(search(q, 10, 0, metadataKey("lang").isIn("de", "it")))).containsExactly(berlin, rome);
    assertThat(ids(search(q, 10, 0, metadataKey("lang").isNotIn("de", "it")))).containsExactly(paris, south);
    assertThat(ids(search(q, 10, 0, metadataKey("lang").isNotEqualTo("fr")))).containsExactly(berlin, rome);
    assertThat(ids(search(q, 10, 0, metadataKey("lang").isEqualTo("fr").and(metadataKey("year").isLessThan(2010)))))
        .containsExactly(south);
    assertThat(ids(search(q, 10, 0, metadataKey("lang").isEqualTo("de").or(metadataKey("eu").isEqualTo("true")))))
        .containsExactly(paris, berlin, rome);
    assertThat(ids(search(q, 10, 0, Filter.not(metadataKey("lang").isEqualTo("fr"))))).containsExactly(berlin, rome);
    assertThat(ids(search(q, 10, 0, metadataKey("text_segment").containsString("capital"))))
        .containsExactly(paris, berlin);
  }

  @Test
  void removeByIdIdsFilterAndAll() {
    float[] q = {1, 0, 0};
    store.remove(paris);
    assertThat(ids(search(q, 10, 0, null))).containsExactly(berlin, rome, south);
    store.removeAll(metadataKey("lang").isEqualTo("it"));
    assertThat(ids(search(q, 10, 0, null))).containsExactly(berlin, south);
    store.removeAll(List.of(berlin));
    assertThat(ids(search(q, 10, 0, null))).containsExactly(south);
    store.removeAll();
    assertThat(search(q, 10, 0, null)).isEmpty();
  }

  private static List<String> ids(List<EmbeddingMatch<TextSegment>> ms) {
    return ms.stream().map(EmbeddingMatch::embeddingId).toList();
  }
}
