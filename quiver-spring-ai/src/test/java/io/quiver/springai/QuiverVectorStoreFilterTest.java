package io.quiver.springai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.testing.RandomizedTest;
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
import org.springframework.ai.document.Document;
import org.springframework.ai.vectorstore.SearchRequest;
import org.springframework.ai.vectorstore.SimpleVectorStore;
import org.springframework.ai.vectorstore.VectorStore;
import org.springframework.ai.vectorstore.filter.Filter;
import org.springframework.ai.vectorstore.filter.FilterExpressionBuilder;
import org.springframework.ai.vectorstore.filter.FilterExpressionBuilder.Op;
import org.springframework.ai.vectorstore.filter.FilterExpressionTextParser;

/**
 * Filter expressions against Spring AI's own reference: the same random documents go into a {@link QuiverVectorStore}
 * and Spring AI's in-memory {@code SimpleVectorStore} (which evaluates expressions with SpEL), random expressions
 * (built, and also printed to text and parsed back) must select the same ids in searches and in deletes.
 *
 * <p>Range keys ({@code year}, {@code price}) are on every document: on a missing key SpEL orders null below every
 * number, where Quiver (like Qdrant and PgVector) lets no range hold.
 */
@ExtendWith(RandomizedTest.SeedReporter.class)
class QuiverVectorStoreFilterTest extends RandomizedTest {
  private static final String[] COUNTRIES = {"BG", "NL", "DE", "FR"};
  private static final String[] TAGS = {"news", "blog", "paper"};

  @TempDir
  Path dir;

  private final FilterExpressionBuilder b = new FilterExpressionBuilder();

  @Test
  void searchesSelectWhatSpringAiSelects() throws IOException {
    HashingEmbeddingModel model = new HashingEmbeddingModel();
    List<Document> docs = randomDocuments(atLeast(60));
    SimpleVectorStore reference = SimpleVectorStore.builder(model).build();
    reference.add(copies(docs));
    try (QuiverVectorStore store = QuiverVectorStore.builder(model).path(dir).initializeSchema(true).build()) {
      store.add(copies(docs));
      int checks = atLeast(150);
      int selective = 0;
      for (int i = 0; i < checks; i++) {
        Filter.Expression filter = randomFilter(random(), 3);
        assertSameIds(store, reference, filter, docs.size());
        int hits = ids(store, filter, docs.size()).size();
        selective += hits > 0 && hits < docs.size() ? 1 : 0;
        // the same expression as text, through Spring AI's parser
        String text = asText(filter);
        Filter.Expression parsed = new FilterExpressionTextParser().parse(text);
        assertThat(ids(store, parsed, docs.size())).as(text).isEqualTo(ids(reference, filter, docs.size()));
      }
      // the comparison is worth something only if most filters select some documents but not all
      assertThat(selective).isGreaterThan(checks / 2);
    }
  }

  @Test
  void deletesRemoveWhatSpringAiRemoves() throws IOException {
    HashingEmbeddingModel model = new HashingEmbeddingModel();
    int rounds = atLeast(8);
    for (int round = 0; round < rounds; round++) {
      List<Document> docs = randomDocuments(atLeast(30));
      SimpleVectorStore reference = SimpleVectorStore.builder(model).build();
      reference.add(copies(docs));
      try (QuiverVectorStore store = QuiverVectorStore.builder(model).path(dir.resolve("r" + round))
          .initializeSchema(true).build()) {
        store.add(copies(docs));
        Filter.Expression filter = randomFilter(random(), 2);
        store.delete(filter);
        reference.delete(filter);
        assertSameIds(store, reference, null, docs.size());
      }
    }
  }

  private void assertSameIds(VectorStore store, VectorStore reference, Filter.Expression filter, int n) {
    assertThat(ids(store, filter, n)).as(String.valueOf(filter)).isEqualTo(ids(reference, filter, n));
  }

  private static Set<String> ids(VectorStore store, Filter.Expression filter, int n) {
    SearchRequest.Builder r = SearchRequest.builder().query("the world news").topK(n).similarityThresholdAll();
    if (filter != null) {
      r.filterExpression(filter);
    }
    return store.similaritySearch(r.build()).stream().map(Document::getId)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /** Fresh documents with the same ids, text and metadata: stores may annotate what they are given. */
  private static List<Document> copies(List<Document> docs) {
    return docs.stream().map(d -> new Document(d.getId(), d.getText(), new HashMap<>(d.getMetadata()))).toList();
  }

  private List<Document> randomDocuments(int n) {
    Random r = random();
    List<Document> docs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Map<String, Object> m = new HashMap<>();
      m.put("country", COUNTRIES[r.nextInt(COUNTRIES.length)]);
      m.put("year", 2015 + r.nextInt(10));
      m.put("price", r.nextInt(20) / 4.0);
      if (r.nextBoolean()) {
        m.put("tag", TAGS[r.nextInt(TAGS.length)]);
      }
      if (r.nextBoolean()) {
        m.put("draft", r.nextBoolean());
      }
      String text = "the world " + TAGS[r.nextInt(TAGS.length)] + " number " + i;
      docs.add(new Document(new UUID(r.nextLong(), r.nextLong()).toString(), text, m));
    }
    return docs;
  }

  private Filter.Expression randomFilter(Random r, int depth) {
    return op(r, depth).build();
  }

