package io.quiver.embeddings;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Measures (does not assert) all-MiniLM-L6-v2 throughput on SciFact abstracts (most cut at 256 word pieces) and on
 * their titles (short, query-like), with 1 and 2 pool threads, after one warm-up batch. Run by hand:
 * {@code ./mvnw -B -ntp -o test -pl quiver-core,quiver-embeddings -Dtest=EmbeddingThroughputMeasurement
 * -Dsurefire.failIfNoSpecifiedTests=false -Dquiver.measure=true -Dquiver.datasets=/work/shared/datasets}.
 */
@EnabledIfSystemProperty(named = "quiver.measure", matches = "true")
class EmbeddingThroughputMeasurement {
  @Test
  void measure() {
    assumeTrue(Files.isDirectory(SciFactVectors.dir()), "skipped: no SciFact set at " + SciFactVectors.dir());
    List<String> docs = SciFactVectors.load(SciFactVectors.dir()).texts().subList(0, 256);
    List<String> titles = docs.stream().map(t -> t.substring(0, Math.min(t.length(), 80))).toList();
    System.out.printf(Locale.ROOT, "available processors %d%n", Runtime.getRuntime().availableProcessors());
    for (int threads : new int[] {1, 2}) {
      try (SentenceEncoder e = new SentenceEncoder(AllMiniLmL6V2.config(AllMiniLmL6V2.MAX_TOKENS).threads(threads)
          .build())) {
        e.embed(docs.subList(0, 32)); // warm-up
        for (List<String> set : List.of(docs, titles)) {
          long tokens = set.stream().mapToLong(t -> e.tokenIds(t).length).sum();
          long t0 = System.nanoTime();
          e.embed(set);
          double s = (System.nanoTime() - t0) / 1e9;
          System.out.printf(Locale.ROOT, "threads %d, %s: %d texts, %.0f word pieces each: %.1f texts/s, %.0f word"
              + " pieces/s%n", threads, set == docs ? "abstracts" : "80-char prefixes", set.size(),
              (double) tokens / set.size(), set.size() / s, tokens / s);
        }
      }
    }
  }
}
