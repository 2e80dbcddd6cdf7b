package io.quiver.collection;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.PointId;
import io.quiver.Quiver;
import io.quiver.distance.Metric;
import io.quiver.filter.Condition;
import io.quiver.filter.Condition.TextMatch.Kind;
import io.quiver.filter.Filter;
import io.quiver.filter.PayloadPath;
import io.quiver.filter.TextMatching;
import io.quiver.payload.FieldSchema;
import io.quiver.testing.RandomizedTest;
import io.quiver.testing.TestVectors;
import io.quiver.text.TextAnalyzer;
import io.quiver.text.TextIndexParams;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Full-text filters through a collection (count, scroll, exact and graph search) on mutable and sealed segments,
 * after reopening, after the index's parameters change and after it is dropped, against brute force over the
 * points written.
 */
class TextIndexCollectionTest extends RandomizedTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> WORDS = List.of("Running", "runs", "the", "cats", "cat", "Café", "cafe",
      "alpha", "beta", "gamma", "quick", "brown", "fox", "gardens", "garden", "to");
  private static final int DIM = 8;

  @TempDir Path dir;

  private final Map<PointId, JsonNode> payloads = new HashMap<>();

  private static String sentence(Random rnd) {
    StringBuilder sb = new StringBuilder();
    for (int i = rnd.nextInt(7); i > 0; i--) {
      sb.append(WORDS.get(rnd.nextInt(WORDS.size()))).append(rnd.nextInt(5) == 0 ? ", " : " ");
    }
    return sb.toString().strip();
  }

  private void write(Collection c, Random rnd, int from, int n) {
    List<Point> batch = new ArrayList<>();
    for (int i = from; i < from + n; i++) {
      ObjectNode p = JSON.createObjectNode();
      if (rnd.nextInt(4) == 0) {
        p.putArray("body").add(sentence(rnd)).add(sentence(rnd));
      } else {
        p.put("body", sentence(rnd));
      }
      p.put("title", sentence(rnd));
      p.put("tag", WORDS.get(rnd.nextInt(WORDS.size())));
      batch.add(Point.of(i, TestVectors.randomVector(rnd, DIM), p));
      payloads.put(PointId.of(i), p);
    }
    c.upsert(batch);
  }

  private static Filter randomFilter(Random rnd) {
    String key = List.of("body", "body", "title", "tag").get(rnd.nextInt(4));
    Kind kind = Kind.values()[rnd.nextInt(Kind.values().length)];
    String text = rnd.nextBoolean() ? WORDS.get(rnd.nextInt(WORDS.size())) : sentence(rnd);
    Condition t = new Condition.TextMatch(key, kind, text);
    return rnd.nextInt(4) == 0 ? Filter.mustNot(t) : Filter.must(t);
  }

  /** The ids that pass {@code f} when "body" is analyzed by {@code body} (null: no text index anywhere). */
  private Set<PointId> expected(Filter f, TextAnalyzer body) {
    Set<PointId> out = new HashSet<>();
    payloads.forEach((id, p) -> {
      Condition.TextMatch t = (Condition.TextMatch) (f.must().isEmpty() ? f.mustNot() : f.must()).get(0);
      List<String> strings = new ArrayList<>();
      PayloadPath.values(p, t.key()).forEach(v -> strings.add(v.textValue()));
      boolean hit = body != null && t.key().equals("body") ? TextMatching.matches(body, t.kind(), t.text(), strings)
          : TextMatching.substring(t.kind(), t.text(), strings);
      if (hit != f.must().isEmpty()) {
        out.add(id);
      }
    });
    return out;
  }

  private void check(Collection c, Random rnd, TextAnalyzer body, String when) {
    for (int i = 0; i < 25; i++) {
      Filter f = randomFilter(rnd);
      Set<PointId> want = expected(f, body);
      assertThat(c.count(f, true)).as("%s: count of %s", when, f).isEqualTo(want.size());
      Set<PointId> scrolled = new HashSet<>();
      c.scroll(ScrollRequest.first(1000).withFilter(f)).points().forEach(r -> scrolled.add(r.id()));
      assertThat(scrolled).as("%s: scroll of %s", when, f).isEqualTo(want);
      float[] q = TestVectors.randomVector(rnd, DIM);
      List<ScoredPoint> exact = c.search(SearchRequest.builder(q).limit(10).filter(f).exact(true).build());
      assertThat(exact).as("%s: exact search of %s", when, f).hasSize(Math.min(10, want.size()));
      exact.forEach(h -> assertThat(want).contains(h.id()));
      c.search(SearchRequest.builder(q).limit(10).filter(f).build())
          .forEach(h -> assertThat(want).as("%s: graph search of %s", when, f).contains(h.id()));
    }
  }

  @Test
  void textFiltersOnMutableAndSealedSegmentsAndAfterReopen() throws Exception {
    Random rnd = random();
    TextIndexParams params = TextIndexParams.builder().stemmer("english").asciiFolding(true).phraseMatching(true)
        .stopwords(TextIndexParams.Stopwords.of("english")).build();
    TextAnalyzer body = new TextAnalyzer(params);
    CollectionConfig cfg = CollectionConfig.builder().vector(VectorParams.of(DIM, Metric.L2)).sealThreshold(100_000)
        .payloadIndex("body", params).payloadIndex("tag", FieldSchema.KEYWORD).build();
    try (Quiver db = Quiver.open(dir)) {
      Collection c = db.createCollection("t", cfg);
      write(c, rnd, 0, 300);
      c.flush();
      write(c, rnd, 300, 200);
      check(c, rnd, body, "sealed and mutable");
    }
    try (Quiver db = Quiver.open(dir)) {
      Collection c = db.collection("t");
      assertThat(c.config().textIndex("body")).isEqualTo(params);
      check(c, rnd, body, "reopened");
      TextIndexParams other = TextIndexParams.builder().tokenizer(TextIndexParams.Tokenizer.PREFIX).minTokenLen(2)
          .maxTokenLen(5).build();
      c.createPayloadIndex("body", other);
      check(c, rnd, new TextAnalyzer(other), "parameters changed");
    }
    try (Quiver db = Quiver.open(dir)) {
      Collection c = db.collection("t");
      TextAnalyzer prefix = new TextAnalyzer(c.config().textIndex("body"));
      assertThat(prefix.params().tokenizer()).isEqualTo(TextIndexParams.Tokenizer.PREFIX);
      check(c, rnd, prefix, "reopened with new parameters");
      assertThat(c.deletePayloadIndex("body")).isTrue();
      check(c, rnd, null, "index dropped");
    }
  }
}
