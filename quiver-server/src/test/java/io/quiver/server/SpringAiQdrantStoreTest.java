package io.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import io.quiver.testing.RandomizedTest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.Embedding;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.embedding.EmbeddingRequest;
import org.springframework.ai.embedding.EmbeddingResponse;
import org.springframework.ai.vectorstore.SearchRequest;
import org.springframework.ai.vectorstore.qdrant.QdrantVectorStore;

/**
 * Spring AI's {@code QdrantVectorStore} (spring-ai-qdrant-store), unchanged, against the server's gRPC API with an API
 * key: it lists collections and creates its own (Cosine) at start, adds documents with UUID ids, searches with the
 * old Points/Search and a score threshold, filters with Spring AI's expressions and deletes by ids and filter.
 */
@ExtendWith(RandomizedTest.SeedReporter.class)
class SpringAiQdrantStoreTest extends RandomizedTest {
  private static final String KEY = "spring-ai-key";
  /** Fixed embeddings: no model. */
  private static final Map<String, float[]> VECTORS = Map.of(
      "tulips in Amsterdam", new float[] {1, 0, 0},
      "windmills near Rotterdam", new float[] {0.8f, 0.6f, 0},
      "roses in Sofia", new float[] {0.1f, 1, 0},
      "the opposite of tulips", new float[] {-1, 0, 0},
      "flowers", new float[] {1, 0, 0});

  @TempDir Path dir;
  private ServerHarness h;
  private QdrantClient client;
  private QdrantVectorStore store;

  /** Embeds the texts of {@link #VECTORS}. */
  static final class FixedEmbeddings implements EmbeddingModel {
    @Override
    public EmbeddingResponse call(EmbeddingRequest request) {
      List<Embedding> out = new ArrayList<>();
      for (int i = 0; i < request.getInstructions().size(); i++) {
        out.add(new Embedding(vector(request.getInstructions().get(i)), i));
      }
      return new EmbeddingResponse(out);
    }

    @Override
    public float[] embed(Document document) {
      return vector(document.getText());
    }

    @Override
    public int dimensions() {
      return 3;
    }

    private static float[] vector(String text) {
      float[] v = VECTORS.get(text);
      if (v == null) {
        throw new IllegalArgumentException("no fixed embedding for '" + text + "'");
      }
      return v;
    }
  }

  @BeforeEach
  void start() throws Exception {
    h = new ServerHarness(dir, ServerConfig.builder().host("127.0.0.1").port(0).apiKey(KEY).build());
    client = new QdrantClient(QdrantGrpcClient.newBuilder("127.0.0.1", h.server.grpcPort(), false).withApiKey(KEY)
        .build());
    store = QdrantVectorStore.builder(client, new FixedEmbeddings()).collectionName("docs").initializeSchema(true)
        .build();
    store.afterPropertiesSet(); // lists the collections and creates "docs"
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    h.close();
  }

  @Test
  void addSearchFilterAndDelete() throws Exception {
    assertThat(client.getCollectionInfoAsync("docs").get().getConfig().getParams().getVectorsConfig().getParams()
        .getDistance()).isEqualTo(io.qdrant.client.grpc.Collections.Distance.Cosine);
    String ams = UUID.randomUUID().toString();
    String rdam = UUID.randomUUID().toString();
    String sofia = UUID.randomUUID().toString();
    String opposite = UUID.randomUUID().toString();
    store.add(List.of(
        new Document(ams, "tulips in Amsterdam", Map.of("country", "NL", "year", 2020)),
        new Document(rdam, "windmills near Rotterdam", Map.of("country", "NL", "year", 2018)),
        new Document(sofia, "roses in Sofia", Map.of("country", "BG", "year", 2021)),
        new Document(opposite, "the opposite of tulips", Map.of("country", "XX", "year", 1999))));

    // the default threshold (0.0) is sent: the document at cosine -1 does not come back
    List<Document> all = store.similaritySearch(SearchRequest.builder().query("flowers").topK(10).build());
    assertThat(all).extracting(Document::getId).containsExactly(ams, rdam, sofia);
    assertThat(all.get(0).getText()).isEqualTo("tulips in Amsterdam");
    assertThat(all.get(0).getMetadata()).containsEntry("country", "NL");
    assertThat(all.get(0).getScore()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));

    assertThat(store.similaritySearch(SearchRequest.builder().query("flowers").topK(10).similarityThreshold(0.7)
        .build())).extracting(Document::getId).containsExactly(ams, rdam);
    assertThat(store.similaritySearch(SearchRequest.builder().query("flowers").topK(10).similarityThresholdAll()
        .filterExpression("country == 'NL' && year >= 2019").build())).extracting(Document::getId)
        .containsExactly(ams);
    assertThat(store.similaritySearch(SearchRequest.builder().query("flowers").topK(10).similarityThresholdAll()
        .filterExpression("country in ['BG', 'XX'] || year < 2019").build())).extracting(Document::getId)
        .containsExactly(rdam, sofia); // "opposite" matches but scores -1, below the 0.0 threshold
    assertThat(store.similaritySearch(SearchRequest.builder().query("flowers").topK(10).similarityThresholdAll()
        .filterExpression("NOT (country == 'NL')").build())).extracting(Document::getId)
        .containsExactly(sofia);

    store.delete(List.of(ams));
    assertThat(store.similaritySearch(SearchRequest.builder().query("flowers").topK(10).build()))
        .extracting(Document::getId).containsExactly(rdam, sofia);
    store.delete("country == 'BG'");
    assertThat(store.similaritySearch(SearchRequest.builder().query("flowers").topK(10).build()))
        .extracting(Document::getId).containsExactly(rdam);
    assertThat(client.countAsync("docs").get()).as("the opposite document is still stored").isEqualTo(2);
  }
}
