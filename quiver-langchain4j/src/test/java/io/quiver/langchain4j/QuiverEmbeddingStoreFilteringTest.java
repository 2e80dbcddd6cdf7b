package io.quiver.langchain4j;

import static dev.langchain4j.store.embedding.filter.MetadataFilterBuilder.metadataKey;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.EmbeddingStore;
import dev.langchain4j.store.embedding.EmbeddingStoreWithFilteringIT;
import dev.langchain4j.store.embedding.filter.Filter;
import dev.langchain4j.store.embedding.filter.comparison.IsGreaterThan;
import dev.langchain4j.store.embedding.filter.comparison.IsGreaterThanOrEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsLessThan;
import dev.langchain4j.store.embedding.filter.comparison.IsLessThanOrEqualTo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * LangChain4j's own contract for stores with metadata filtering (EmbeddingStoreIT and EmbeddingStoreWithFilteringIT
 * from langchain4j-core's test jar), run on a fresh embedded database per test. The one departure: the contract's
 * string ordering cases ({@code isGreaterThan("b")} and the like) are checked to fail with a clear error instead,
 * since Quiver's ranges compare numbers only.
 */
class QuiverEmbeddingStoreFilteringTest extends EmbeddingStoreWithFilteringIT {
  static final EmbeddingModel MODEL = new AllMiniLmL6V2EmbeddingModel();

  @TempDir
  Path dir;
  private QuiverEmbeddingStore store;

  @Override
  protected EmbeddingStore<TextSegment> embeddingStore() {
    if (store == null) {
      store = QuiverEmbeddingStore.builder().path(dir.resolve("db")).dimension(384).build();
    }
    return store;
  }

  @Override
  protected EmbeddingModel embeddingModel() {
    return MODEL;
  }

  @Override
  protected void clearStore() {
    embeddingStore().removeAll();
  }

  @Override
  protected boolean supportsContains() {
    return true;
  }

  @AfterEach
  void close() throws IOException {
    if (store != null) {
      store.close();
    }
  }

  /**
   * Quiver stores cosine vectors unit-normalized (as Qdrant does), so a match returns the normalized embedding, which
   * differs from the model's in the last digits; {@code QuiverEmbeddingStoreTest} checks it is the normalized input.
   */
  @Override
  protected boolean assertEmbedding() {
    return false;
  }

  @Override
  @ParameterizedTest
  @MethodSource("numericAndEqualityCases")
  protected void should_filter_by_metadata(Filter metadataFilter, List<Metadata> matchingMetadatas,
      List<Metadata> notMatchingMetadatas) {
    super.should_filter_by_metadata(metadataFilter, matchingMetadatas, notMatchingMetadatas);
  }

  /** The contract's cases without the string-ordering ones. */
  static Stream<Arguments> numericAndEqualityCases() {
    return EmbeddingStoreWithFilteringIT.should_filter_by_metadata().filter(a -> !ordersStrings((Filter) a.get()[0]));
  }

  /** The contract's string-ordering cases. */
  static Stream<Arguments> stringOrderingCases() {
    return EmbeddingStoreWithFilteringIT.should_filter_by_metadata().filter(a -> ordersStrings((Filter) a.get()[0]));
  }

  private static boolean ordersStrings(Filter f) {
    Object bound = switch (f) {
      case IsGreaterThan g -> g.comparisonValue();
      case IsGreaterThanOrEqualTo g -> g.comparisonValue();
      case IsLessThan l -> l.comparisonValue();
      case IsLessThanOrEqualTo l -> l.comparisonValue();
      default -> null;
    };
    return bound instanceof String;
  }

  @ParameterizedTest
  @MethodSource("stringOrderingCases")
  void string_ordering_fails_clearly(Filter filter) {
    EmbeddingSearchRequest request = EmbeddingSearchRequest.builder()
        .queryEmbedding(embeddingModel().embed("matching").content()).filter(filter).maxResults(10).build();
    assertThatThrownBy(() -> embeddingStore().search(request)).isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("on key 'key'").hasMessageContaining("compare numbers only");
  }

  @Test
  void string_ordering_cases_exist() {
    // guards the exclusion above: the contract still has string-ordering cases, and only those are left out
    org.assertj.core.api.Assertions.assertThat(stringOrderingCases().count()).isEqualTo(4);
    org.assertj.core.api.Assertions.assertThat(numericAndEqualityCases().count())
        .isEqualTo(EmbeddingStoreWithFilteringIT.should_filter_by_metadata().count() - 4);
    org.assertj.core.api.Assertions.assertThat(metadataKey("key").isGreaterThan("b")).isInstanceOf(IsGreaterThan.class);
  }
}
