package io.quiver.springai;

import io.micrometer.observation.ObservationRegistry;
import io.quiver.Quiver;
import io.quiver.distance.Metric;
import java.io.IOException;
import java.nio.file.Path;
import org.springframework.ai.embedding.BatchingStrategy;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.vectorstore.SpringAIVectorStoreTypes;
import org.springframework.ai.vectorstore.VectorStore;
import org.springframework.ai.vectorstore.observation.VectorStoreObservationConvention;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Spring Boot auto-configuration: an embedded {@link Quiver} database at {@code quiver.path} (closed with the
 * context) and a {@link QuiverVectorStore} on it, embedding with the context's {@link EmbeddingModel}, unless the
 * application defines a {@link VectorStore} of its own or {@code spring.ai.vectorstore.type} names another store (as
 * Spring AI's store auto-configurations do). The database bean backs off when the application defines a
 * {@link Quiver}. Settings: {@link QuiverProperties}.
 *
 * <p>The store requires the embedding model instead of being conditional on it: a model defined by another
 * auto-configuration may be registered after this one is evaluated, and a condition would then drop the store
 * without a word; a missing model fails the startup naming it.
 */
@AutoConfiguration
@ConditionalOnClass({Quiver.class, VectorStore.class, EmbeddingModel.class})
@ConditionalOnProperty(name = SpringAIVectorStoreTypes.TYPE, havingValue = "quiver", matchIfMissing = true)
@EnableConfigurationProperties(QuiverProperties.class)
public class QuiverVectorStoreAutoConfiguration {

  /** The database; the context closes it (flushing the collections) when it shuts down. */
  @Bean(destroyMethod = "close")
  // opened only for the store below (no store, no database directory), and not beside the application's own
  @ConditionalOnMissingBean({Quiver.class, VectorStore.class})
  Quiver quiver(QuiverProperties properties) throws IOException {
    return Quiver.open(Path.of(properties.getPath()));
  }

  @Bean
  @ConditionalOnMissingBean(VectorStore.class)
  QuiverVectorStore quiverVectorStore(Quiver quiver, EmbeddingModel embeddingModel, QuiverProperties properties,
      ObjectProvider<ObservationRegistry> observationRegistry,
      ObjectProvider<VectorStoreObservationConvention> convention, ObjectProvider<BatchingStrategy> batching) {
    QuiverVectorStore.Builder b = QuiverVectorStore.builder(embeddingModel).quiver(quiver)
        .collectionName(properties.getCollection()).initializeSchema(properties.isInitializeSchema())
        .contentKey(properties.getContentKey())
        .observationRegistry(observationRegistry.getIfUnique(() -> ObservationRegistry.NOOP));
    convention.ifAvailable(b::customObservationConvention);
    batching.ifAvailable(b::batchingStrategy);
    if (properties.getMetric() != null) {
      b.metric(Metric.parse(properties.getMetric()));
    }
    if (properties.getDimension() != null) {
      b.dimension(properties.getDimension());
    }
    return b.build();
  }
}
