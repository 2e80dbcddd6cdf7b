package io.quiver.agent.episode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.PointId;
import io.quiver.collection.CollectionConfig;
import io.quiver.collection.SparseVectorParams;
import io.quiver.collection.VectorParams;
import io.quiver.distance.Metric;
import io.quiver.index.hnsw.HnswConfig;
import io.quiver.payload.FieldSchema;
import java.util.ArrayList;
import java.util.List;

/**
 * How episodes are laid out in their collection: point id = episode id; dense field {@value #DENSE} (the embedder's
 * vector of the task, cosine); sparse field {@value #SPARSE} ({@code quiver/bm25} of task and critique, IDF applied
 * by the collection); the other fields in the payload under AgentDB's column names, with payload indexes on every
 * field a filter uses.
 */
final class EpisodeSchema {
  static final String COLLECTION = "agent_episodes";
  static final String DENSE = "task";
  static final String SPARSE = "bm25";

  static final String SESSION = "session_id";
  static final String TASK = "task";
  static final String INPUT = "input";
  static final String OUTPUT = "output";
  static final String CRITIQUE = "critique";
  static final String REWARD = "reward";
  static final String SUCCESS = "success";
  static final String LATENCY = "latency_ms";
  static final String TOKENS = "tokens";
  static final String TAGS = "tags";
  static final String METADATA = "metadata";
  static final String TS = "ts";

  /** Points left unlinked while writes keep arriving: exact scans do not need the graph. */
  static final int INDEXING_LAG = 1_000_000;

  private EpisodeSchema() {}

  /**
   * The collection's layout for vectors of {@code dimension}. Every episode query is an exact scan of the filtered
   * points, so the graph the collection builds in the background is never searched: it is kept as small as allowed
   * (m 4, no payload links) and deferred while writes keep arriving ({@link #INDEXING_LAG}), so that it takes
   * little of the cores writers need.
   */
  static CollectionConfig config(int dimension) {
    HnswConfig graph = HnswConfig.builder().m(4).efConstruction(16).payloadM(0).build();
    return CollectionConfig.builder()
        .vector(DENSE, VectorParams.of(dimension, Metric.COSINE).withHnsw(graph))
        .sparseVector(SPARSE, SparseVectorParams.of(SparseVectorParams.Modifier.IDF))
        .indexingLag(INDEXING_LAG)
        .payloadIndex(SESSION, FieldSchema.KEYWORD)
        .payloadIndex(TASK, FieldSchema.KEYWORD)
        .payloadIndex(SUCCESS, FieldSchema.BOOL)
        .payloadIndex(REWARD, FieldSchema.FLOAT)
        .payloadIndex(TS, FieldSchema.INTEGER)
        .payloadIndex(TAGS, FieldSchema.KEYWORD)
        .build();
  }

  /** The text keyword search indexes: the task, then the critique. */
  static String keywordText(String task, String critique) {
    return critique == null || critique.isEmpty() ? task : task + "\n" + critique;
  }

  static ObjectNode payload(Episode e) {
    ObjectNode p = JsonNodeFactory.instance.objectNode();
    p.put(TS, e.ts());
    p.put(SESSION, e.sessionId());
    p.put(TASK, e.task());
    p.put(INPUT, e.input());
    p.put(OUTPUT, e.output());
    p.put(CRITIQUE, e.critique());
    p.put(REWARD, e.reward());
    p.put(SUCCESS, e.success());
    p.put(LATENCY, e.latencyMs());
    p.put(TOKENS, e.tokens());
    ArrayNode tags = p.putArray(TAGS);
    e.tags().forEach(tags::add);
    p.set(METADATA, e.metadata());
    return p;
  }

  static Episode episode(PointId id, JsonNode p) {
    List<String> tags = new ArrayList<>();
    p.path(TAGS).forEach(t -> tags.add(t.asText()));
    JsonNode meta = p.path(METADATA);
    return new Episode(((PointId.Num) id).value(), p.path(TS).asLong(), p.path(SESSION).asText(),
        p.path(TASK).asText(), p.path(INPUT).asText(), p.path(OUTPUT).asText(), p.path(CRITIQUE).asText(),
        p.path(REWARD).asDouble(), p.path(SUCCESS).asBoolean(), p.path(LATENCY).asDouble(), p.path(TOKENS).asLong(),
        tags, meta.isObject() ? (ObjectNode) meta : JsonNodeFactory.instance.objectNode());
  }
}
