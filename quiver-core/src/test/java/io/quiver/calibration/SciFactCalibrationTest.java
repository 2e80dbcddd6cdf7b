package io.quiver.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.quiver.PointId;
import io.quiver.Quiver;
import io.quiver.collection.Collection;
import io.quiver.collection.CollectionConfig;
import io.quiver.collection.Point;
import io.quiver.collection.VectorParams;
import io.quiver.dataset.Texmex;
import io.quiver.distance.Metric;
import io.quiver.testing.RandomizedTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On SciFact's shipped MiniLM vectors, thresholds calibrated on half of the test queries keep about 1 - alpha of the
 * other half's relevant documents. Per split the held-out coverage has a standard deviation of about 0.03 (measured
 * over 30 splits with {@code quiver bench-conformal}); the mean of S splits is then within 4 x 0.03 / sqrt(S) of
 * its expectation (which is >= 1 - alpha) except with negligible probability.
 */
class SciFactCalibrationTest extends RandomizedTest {
  private static final int SPLITS = 6;

  @TempDir Path dir;

  static Path datasets() {
    String p = System.getProperty("quiver.datasets");
    if (p != null) {
      return Path.of(p);
    }
    return Stream.of("../../shared/datasets", "../shared/datasets", "/work/shared/datasets").map(Path::of)
        .filter(Files::isDirectory).findFirst().orElse(Path.of("../shared/datasets"));
  }

  @Test
  void heldOutCoverageIsAboutOneMinusAlpha() throws Exception {
    Path set = datasets().resolve("scifact-minilm-384-cosine");
    assumeTrue(Files.isDirectory(set), "skipped: shared data set not present at " + set.toAbsolutePath());
    float[][] docs = Texmex.readVectors(set.resolve("base.fvecs"), -1);
    float[][] queryVectors = Texmex.readVectors(set.resolve("query.fvecs"), -1);
    Map<String, Integer> docRow = rows(set.resolve("base_doc_ids.txt"));
    Map<String, Integer> queryRow = rows(set.resolve("query_ids.txt"));
    Map<String, List<PointId>> qrels = new LinkedHashMap<>();
    List<String> lines = Files.readAllLines(set.resolve("qrels/test.tsv"));
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split("\t");
      if (f.length == 3 && Integer.parseInt(f[2].trim()) > 0 && docRow.containsKey(f[1])) {
        qrels.computeIfAbsent(f[0], k -> new ArrayList<>()).add(new PointId.Num(docRow.get(f[1])));
      }
    }
    List<CalibrationQuery> queries = new ArrayList<>();
    qrels.forEach((q, rel) -> queries.add(CalibrationQuery.dense(queryVectors[queryRow.get(q)], rel)));
    try (Quiver db = Quiver.open(dir)) {
      Collection c = db.createCollection("scifact", CollectionConfig.of(VectorParams.of(docs[0].length,
          Metric.COSINE)));
      List<Point> batch = new ArrayList<>();
      for (int i = 0; i < docs.length; i++) {
        batch.add(Point.of(i, docs[i], null));
        if (batch.size() == 1000 || i == docs.length - 1) {
          c.upsert(batch);
          batch.clear();
        }
      }
      double[] alphas = {0.05, 0.1, 0.2};
      double[] sum = new double[alphas.length];
      for (int s = 0; s < SPLITS; s++) {
        long seed = random().nextLong();
        CalibrationReport r = Calibrator.builder(c, "").alphas(List.of(0.05, 0.1, 0.2)).holdout(0.5, seed).build()
            .calibrate(queries);
        assertThat(r.holdout().queries()).isEqualTo(queries.size() / 2);
        for (int i = 0; i < alphas.length; i++) {
          sum[i] += r.holdout().coverage().get(i);
        }
      }
      for (int i = 0; i < alphas.length; i++) {
        double mean = sum[i] / SPLITS;
        double tolerance = 4 * 0.035 / Math.sqrt(SPLITS);
        assertThat(mean).as("alpha %s: mean held-out coverage over %d splits", alphas[i], SPLITS)
            .isBetween(1 - alphas[i] - tolerance, 1 - alphas[i] + 2.0 / queries.size() + tolerance);
      }
    }
  }

  private static Map<String, Integer> rows(Path file) throws Exception {
    Map<String, Integer> m = new HashMap<>();
    List<String> ids = Files.readAllLines(file);
    for (int i = 0; i < ids.size(); i++) {
      m.put(ids.get(i).trim(), i);
    }
    return m;
  }
}
