package io.quiver.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntUnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code qdrant/bm25} reproduces Qdrant's published BM25 nDCG@10 on SciFact (0.6830 at avg_len 256): every token
 * id, stop word, stem and weight has to agree with Qdrant's for the figure to come out to four decimals.
 */
class QdrantBm25SciFactTest {
  @Test
  void reproducesQdrantsPublishedFigure() {
    Path dir = datasets().resolve("scifact-minilm-384-cosine");
    assumeTrue(Files.isDirectory(dir), "skipped: shared data set not present at " + dir.toAbsolutePath());
    BeirSet set = BeirSet.load(dir, IntUnaryOperator.identity());
    QdrantBm25 bm25 = QdrantBm25.withDefaults();
    List<TermWeights> docs = set.docTexts().stream().map(bm25::encodeDocument).toList();
    List<TermWeights> queries = set.queryTexts().stream().map(bm25::encodeQuery).toList();
    double[] r = SparseRetrievalEval.evaluate(set, docs, queries);
    assertThat(r[0]).isCloseTo(0.6830, within(0.00005));
  }

  /** {@code -Dquiver.datasets}, else shared/ beside the repository or inside it. */
  static Path datasets() {
    String p = System.getProperty("quiver.datasets");
    if (p != null) {
      return Path.of(p);
    }
    return Stream.of("../../shared/datasets", "../shared/datasets").map(Path::of).filter(Files::isDirectory)
        .findFirst().orElse(Path.of("../shared/datasets"));
  }
}
