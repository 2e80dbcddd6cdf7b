package io.quiver.text;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.quiver.text.EnglishAnalysis.Stemming;
import io.quiver.text.EnglishAnalysis.StopList;
import io.quiver.text.QuiverBm25.QueryWeighting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Measures (does not assert) retrieval quality of the BM25 encoders on the shared SciFact and Cranfield sets:
 * nDCG@10 and recall@100 of brute-force sparse dot-product retrieval with the {@code idf} modifier, for
 * {@code qdrant/bm25} at avg_len 256 and at the corpus mean, and {@code quiver/bm25} with its default and its
 * measured alternatives, and single-threaded document encoding speed (one pass, no warm-up: indicative). Run by
 * hand: {@code ./mvnw -B -ntp -o test -pl quiver-core
 * -Dtest=RetrievalQualityMeasurement -Dsurefire.failIfNoSpecifiedTests=false -Dquiver.measure=true
 * -Dquiver.datasets=/work/shared/datasets}.
 */
@Tag("slow")
@EnabledIfSystemProperty(named = "quiver.measure", matches = "true")
class RetrievalQualityMeasurement {
  @Test
  void measure() {
    Path root = Path.of(System.getProperty("quiver.datasets", "../shared/datasets"));
    Path scifact = root.resolve("scifact-minilm-384-cosine");
    Path cranfield = root.resolve("cranfield-text");
    assumeTrue(Files.isDirectory(scifact) && Files.isDirectory(cranfield),
        "skipped: shared data sets not present under " + root.toAbsolutePath());
    run(BeirSet.load(scifact, IntUnaryOperator.identity()));
    run(BeirSet.load(cranfield, grade -> 5 - grade));
  }

  private static void run(BeirSet set) {
    System.out.printf(Locale.ROOT, "%n%s: %d documents, %d queries%n", set.name(), set.docIds().size(),
        set.queryIds().size());
    System.out.printf(Locale.ROOT, "%-58s %8s %10s %10s%n", "method", "nDCG@10", "recall@100", "docs/s");
    QdrantBm25 q256 = QdrantBm25.withDefaults();
    double mean = set.docTexts().stream().mapToInt(t -> q256.tokens(t).size()).average().orElse(1);
    report(set, "qdrant/bm25 avg_len 256", q256);
    report(set, String.format(Locale.ROOT, "qdrant/bm25 avg_len %.1f (corpus mean)", mean),
        new QdrantBm25(Bm25Options.builder().avgLen(mean).build()));
    List<QuiverBm25.Config> configs = new ArrayList<>();
    QuiverBm25.Config d = QuiverBm25.Config.DEFAULTS;
    configs.add(d);
    for (StopList s : StopList.values()) {
      for (Stemming st : new Stemming[] {Stemming.PORTER, Stemming.SNOWBALL}) {
        for (QueryWeighting q : QueryWeighting.values()) {
          QuiverBm25.Config c = d.with(s, st, q);
          if (!c.equals(d)) {
            configs.add(c);
          }
        }
      }
    }
    configs.add(d.withK1(0.9).withB(0.4));
    for (QuiverBm25.Config c : configs) {
      try (QuiverBm25 probe = new QuiverBm25(c, CorpusStats.fixed(1))) {
        double avg = set.docTexts().stream().mapToInt(probe::documentLength).average().orElse(1);
        try (QuiverBm25 enc = new QuiverBm25(c, CorpusStats.fixed(avg))) {
          report(set, String.format(Locale.ROOT, "quiver/bm25%s k1 %.1f b %.2f stop %s stem %s query %s",
              c.equals(d) ? " (default)" : "", c.k1(), c.b(), c.stopList(), c.stemming(), c.queryWeighting()), enc);
        }
      }
    }
  }

  private static void report(BeirSet set, String name, SparseTextEncoder encoder) {
    long t0 = System.nanoTime();
    List<TermWeights> docs = set.docTexts().stream().map(encoder::encodeDocument).toList();
    double docsPerSecond = docs.size() / ((System.nanoTime() - t0) / 1e9);
    List<TermWeights> queries = set.queryTexts().stream().map(encoder::encodeQuery).toList();
    double[] r = SparseRetrievalEval.evaluate(set, docs, queries);
    System.out.printf(Locale.ROOT, "%-58s %8.4f %10.4f %10.0f%n", name, r[0], r[1], docsPerSecond);
  }
}
