package io.quiver.springai;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.test.vectorstore.BaseVectorStoreTests;
import org.springframework.ai.vectorstore.VectorStore;

/** Spring AI's own base vector store tests (spring-ai-test), each on a fresh embedded database. */
class QuiverVectorStoreBaseTest extends BaseVectorStoreTests {
  @TempDir
  Path dir;

  @Override
  protected void executeTest(Consumer<VectorStore> testFunction) {
    try (QuiverVectorStore store = QuiverVectorStore.builder(new HashingEmbeddingModel()).path(dir.resolve("db"))
        .initializeSchema(true).build()) {
      testFunction.accept(store);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