  private Op op(Random r, int depth) {
    int kind = depth == 0 ? r.nextInt(8) : r.nextInt(11);
    return switch (kind) {
      case 0 -> b.eq(stringKey(r), stringValue(r));
      case 1 -> b.ne(stringKey(r), stringValue(r));
      case 2 -> r.nextBoolean() ? b.eq("year", 2015 + r.nextInt(10)) : b.eq("price", r.nextInt(20) / 4.0);
      case 3 -> b.eq("draft", r.nextBoolean());
      case 4 -> {
        String key = r.nextBoolean() ? "year" : "price";
        Object bound = key.equals("year") ? (Object) (2015 + r.nextInt(10)) : (Object) (r.nextInt(20) / 4.0);
        yield switch (r.nextInt(4)) {
          case 0 -> b.gt(key, bound);
          case 1 -> b.gte(key, bound);
          case 2 -> b.lt(key, bound);
          default -> b.lte(key, bound);
        };
      }
      case 5 -> b.in(stringKey(r), stringValues(r));
      case 6 -> b.nin(stringKey(r), stringValues(r));
      case 7 -> r.nextBoolean() ? b.in("year", 2016, 2018 + r.nextInt(5)) : b.nin("price", 0.25, r.nextInt(20) / 4.0);
      case 8 -> b.and(op(r, depth - 1), op(r, depth - 1));
      case 9 -> b.or(op(r, depth - 1), op(r, depth - 1));
      default -> b.not(b.group(op(r, depth - 1)));
    };
  }

  private static String stringKey(Random r) {
    return r.nextBoolean() ? "country" : "tag";
  }

  private static String stringValue(Random r) {
    return r.nextBoolean() ? COUNTRIES[r.nextInt(COUNTRIES.length)] : TAGS[r.nextInt(TAGS.length)];
  }

  private static List<Object> stringValues(Random r) {
    List<Object> values = new ArrayList<>();
    int n = 1 + r.nextInt(3);
    for (int i = 0; i < n; i++) {
      values.add(stringValue(r));
    }
    return values;
  }

  /** Spring AI's text syntax for an expression built above, every compound operand in parentheses. */
  private static String asText(Filter.Operand operand) {
    return switch (operand) {
      case Filter.Group g -> "(" + asText(g.content()) + ")";
      case Filter.Key k -> k.key();
      case Filter.Value v -> v.value() instanceof List<?> list
          ? list.stream().map(QuiverVectorStoreFilterTest::literal).collect(Collectors.joining(", ", "[", "]"))
          : literal(v.value());
      case Filter.Expression e -> switch (e.type()) {
        case AND -> "(" + asText(e.left()) + ") && (" + asText(e.right()) + ")";
        case OR -> "(" + asText(e.left()) + ") || (" + asText(e.right()) + ")";
        case NOT -> "not (" + asText(e.left()) + ")";
        case EQ -> asText(e.left()) + " == " + asText(e.right());
        case NE -> asText(e.left()) + " != " + asText(e.right());
        case GT -> asText(e.left()) + " > " + asText(e.right());
        case GTE -> asText(e.left()) + " >= " + asText(e.right());
        case LT -> asText(e.left()) + " < " + asText(e.right());
        case LTE -> asText(e.left()) + " <= " + asText(e.right());
        case IN -> asText(e.left()) + " in " + asText(e.right());
        case NIN -> asText(e.left()) + " nin " + asText(e.right());
        default -> throw new IllegalArgumentException(e.type().toString());
      };
      default -> throw new IllegalArgumentException(operand.toString());
    };
  }

  private static String literal(Object v) {
    return v instanceof String s ? "'" + s + "'" : String.valueOf(v);
  }

  @Test
  void constructsWithoutExactTranslationFailClearly() throws IOException {
    try (QuiverVectorStore store = QuiverVectorStore.builder(new HashingEmbeddingModel()).path(dir)
        .initializeSchema(true).build()) {
      store.add(List.of(new Document("a text", Map.of("country", "BG", "year", 2020))));
      assertThatThrownBy(() -> search(store, "country > 'AA'")).isInstanceOf(UnsupportedOperationException.class)
          .hasMessageContaining("compare numbers only");
      assertThatThrownBy(() -> search(store, b.isNull("country").build()))
          .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("ISNULL");
      assertThatThrownBy(() -> search(store, b.and(b.eq("year", 2020), b.isNotNull("country")).build()))
          .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("ISNOTNULL");
      assertThatThrownBy(() -> search(store, b.eq("doc_content", "a text").build()))
          .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("document text");
      assertThatThrownBy(() -> search(store, b.eq("tags[]", "x").build()))
          .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("tags[]");
      assertThatThrownBy(() -> search(store, b.eq("year", Double.NaN).build()))
          .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("NaN");
      assertThatThrownBy(() -> store.delete(b.gt("country", "A").build()))
          .isInstanceOf(UnsupportedOperationException.class);
      // a refused delete deleted nothing
      assertThat(store.collection().count()).isEqualTo(1);
    }
  }

  private static List<Document> search(VectorStore store, String filter) {
    return store.similaritySearch(SearchRequest.builder().query("a text").filterExpression(filter).build());
  }

  private static List<Document> search(VectorStore store, Filter.Expression filter) {
    return store.similaritySearch(SearchRequest.builder().query("a text").filterExpression(filter).build());
  }
}
