package io.quiver.payload;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.PointId;
import io.quiver.filter.Condition;
import io.quiver.filter.Condition.TextMatch.Kind;
import io.quiver.filter.Filter;
import io.quiver.text.TextIndexParams;
import java.io.BufferedReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.roaringbitmap.RoaringBitmap;

/**
 * Measures (does not assert) building a text index over SciFact's abstracts and answering text, text_any and phrase
 * filters from it, against the per-point substring fallback without an index. Run with:
 * {@code ./mvnw -B -o -pl quiver-core verify -Dtest=TextIndexMeasurement -Dquiver.measure=true}
 */
@EnabledIfSystemProperty(named = "quiver.measure", matches = "true")
class TextIndexMeasurement {
  private static final Path CORPUS = Path.of("/work/shared/datasets/scifact-minilm-384-cosine/corpus.jsonl");
  private static final List<String> QUERIES = List.of("protein", "cell death", "gene expression in mice",
      "the risk of cancer");

  @Test
  void measure() throws Exception {
    assumeTrue(Files.isRegularFile(CORPUS), "skipping: " + CORPUS + " is absent (needs /work/shared/datasets)");
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> payloads = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(CORPUS)) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        ObjectNode p = json.createObjectNode();
        p.put("text", json.readTree(line).path("text").asText());
        payloads.add(p);
      }
    }
    int n = payloads.size();
    TextIndexParams params = TextIndexParams.builder().phraseMatching(true).stopwords(TextIndexParams.Stopwords
        .of("english")).stemmer("english").build();
    RoaringBitmap live = new RoaringBitmap();
    live.add(0L, n);
    SegmentView view = new SegmentView(live, payloads::get, PointId::of, id -> -1);
    PayloadIndex bare = new PayloadIndex();
    for (int o = 0; o < n; o++) {
      bare.add(o, payloads.get(o));
    }
    for (int round = 0; round < 3; round++) {
      PayloadIndex indexed = new PayloadIndex();
      long t0 = System.nanoTime();
      for (int o = 0; o < n; o++) {
        indexed.add(o, payloads.get(o));
      }
      indexed.createField("text", FieldSchema.TEXT, params, payloads::get);
      long build = System.nanoTime() - t0;
      int bytes = indexed.serialize(1 << 20).length;
      System.out.printf(Locale.ROOT, "round %d: %d abstracts indexed in %.0f ms; serialized %.1f MB%n", round, n,
          build / 1e6, bytes / 1e6);
      for (String q : QUERIES) {
        for (Kind kind : Kind.values()) {
          Filter f = Filter.must(new Condition.TextMatch("text", kind, q));
          int reps = 50;
          long a = System.nanoTime();
          int hits = 0;
          for (int i = 0; i < reps; i++) {
            hits = indexed.evaluate(f, view).getCardinality();
          }
          double indexedUs = (System.nanoTime() - a) / 1e3 / reps;
          a = System.nanoTime();
          int substring = 0;
          for (int i = 0; i < 5; i++) {
            substring = bare.evaluate(f, view).getCardinality();
          }
          double bareUs = (System.nanoTime() - a) / 1e3 / 5;
          if (round == 2) {
            System.out.printf(Locale.ROOT, "  %-8s %-26s indexed %5d hits %8.1f us | substring %5d hits %8.1f us%n",
                kind.qdrantName(), "\"" + q + "\"", hits, indexedUs, substring, bareUs);
          }
        }
      }
    }
  }
}
