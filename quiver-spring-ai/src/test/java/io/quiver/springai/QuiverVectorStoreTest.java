package io.quiver.springai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.quiver.Quiver;
import io.quiver.distance.Metric;
import io.quiver.testing.RandomizedTest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.Embedding;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.embedding.EmbeddingRequest;
import org.springframework.ai.embedding.EmbeddingResponse;
import org.springframework.ai.vectorstore.SearchRequest;

/** QuiverVectorStore's adds, searches, scores, durability and errors, on seeded random documents. */
@ExtendWith(RandomizedTest.SeedReporter.class)
class QuiverVectorStoreTest extends RandomizedTest {
  private static final String[] WORDS = {"river", "stone", "quiver", "arrow", "forest", "light", "winter", "song"};

  @TempDir
  Path dir;

  private final HashingEmbeddingModel model = new HashingEmbeddingModel();

  private QuiverVectorStore open(boolean initialize) {
    return QuiverVectorStore.builder(model).path(dir).initializeSchema(initialize).build();
  }

  private List<Document> randomDocuments(int n) {
    List<Document> docs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      StringBuilder text = new StringBuilder();
      int words = 1 + random().nextInt(5);
      for (int w = 0; w < words; w++) {
        text.append(WORDS[random().nextInt(WORDS.length)]).append(' ');
      }
      Map<String, Object> m = new HashMap<>();
      m.put("n", i);
      m.put("big", Long.MAX_VALUE - i);
      m.put("ratio", random().nextDouble());
      m.put("ok", random().nextBoolean());
      m.put("tags", List.of("t" + random().nextInt(3), "u"));
      m.put("author", Map.of("name", "a" + random().nextInt(4), "year", 2000 + i));
      String id = random().nextBoolean() ? new UUID(random().nextLong(), random().nextLong()).toString()
          : Long.toString(1 + random().nextInt(Integer.MAX_VALUE));
      docs.add(new Document(id, text.toString().strip() + " " + i, m));
    }
    return docs;
  }

  private static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }

  @Test
  void searchScoresAreCosinesBestFirstAndTheThresholdCuts() throws IOException {
    List<Document> docs = randomDocuments(atLeast(40));
    try (QuiverVectorStore store = open(true)) {
      store.add(docs);
      int queries = atLeast(20);
      for (int q = 0; q < queries; q++) {
        String query = WORDS[random().nextInt(WORDS.length)] + " " + WORDS[random().nextInt(WORDS.length)];
        float[] qv = HashingEmbeddingModel.vector(query);
        List<Document> all = store.similaritySearch(SearchRequest.builder().query(query).topK(docs.size())
            .similarityThresholdAll().build());
        assertThat(all).hasSize(docs.size());
        assertThat(all).isSortedAccordingTo(Comparator.comparing(Document::getScore).reversed());
        Map<String, Document> byId = new HashMap<>();
        docs.forEach(d -> byId.put(d.getId(), d));
        for (Document hit : all) {
          double expected = cosine(qv, HashingEmbeddingModel.vector(byId.get(hit.getId()).getText()));
          assertThat(hit.getScore()).isCloseTo(expected, within(1e-5));
          assertThat((Double) hit.getMetadata().get("distance")).isCloseTo(1 - hit.getScore(), within(1e-12));
        }
        int k = 1 + random().nextInt(docs.size());
        assertThat(store.similaritySearch(SearchRequest.builder().query(query).topK(k).similarityThresholdAll()
            .build()).stream().map(Document::getId).toList())
            .isEqualTo(all.subList(0, k).stream().map(Document::getId).toList());
        double threshold = all.get(random().nextInt(all.size())).getScore();
        List<Document> cut = store.similaritySearch(SearchRequest.builder().query(query).topK(docs.size())
            .similarityThreshold(threshold).build());
        assertThat(cut).extracting(Document::getId)
            .isEqualTo(all.stream().filter(d -> d.getScore() >= threshold).map(Document::getId).toList());
      }
    }
  }

  @Test
  void aReopenedStoreFindsItsDocumentsWithTextAndMetadata() throws IOException {
    List<Document> docs = randomDocuments(atLeast(30));
    List<Document> before;
    SearchRequest request = SearchRequest.builder().query("river stone").topK(docs.size()).similarityThresholdAll()
        .build();
    try (QuiverVectorStore store = open(true)) {
      store.add(docs);
      store.delete(List.of(docs.get(0).getId()));
      before = store.similaritySearch(request);
    }
    try (QuiverVectorStore store = open(false)) {
      List<Document> after = store.similaritySearch(request);
      assertThat(after).hasSize(docs.size() - 1);
      assertThat(after).extracting(Document::getId).isEqualTo(before.stream().map(Document::getId).toList());
      Map<String, Document> byId = new HashMap<>();
      docs.forEach(d -> byId.put(d.getId(), d));
      for (Document hit : after) {
        Document original = byId.get(hit.getId());
        assertThat(hit.getText()).isEqualTo(original.getText());
        Map<String, Object> meta = new HashMap<>(hit.getMetadata());
        meta.remove("distance");
        assertThat(meta).isEqualTo(original.getMetadata()); // ints, longs, doubles, booleans, lists, maps
      }
    }
  }

  @Test
  void aBatchWithABadDocumentWritesNothing() throws IOException {
    try (QuiverVectorStore store = open(true)) {
      List<Document> docs = new ArrayList<>(randomDocuments(5));
      docs.add(new Document("doc-6", "a text", Map.of()));
      assertThatThrownBy(() -> store.add(docs)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("doc-6").hasMessageContaining("UUIDs or unsigned integers");
      docs.set(5, new Document(UUID.randomUUID().toString(), "a text", Map.of("doc_content", "x")));
      assertThatThrownBy(() -> store.add(docs)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("doc_content");
      docs.set(5, new Document(UUID.randomUUID().toString(), "a text", Map.of("when", new Object())));
      assertThatThrownBy(() -> store.add(docs)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'when'").hasMessageContaining("java.lang.Object");
      docs.set(5, new Document(UUID.randomUUID().toString(), "a text", Map.of("x", Double.NaN)));
      assertThatThrownBy(() -> store.add(docs)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("NaN");
      assertThat(store.collection().count()).isZero();
      assertThatThrownBy(() -> store.delete(List.of("not an id"))).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("not an id");
    }
  }

  @Test
  void embeddingsOfTheWrongShapeAreRefused() throws IOException {
    float[] wrongDimension = new float[HashingEmbeddingModel.DIMENSION + 1];
    Arrays.fill(wrongDimension, 0.5f);
    float[] nan = new float[HashingEmbeddingModel.DIMENSION];
    Arrays.fill(nan, 0.5f);
    nan[3] = Float.NaN;
    try (Quiver db = Quiver.open(dir)) {
      QuiverVectorStore.builder(model).quiver(db).initializeSchema(true).build().add(randomDocuments(1));
      QuiverVectorStore wrong = QuiverVectorStore.builder(constant(wrongDimension)).quiver(db).build();
      assertThatThrownBy(() -> wrong.add(randomDocuments(2))).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("has 33 dimensions; the collection holds 32");
      assertThatThrownBy(() -> wrong.similaritySearch("river")).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("query embedding has 33 dimensions");
      QuiverVectorStore nans = QuiverVectorStore.builder(constant(nan)).quiver(db).build();
      assertThatThrownBy(() -> nans.add(randomDocuments(2))).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("NaN at index 3");
      assertThat(db.collection("spring_ai").count()).isEqualTo(1);
    }
  }

  @Test
  void settingsMustAgreeWithTheCollection() throws IOException {
    assertThatThrownBy(() -> open(false)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not exist").hasMessageContaining("quiver.initialize-schema");
    open(true).close(); // the failed open above released the directory
    assertThatThrownBy(() -> QuiverVectorStore.builder(model).path(dir).dimension(8).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("holds vectors of 32 dimensions, not 8");
    assertThatThrownBy(() -> QuiverVectorStore.builder(model).path(dir).metric(Metric.DOT).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("uses the COSINE metric, not DOT");
    assertThatThrownBy(() -> QuiverVectorStore.builder(model).build()).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("either path or quiver");
  }

  @Test
  void euclideanScoresAreOneOverOnePlusDistance() throws IOException {
    try (QuiverVectorStore store = QuiverVectorStore.builder(model).path(dir).metric(Metric.L2)
        .initializeSchema(true).build()) {
      List<Document> docs = randomDocuments(atLeast(10));
      store.add(docs);
      float[] qv = HashingEmbeddingModel.vector("winter light");
      for (Document hit : store.similaritySearch(SearchRequest.builder().query("winter light").topK(docs.size())
          .similarityThresholdAll().build())) {
        float[] v = HashingEmbeddingModel.vector(docs.stream().filter(d -> d.getId().equals(hit.getId()))
            .findFirst().orElseThrow().getText());
        double d = 0;
        for (int i = 0; i < v.length; i++) {
          d += (v[i] - qv[i]) * (v[i] - qv[i]);
        }
        d = Math.sqrt(d);
        assertThat(hit.getScore()).isCloseTo(1 / (1 + d), within(1e-5));
        assertThat((Double) hit.getMetadata().get("distance")).isCloseTo(d, within(1e-5));
      }
    }
  }

  /** A model answering every text with {@code vector}. */
  private static EmbeddingModel constant(float[] vector) {
    return new EmbeddingModel() {
      @Override
      public EmbeddingResponse call(EmbeddingRequest request) {
        List<Embedding> out = new ArrayList<>();
        for (int i = 0; i < request.getInstructions().size(); i++) {
          out.add(new Embedding(vector.clone(), i));
        }
        return new EmbeddingResponse(out);
      }

      @Override
      public float[] embed(Document document) {
        return vector.clone();
      }
    };
  }
}
