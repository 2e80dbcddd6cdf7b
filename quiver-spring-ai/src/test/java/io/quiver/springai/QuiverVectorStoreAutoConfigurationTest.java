package io.quiver.springai;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.Quiver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.vectorstore.SearchRequest;
import org.springframework.ai.vectorstore.SimpleVectorStore;
import org.springframework.ai.vectorstore.VectorStore;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;

/** Boots QuiverVectorStoreAutoConfiguration as an application would find it, with quiver.* properties. */
class QuiverVectorStoreAutoConfigurationTest {
  @TempDir
  Path dir;

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(QuiverVectorStoreAutoConfiguration.class))
      .withBean(EmbeddingModel.class, HashingEmbeddingModel::new);

  @Test
  void theImportsFileRegistersTheAutoConfiguration() throws Exception {
    try (var in = getClass().getResourceAsStream(
        "/META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports")) {
      assertThat(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip())
          .isEqualTo(QuiverVectorStoreAutoConfiguration.class.getName());
    }
  }

  @Test
  void propertiesConfigureADurableStoreThatTheContextCloses() throws Exception {
    Path data = dir.resolve("data");
    runner.withPropertyValues("quiver.path=" + data, "quiver.collection=docs", "quiver.initialize-schema=true",
        "quiver.metric=cosine").run(context -> {
          assertThat(context).hasNotFailed().hasSingleBean(VectorStore.class).hasSingleBean(Quiver.class);
          VectorStore store = context.getBean(VectorStore.class);
          assertThat(store).isInstanceOf(QuiverVectorStore.class);
          store.add(List.of(new Document("winter river", Map.of("country", "NL")),
              new Document("summer stone", Map.of("country", "BG"))));
          List<Document> hits = store.similaritySearch(SearchRequest.builder().query("river").topK(5)
              .filterExpression("country == 'NL'").build());
          assertThat(hits).extracting(Document::getText).containsExactly("winter river");
        });
    // the context closed the database: the directory opens again, with the documents in it
    try (Quiver db = Quiver.open(data)) {
      assertThat(db.collection("docs").count()).isEqualTo(2);
      assertThat(db.collection("docs").config().vector("").size()).isEqualTo(HashingEmbeddingModel.DIMENSION);
    }
  }

  @Test
  void aMissingCollectionFailsTheStartupUnlessInitializeSchemaIsSet() {
    runner.withPropertyValues("quiver.path=" + dir.resolve("data")).run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("quiver.initialize-schema");
    });
  }

  @Test
  void anUnknownMetricFailsTheStartupNamingIt() {
    runner.withPropertyValues("quiver.path=" + dir.resolve("data"), "quiver.initialize-schema=true",
        "quiver.metric=hamming").run(context -> {
          assertThat(context).hasFailed();
          assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("unknown metric 'hamming'");
        });
  }

  @Test
  void dimensionAndMetricPropertiesCreateTheCollection() throws Exception {
    Path data = dir.resolve("data");
    runner.withPropertyValues("quiver.path=" + data, "quiver.initialize-schema=true", "quiver.metric=euclid",
        "quiver.dimension=" + HashingEmbeddingModel.DIMENSION).run(context -> assertThat(context).hasNotFailed());
    try (Quiver db = Quiver.open(data)) {
      assertThat(db.collection("spring_ai").config().vector("").metric()).isEqualTo(io.quiver.distance.Metric.L2);
    }
  }

  @Test
  void backsOffBesideTheApplicationsOwnStoreOrAnotherStoreType() {
    Path data = dir.resolve("data");
    runner.withPropertyValues("quiver.path=" + data)
        .withBean(VectorStore.class, () -> SimpleVectorStore.builder(new HashingEmbeddingModel()).build())
        .run(context -> {
          assertThat(context).hasNotFailed().hasSingleBean(VectorStore.class).doesNotHaveBean(Quiver.class)
              .getBean(VectorStore.class).isInstanceOf(SimpleVectorStore.class);
        });
    runner.withPropertyValues("quiver.path=" + data, "spring.ai.vectorstore.type=pgvector").run(context -> {
      assertThat(context).hasNotFailed().doesNotHaveBean(VectorStore.class).doesNotHaveBean(Quiver.class);
    });
    assertThat(Files.exists(data)).isFalse(); // no store, no database directory
  }

  @Test
  void withoutAnEmbeddingModelTheStartupFailsNamingIt() {
    new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(QuiverVectorStoreAutoConfiguration.class))
        .withPropertyValues("quiver.path=" + dir.resolve("data"), "quiver.initialize-schema=true").run(context -> {
          assertThat(context).hasFailed();
          assertThat(context.getStartupFailure()).hasStackTraceContaining(EmbeddingModel.class.getName());
        });
  }

  /** An embedding model from an auto-configuration that Boot evaluates after Quiver's. */
  @AutoConfiguration(after = QuiverVectorStoreAutoConfiguration.class)
  static class LaterModelAutoConfiguration {
    @Bean
    EmbeddingModel embeddingModel() {
      return new HashingEmbeddingModel();
    }
  }

  @Test
  void findsAModelThatAnotherAutoConfigurationDefinesLater() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(LaterModelAutoConfiguration.class,
            QuiverVectorStoreAutoConfiguration.class))
        .withPropertyValues("quiver.path=" + dir.resolve("data"), "quiver.initialize-schema=true")
        .run(context -> assertThat(context).hasNotFailed().hasSingleBean(QuiverVectorStore.class));
  }

  @Test
  void usesTheApplicationsOwnDatabase() throws Exception {
    Path own = dir.resolve("own");
    runner.withPropertyValues("quiver.initialize-schema=true", "quiver.path=" + dir.resolve("unused"))
        .withBean(Quiver.class, () -> open(own)).run(context -> {
          assertThat(context).hasNotFailed().hasSingleBean(Quiver.class);
          context.getBean(VectorStore.class).add(List.of(new Document("winter river")));
        });
    assertThat(Files.exists(dir.resolve("unused"))).isFalse();
    try (Quiver db = Quiver.open(own)) { // the context closed the application's database, as any AutoCloseable bean
      assertThat(db.collection("spring_ai").count()).isEqualTo(1);
    }
  }

  private static Quiver open(Path path) {
    try {
      return Quiver.open(path);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
