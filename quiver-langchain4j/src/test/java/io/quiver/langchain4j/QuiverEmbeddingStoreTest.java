package io.quiver.langchain4j;

import static dev.langchain4j.store.embedding.filter.MetadataFilterBuilder.metadataKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.RelevanceScore;
import dev.langchain4j.store.embedding.filter.Filter;
import dev.langchain4j.store.embedding.filter.comparison.IsEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsGreaterThan;
import dev.langchain4j.store.embedding.filter.comparison.IsGreaterThanOrEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsLessThan;
import dev.langchain4j.store.embedding.filter.comparison.IsLessThanOrEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsNotEqualTo;
import io.quiver.Quiver;
import io.quiver.distance.Metric;
import io.quiver.testing.RandomizedTest;
import io.quiver.text.TextIndexParams;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * QuiverEmbeddingStore on seeded random data: every translated filter selects exactly what LangChain4j's own
 * {@link Filter#test} selects (in searches and in removals), a reopened store finds what was written, scores are
 * LangChain4j's relevance, and bad input fails with a clear error and writes nothing.
 */
@ExtendWith(RandomizedTest.SeedReporter.class)
class QuiverEmbeddingStoreTest extends RandomizedTest {
  private static final int DIM = 16;
  private static final String[] STRINGS = {"alpha", "alphabet", "beta", "Alpha", "gamma ray"};
  private static final float[] FLOATS = {0.1f, 0.25f, 1.1f, 2.5f};
  private static final double[] DOUBLES = {0.1, 0.25, 1.1, 2.5};
  private static final UUID[] UUIDS = {new UUID(1, 2), new UUID(3, 4), new UUID(5, 6)};

  @TempDir
  Path dir;

  private QuiverEmbeddingStore open() {
    return QuiverEmbeddingStore.builder().path(dir).dimension(DIM).build();
  }

  private Embedding randomEmbedding() {
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = (float) random().nextGaussian();
    }
    return Embedding.from(v);
  }

  private Metadata randomMetadata() {
    Random r = random();
    Metadata m = new Metadata();
    if (r.nextInt(4) > 0) {
      m.put("s", STRINGS[r.nextInt(STRINGS.length)]);
    }
    if (r.nextInt(4) > 0) {
      m.put("i", r.nextInt(5) - 2);
    }
    if (r.nextInt(4) > 0) {
      m.put("l", (r.nextBoolean() ? Long.MAX_VALUE / 2 : 0L) + r.nextInt(4));
    }
    if (r.nextInt(4) > 0) {
      m.put("f", FLOATS[r.nextInt(FLOATS.length)]);
    }
    if (r.nextInt(4) > 0) {
      m.put("d", DOUBLES[r.nextInt(DOUBLES.length)]);
    }
    if (r.nextInt(4) > 0) {
      m.put("u", UUIDS[r.nextInt(UUIDS.length)]);
    }
    return m;
  }

  private Filter randomFilter(int depth) {
    Random r = random();
    int kind = depth == 0 ? r.nextInt(9) : r.nextInt(12);
    return switch (kind) {
      case 0 -> metadataKey("s").isEqualTo(STRINGS[r.nextInt(STRINGS.length)]);
      case 1 -> metadataKey("u").isNotEqualTo(UUIDS[r.nextInt(UUIDS.length)]);
      case 2 -> {
        String key = "ilfd".substring(r.nextInt(4)).substring(0, 1);
        Object v = numberFor(key, r);
        yield r.nextBoolean() ? new IsEqualTo(key, v) : new IsNotEqualTo(key, v);
      }
      case 3, 4 -> {
        String key = "ilfd".substring(r.nextInt(4)).substring(0, 1);
        // a long bound beyond 2^53 is refused (ranges compare doubles), as
        // filtersWithoutExactTranslationFailNamingTheConstruct checks
        Comparable<?> v = key.equals("l") ? (Comparable<?>) (long) r.nextInt(4) : (Comparable<?>) numberFor(key, r);
        yield switch (r.nextInt(4)) {
          case 0 -> new IsGreaterThan(key, v);
          case 1 -> new IsGreaterThanOrEqualTo(key, v);
          case 2 -> new IsLessThan(key, v);
          default -> new IsLessThanOrEqualTo(key, v);
        };
      }
      case 5 -> {
        List<Object> values = new ArrayList<>();
        String key = "silfdu".substring(r.nextInt(6)).substring(0, 1);
        int n = 1 + r.nextInt(3);
        for (int i = 0; i < n; i++) {
          values.add(valueFor(key, r));
        }
        yield r.nextBoolean() ? metadataKey(key).isIn(values) : metadataKey(key).isNotIn(values);
      }
      case 6 -> metadataKey("s").containsString(new String[] {"alpha", "bet", "ph", "A", " "}[r.nextInt(5)]);
      case 7 -> metadataKey("s").isNotIn(STRINGS[r.nextInt(STRINGS.length)], STRINGS[r.nextInt(STRINGS.length)]);
      case 8 -> metadataKey("u").isEqualTo(UUIDS[r.nextInt(UUIDS.length)]);
      case 9 -> Filter.and(randomFilter(depth - 1), randomFilter(depth - 1));
      case 10 -> Filter.or(randomFilter(depth - 1), randomFilter(depth - 1));
      default -> Filter.not(randomFilter(depth - 1));
    };
  }

  private static Object valueFor(String key, Random r) {
    return switch (key) {
      case "s" -> STRINGS[r.nextInt(STRINGS.length)];
      case "u" -> UUIDS[r.nextInt(UUIDS.length)];
      default -> numberFor(key, r);
    };
  }

  private static Object numberFor(String key, Random r) {
    return switch (key) {
      case "i" -> r.nextInt(5) - 2;
      case "l" -> (r.nextBoolean() ? Long.MAX_VALUE / 2 : 0L) + r.nextInt(4);
      case "f" -> FLOATS[r.nextInt(FLOATS.length)];
      default -> DOUBLES[r.nextInt(DOUBLES.length)];
    };
  }

  private static Set<String> expected(Map<String, Metadata> docs, Filter filter) {
    return docs.entrySet().stream().filter(e -> filter == null || filter.test(e.getValue())).map(Map.Entry::getKey)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private Set<String> found(QuiverEmbeddingStore store, Filter filter, int n) {
    return store.search(EmbeddingSearchRequest.builder().queryEmbedding(randomEmbedding()).maxResults(n)
        .filter(filter).build()).matches().stream().map(EmbeddingMatch::embeddingId)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private Map<String, Metadata> addRandom(QuiverEmbeddingStore store, int n) {
    List<Embedding> embeddings = new ArrayList<>();
    List<TextSegment> segments = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      embeddings.add(randomEmbedding());
      segments.add(TextSegment.from("segment " + i, randomMetadata()));
    }
    List<String> ids = store.addAll(embeddings, segments);
    Map<String, Metadata> docs = new HashMap<>();
    for (int i = 0; i < n; i++) {
      docs.put(ids.get(i), segments.get(i).metadata());
    }
    return docs;
  }

  @Test
  void searchesSelectWhatLangChain4jFiltersSelect() throws IOException {
    try (QuiverEmbeddingStore store = open()) {
      Map<String, Metadata> docs = addRandom(store, atLeast(60));
      int checks = atLeast(300);
      int selective = 0;
      for (int i = 0; i < checks; i++) {
        Filter filter = randomFilter(3);
        Set<String> want = expected(docs, filter);
        assertThat(found(store, filter, docs.size())).as(filter.toString()).isEqualTo(want);
        selective += !want.isEmpty() && want.size() < docs.size() ? 1 : 0;
      }
      // the comparison is worth something only if most filters select some points but not all
      assertThat(selective).isGreaterThan(checks / 2);
    }
  }

  @Test
  void removalsByFilterRemoveWhatLangChain4jFiltersSelect() throws IOException {
    try (QuiverEmbeddingStore store = open()) {
      int rounds = atLeast(10);
      for (int round = 0; round < rounds; round++) {
        store.removeAll();
        Map<String, Metadata> docs = addRandom(store, atLeast(30));
        Filter filter = randomFilter(2);
        Set<String> kept = expected(docs, Filter.not(filter));
        store.removeAll(filter);
        assertThat(found(store, null, docs.size())).as(filter.toString()).isEqualTo(kept);
      }
    }
  }

  @Test
  void aReopenedStoreFindsItsSegmentsMetadataAndScores() throws IOException {
    Map<String, Metadata> docs;
    Embedding query = randomEmbedding();
    EmbeddingSearchRequest request = EmbeddingSearchRequest.builder().queryEmbedding(query).maxResults(1000).build();
    List<EmbeddingMatch<TextSegment>> before;
    String removed;
    try (QuiverEmbeddingStore store = open()) {
      docs = addRandom(store, atLeast(40));
      removed = docs.keySet().iterator().next();
      store.remove(removed);
      before = store.search(request).matches();
    }
    try (QuiverEmbeddingStore store = QuiverEmbeddingStore.builder().path(dir).createIfMissing(false).build()) {
      List<EmbeddingMatch<TextSegment>> after = store.search(request).matches();
      assertThat(after).hasSize(docs.size() - 1);
      assertThat(after).extracting(EmbeddingMatch::embeddingId).doesNotContain(removed)
          .isEqualTo(before.stream().map(EmbeddingMatch::embeddingId).toList());
      for (int i = 0; i < after.size(); i++) {
        EmbeddingMatch<TextSegment> m = after.get(i);
        assertThat(m.score()).isEqualTo(before.get(i).score());
        assertThat(m.embedded().text()).startsWith("segment ");
        Metadata original = docs.get(m.embeddingId());
        Metadata read = m.embedded().metadata();
        assertThat(read.toMap().keySet()).isEqualTo(original.toMap().keySet());
        assertThat(read.getString("s")).isEqualTo(original.getString("s"));
        assertThat(read.getInteger("i")).isEqualTo(original.getInteger("i"));
        assertThat(read.getLong("l")).isEqualTo(original.getLong("l"));
        assertThat(read.getFloat("f")).isEqualTo(original.getFloat("f"));
        assertThat(read.getDouble("d")).isEqualTo(original.getDouble("d"));
        assertThat(read.getUUID("u")).isEqualTo(original.getUUID("u"));
      }
    }
  }

  @Test
  void matchesCarryRelevanceAndTheUnitNormalizedEmbedding() throws IOException {
    try (QuiverEmbeddingStore store = open()) {
      List<Embedding> embeddings = new ArrayList<>();
      int n = atLeast(20);
      for (int i = 0; i < n; i++) {
        embeddings.add(randomEmbedding());
      }
      List<String> ids = store.addAll(embeddings);
      Embedding query = randomEmbedding();
      List<EmbeddingMatch<TextSegment>> all = store.search(EmbeddingSearchRequest.builder().queryEmbedding(query)
          .maxResults(n).build()).matches();
      assertThat(all).hasSize(n);
      for (EmbeddingMatch<TextSegment> m : all) {
        Embedding added = embeddings.get(ids.indexOf(m.embeddingId()));
        assertThat(m.score()).isCloseTo(RelevanceScore.fromCosineSimilarity(cosine(query, added)), within(1e-6));
        Embedding unit = Embedding.from(added.vector().clone());
        unit.normalize();
        assertThat(m.embedding().vector()).containsExactly(unit.vector(), org.assertj.core.data.Offset.offset(1e-6f));
        assertThat(m.embedded()).isNull();
      }
      double minScore = all.get(random().nextInt(n)).score();
      assertThat(store.search(EmbeddingSearchRequest.builder().queryEmbedding(query).maxResults(n)
          .minScore(minScore).build()).matches()).extracting(EmbeddingMatch::embeddingId)
          .isEqualTo(all.stream().filter(m -> m.score() >= minScore).map(EmbeddingMatch::embeddingId).toList());
    }
  }

  private static double cosine(Embedding a, Embedding b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.dimension(); i++) {
      dot += a.vector()[i] * b.vector()[i];
      na += a.vector()[i] * a.vector()[i];
      nb += b.vector()[i] * b.vector()[i];
    }
    return dot / Math.sqrt(na * nb);
  }

  @Test
  void euclideanRelevanceIsOneOverOnePlusDistance() throws IOException {
    try (QuiverEmbeddingStore store = QuiverEmbeddingStore.builder().path(dir).dimension(DIM).metric(Metric.L2)
        .build()) {
      Embedding a = randomEmbedding();
      Embedding q = randomEmbedding();
      store.add("7", a);
      EmbeddingMatch<TextSegment> m = store.search(EmbeddingSearchRequest.builder().queryEmbedding(q).build())
          .matches().get(0);
      double d = 0;
      for (int i = 0; i < DIM; i++) {
        d += Math.pow(a.vector()[i] - q.vector()[i], 2);
      }
      assertThat(m.embeddingId()).isEqualTo("7");
      assertThat(m.score()).isCloseTo(1 / (1 + Math.sqrt(d)), within(1e-5));
      assertThat(m.embedding().vector()).isEqualTo(a.vector()); // only cosine normalizes
    }
  }

  @Test
  void badInputFailsClearlyAndWritesNothing() throws IOException {
    try (QuiverEmbeddingStore store = open()) {
      Embedding good = randomEmbedding();
      float[] nan = randomEmbedding().vector();
      nan[5] = Float.NaN;
      assertThatThrownBy(() -> store.addAll(List.of(good, Embedding.from(new float[DIM + 1]))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("embedding 1 has 17 dimensions; the collection holds 16");
      assertThatThrownBy(() -> store.addAll(List.of(good, Embedding.from(nan))))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NaN at index 5");
      assertThatThrownBy(() -> store.addAll(List.of("1", "doc-2"), List.of(good, good), null))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'doc-2'")
          .hasMessageContaining("UUIDs or unsigned integers");
      assertThatThrownBy(() -> store.add(good, TextSegment.from("t", new Metadata().put("text_segment", "x"))))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("text_segment");
      assertThatThrownBy(() -> store.addAll(List.of("1"), List.of(good, good), null))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 ids for 2 embeddings");
      assertThat(store.collection().count()).isZero();
      assertThatThrownBy(() -> store.search(EmbeddingSearchRequest.builder().queryEmbedding(Embedding.from(nan))
          .build())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("query embedding");
    }
  }

  @Test
  void filtersWithoutExactTranslationFailNamingTheConstruct() throws IOException {
    try (QuiverEmbeddingStore store = QuiverEmbeddingStore.builder().path(dir).dimension(DIM).build()) {
      store.add(randomEmbedding(), TextSegment.from("x", new Metadata().put("s", "alpha")));
      Filter custom = new Filter() {
        @Override
        public boolean test(Object object) {
          return true;
        }

        @Override
        public String toString() {
          return "MyFilter";
        }
      };
      assertRefused(store, custom, "MyFilter");
      assertRefused(store, Filter.and(metadataKey("s").isEqualTo("alpha"), custom), "MyFilter");
      assertRefused(store, metadataKey("a.b").isEqualTo("x"), "'a.b'");
      assertRefused(store, metadataKey("text_segment").isEqualTo("x"), "segment text");
      assertRefused(store, metadataKey("s").isGreaterThan("b"), "compare numbers only");
      assertRefused(store, metadataKey("l").isLessThan(Long.MAX_VALUE - 1), "exactly");
      assertRefused(store, metadataKey("d").isGreaterThan(Double.NaN), "not a finite number");
      assertThatThrownBy(() -> store.removeAll(custom)).isInstanceOf(UnsupportedOperationException.class);
      assertThat(store.collection().count()).isEqualTo(1);
      // a full-text index makes match.text compare tokens, so containsString is refused on that key
      store.collection().createPayloadIndex("s", TextIndexParams.DEFAULT);
      assertRefused(store, metadataKey("s").containsString("lph"), "full-text index");
    }
  }

  private void assertRefused(QuiverEmbeddingStore store, Filter filter, String message) {
    assertThatThrownBy(() -> store.search(EmbeddingSearchRequest.builder().queryEmbedding(randomEmbedding())
        .filter(filter).build())).isInstanceOf(UnsupportedOperationException.class).hasMessageContaining(message);
  }

  @Test
  void settingsMustAgreeWithTheCollection() throws IOException {
    assertThatThrownBy(() -> QuiverEmbeddingStore.builder().path(dir).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("give its dimension");
    assertThatThrownBy(() -> QuiverEmbeddingStore.builder().path(dir).dimension(DIM).createIfMissing(false).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("createIfMissing is off");
    try (Quiver db = Quiver.open(dir)) {
      QuiverEmbeddingStore.builder().quiver(db).dimension(DIM).build().close(); // leaves the caller's db open
      assertThat(db.collection("langchain4j").config().vector("").size()).isEqualTo(DIM);
      assertThatThrownBy(() -> QuiverEmbeddingStore.builder().quiver(db).dimension(DIM + 1).build())
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("holds vectors of 16 dimensions, not 17");
      assertThatThrownBy(() -> QuiverEmbeddingStore.builder().quiver(db).metric(Metric.DOT).build())
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("uses the COSINE metric, not DOT");
      assertThatThrownBy(() -> QuiverEmbeddingStore.builder().quiver(db).vectorName("text").build())
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no vector field 'text'");
    }
  }
}
