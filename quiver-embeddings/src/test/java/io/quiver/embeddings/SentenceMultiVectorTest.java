package io.quiver.embeddings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.quiver.PointId;
import io.quiver.Quiver;
import io.quiver.collection.Collection;
import io.quiver.collection.CollectionConfig;
import io.quiver.collection.MultiVectorConfig;
import io.quiver.collection.MultiVectorSearchRequest;
import io.quiver.collection.Point;
import io.quiver.collection.ScoredPoint;
import io.quiver.collection.VectorParams;
import io.quiver.distance.Metric;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Late interaction on real text with no ColBERT model: each SciFact abstract is stored as the MiniLM vectors of its
 * sentences, each query as those of its own sentences, and the FDE graph search of a sealed segment is held against
 * exact MaxSim over the same collection.
 */
class SentenceMultiVectorTest {
  private static final int DOCS = 400;
  private static final int QUERIES = 40;
  private static final int MAX_SENTENCES = 16;

  @TempDir Path dir;

  @Test
  void fdeGraphSearchOverSentenceVectorsRecallsExactMaxSim() throws Exception {
    assumeTrue(Files.isDirectory(SciFactVectors.dir()),
        "SciFact not found at " + SciFactVectors.dir() + " (set -Dquiver.datasets): sentence multi-vector test skipped");
    List<String> docs = SciFactVectors.load(SciFactVectors.dir()).texts().subList(0, DOCS);
    AllMiniLmL6V2 model = new AllMiniLmL6V2();
    int dim = model.dimension();
    VectorParams params = VectorParams.of(dim, Metric.COSINE).withMultivector(MultiVectorConfig.MAX_SIM);
    try (Quiver db = Quiver.open(dir)) {
      Collection c = db.createCollection("sentences", CollectionConfig.builder().vector("s", params)
          .sealThreshold(DOCS).build());
      List<Point> points = new ArrayList<>();
      for (int i = 0; i < DOCS; i++) {
        points.add(new Point(PointId.of(i), Map.of("s", multiVector(model, docs.get(i))), null));
      }
      c.upsert(points);
      c.flush();
      // queries: the second half of an abstract's sentences (a passage the document holds, in other words around it)
      List<float[]> queries = new ArrayList<>();
      List<Set<PointId>> exact = new ArrayList<>();
      for (int q = 0; q < QUERIES; q++) {
        String[] sentences = sentences(docs.get(q * 7 % DOCS));
        float[] query = multiVector(model,
            String.join(" ", Arrays.copyOfRange(sentences, sentences.length / 2, sentences.length)));
        Set<PointId> want = new HashSet<>();
        c.search(MultiVectorSearchRequest.builder(query, "s").limit(10).exact(true).build())
            .forEach(h -> want.add(h.id()));
        queries.add(query);
        exact.add(want);
      }
      // pools under half the documents, so the FDE graph (not an exact scan) picks the candidates
      int[] pools = {40, 100, 190};
      double[] recall = new double[pools.length];
      for (int p = 0; p < pools.length; p++) {
        int found = 0;
        for (int q = 0; q < QUERIES; q++) {
          for (ScoredPoint h : c.search(MultiVectorSearchRequest.builder(queries.get(q), "s").limit(10)
              .candidates(pools[p]).build())) {
            found += exact.get(q).contains(h.id()) ? 1 : 0;
          }
        }
        recall[p] = found / (10.0 * QUERIES);
        System.out.printf("SentenceMultiVectorTest: recall@10 against exact MaxSim over MiniLM sentence vectors, "
            + "FDE graph pool %d of %d documents: %.3f%n", pools[p], DOCS, recall[p]);
      }
      assertThat(recall[pools.length - 1]).isGreaterThanOrEqualTo(0.9);
      assertThat(recall[pools.length - 1]).isGreaterThanOrEqualTo(recall[0]);
    }
  }

  /** The MiniLM vectors of the text's sentences (at most {@value #MAX_SENTENCES}), back to back. */
  private static float[] multiVector(AllMiniLmL6V2 model, String text) {
    String[] s = sentences(text);
    List<float[]> vectors = model.embed(Arrays.asList(s).subList(0, Math.min(s.length, MAX_SENTENCES)));
    float[] flat = new float[vectors.size() * model.dimension()];
    for (int i = 0; i < vectors.size(); i++) {
      System.arraycopy(vectors.get(i), 0, flat, i * model.dimension(), model.dimension());
    }
    return flat;
  }

  private static String[] sentences(String text) {
    return Arrays.stream(text.split("(?<=[.!?])\\s+")).map(String::strip).filter(s -> !s.isEmpty())
        .toArray(String[]::new);
  }
}
