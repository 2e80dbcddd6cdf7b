package io.quiver.springai;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code quiver.*} settings of {@link QuiverVectorStoreAutoConfiguration}.
 *
 * <ul>
 *   <li>{@code quiver.path}: the database directory (default {@code quiver-data});
 *   <li>{@code quiver.collection}: the collection name (default {@code spring_ai});
 *   <li>{@code quiver.dimension}: the embeddings' dimension (default: the embedding model's, when creating);
 *   <li>{@code quiver.metric}: {@code cosine}, {@code dot}, {@code euclid} or {@code manhattan}, checked against an
 *       existing collection (default: cosine when creating, an existing collection's otherwise);
 *   <li>{@code quiver.initialize-schema}: create the collection when missing (default false, as Spring AI's stores);
 *   <li>{@code quiver.content-key}: the payload key of a document's text (default {@code doc_content}).
 * </ul>
 */
@ConfigurationProperties(prefix = "quiver")
public class QuiverProperties {
  private String path = "quiver-data";
  private String collection = "spring_ai";
  private Integer dimension;
  private String metric;
  private boolean initializeSchema;
  private String contentKey = "doc_content";

  public String getPath() {
    return path;
  }

  public void setPath(String path) {
    this.path = path;
  }

  public String getCollection() {
    return collection;
  }

  public void setCollection(String collection) {
    this.collection = collection;
  }

  public Integer getDimension() {
    return dimension;
  }

  public void setDimension(Integer dimension) {
    this.dimension = dimension;
  }

  public String getMetric() {
    return metric;
  }

  public void setMetric(String metric) {
    this.metric = metric;
  }

  public boolean isInitializeSchema() {
    return initializeSchema;
  }

  public void setInitializeSchema(boolean initializeSchema) {
    this.initializeSchema = initializeSchema;
  }

  public String getContentKey() {
    return contentKey;
  }

  public void setContentKey(String contentKey) {
    this.contentKey = contentKey;
  }
}
