package io.quiver.langchain4j;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.store.embedding.EmbeddingStore;
import dev.langchain4j.store.embedding.EmbeddingStoreWithRemovalIT;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** LangChain4j's own removal contract (EmbeddingStoreWithRemovalIT), on a fresh embedded database per test. */
class QuiverEmbeddingStoreRemovalTest extends EmbeddingStoreWithRemovalIT {
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
    return QuiverEmbeddingStoreFilteringTest.MODEL;
  }

  @AfterEach
  void close() throws IOException {
    if (store != null) {
      store.close();
    }
  }
}
