package io.quiver.collection;

import io.quiver.distance.Metric;
import io.quiver.payload.FieldSchema;
import io.quiver.storage.wal.Durability;
import io.quiver.text.TextIndexParams;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * How a collection is laid out: its vector fields (the unnamed field has the name {@link #DEFAULT_VECTOR}), write
 * durability, and when the optimizer seals and merges segments. Build with {@link #builder()}.
 *
 * @param vectors vector fields by name, in declaration order
 * @param durability {@code FSYNC} (default): a write is acknowledged once fsync'd; {@code PERIODIC}: within the
 *     WAL's sync interval
 * @param sealThreshold points after which the mutable segment is sealed into an immutable, indexed segment
 * @param mergeThreshold sealed segments with fewer live points than this are merged together
 * @param vacuumRatio a sealed segment whose deleted fraction exceeds this is rewritten without them
 * @param maxPayloadBytes largest JSON payload accepted per point
 * @param payloadSchema payload fields with an index (posting lists, ranges), by key
 * @param indexingLag while writes keep arriving, the background indexer waits until this many points are not yet
 *     in a graph (0, the default: it links new points at once). Deferring leaves the cores to the writers during a
 *     bulk load; searches scan the unindexed points exactly meanwhile, and indexing catches up once writes pause.
 * @param planner thresholds of the filtered-search planner
 * @param quantization codes built for every vector field when a segment is sealed, or null for none
 * @param tenantFields indexed keyword or integer fields marked {@code is_tenant} (Qdrant): when a filter matches
 *     values of several fields with payload links ({@code payload_m}), a tenant field's links are preferred
 * @param sparseVectors sparse vector fields by name (names distinct from the dense ones), in declaration order
 * @param textIndexes the parameters of each {@link FieldSchema#TEXT} field of {@code payloadSchema} (a text field
 *     given none gets {@link TextIndexParams#DEFAULT})
 * @param multiVectors the vector fields with a {@link VectorParams#multivector()} config, by name, in declaration
 *     order: kept apart from {@code vectors} (a field given there with one is moved here), since they are stored
 *     and indexed apart from the one-vector fields
 */
public record CollectionConfig(Map<String, VectorParams> vectors, Durability durability, int sealThreshold,
    int mergeThreshold, double vacuumRatio, int maxPayloadBytes, Map<String, FieldSchema> payloadSchema,
    int indexingLag, PlannerConfig planner, QuantizationConfig quantization, Set<String> tenantFields,
    Map<String, SparseVectorParams> sparseVectors, Map<String, TextIndexParams> textIndexes,
    Map<String, VectorParams> multiVectors) {
  /** Name of the single unnamed vector, as Qdrant's default vector. */
  public static final String DEFAULT_VECTOR = "";
  private static final Pattern VECTOR_NAME = Pattern.compile("[A-Za-z0-9_.\\-]{1,64}");

  public CollectionConfig {
    sparseVectors = sparseVectors == null ? Map.of()
        : Collections.unmodifiableMap(new LinkedHashMap<>(sparseVectors));
    Map<String, VectorParams> multi = new LinkedHashMap<>(multiVectors == null ? Map.of() : multiVectors);
    Map<String, VectorParams> single = new LinkedHashMap<>();
    vectors.forEach((k, v) -> (v.multivector() == null ? single : multi).put(k, v));
    MultiVectors.checkFields(multi, single, sparseVectors);
    vectors = single;
    multiVectors = Collections.unmodifiableMap(multi);
    if (vectors.isEmpty() && sparseVectors.isEmpty() && multiVectors.isEmpty()) {
      throw new IllegalArgumentException("a collection needs at least one vector field");
    }
    for (String name : sparseVectors.keySet()) {
      if (!VECTOR_NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("sparse vector name '" + name + "' must match " + VECTOR_NAME.pattern());
      }
      if (vectors.containsKey(name)) {
        throw new IllegalArgumentException("'" + name + "' names both a dense and a sparse vector field");
      }
    }
    for (String name : vectors.keySet()) {
      if (!name.equals(DEFAULT_VECTOR) && !VECTOR_NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("vector name '" + name + "' must match " + VECTOR_NAME.pattern());
      }
    }
    if (vectors.containsKey(DEFAULT_VECTOR) && vectors.size() > 1) {
      throw new IllegalArgumentException("the unnamed vector cannot be combined with named vectors");
    }
    vectors = Collections.unmodifiableMap(new LinkedHashMap<>(vectors));
    payloadSchema = payloadSchema == null ? Map.of()
        : Collections.unmodifiableMap(new TreeMap<>(payloadSchema));
    Map<String, TextIndexParams> text = new TreeMap<>();
    for (var e : payloadSchema.entrySet()) {
      if (e.getValue() == FieldSchema.TEXT) {
        TextIndexParams p = textIndexes == null ? null : textIndexes.get(e.getKey());
        text.put(e.getKey(), p == null ? TextIndexParams.DEFAULT : p);
      }
    }
    textIndexes = Collections.unmodifiableMap(text);
    if (sealThreshold < 1) {
      throw new IllegalArgumentException("sealThreshold must be >= 1, got " + sealThreshold);
    }
    if (mergeThreshold < 0) {
      throw new IllegalArgumentException("mergeThreshold must be >= 0, got " + mergeThreshold);
    }
    if (!(vacuumRatio > 0 && vacuumRatio <= 1)) {
      throw new IllegalArgumentException("vacuumRatio must be in (0, 1], got " + vacuumRatio);
    }
    planner = planner == null ? PlannerConfig.DEFAULT : planner;
    tenantFields = tenantFields == null ? Set.of()
        : Collections.unmodifiableSet(new TreeSet<>(tenantFields));
    for (String t : tenantFields) {
      FieldSchema schema = payloadSchema.get(t);
      if (schema != FieldSchema.KEYWORD && schema != FieldSchema.INTEGER) {
        throw new IllegalArgumentException("is_tenant field '" + t + "' must have a keyword or integer index, has "
            + (schema == null ? "none" : schema.qdrantName()));
      }
    }
    if (quantization != null && vectors.values().stream().anyMatch(v -> v.metric() == Metric.L1)) {
      throw new IllegalArgumentException("quantization supports L2, DOT and COSINE vectors, not L1 (Manhattan)");
    }
    if (indexingLag < 0) {
      throw new IllegalArgumentException("indexingLag must be >= 0, got " + indexingLag);
    }
    if (maxPayloadBytes < 2) {
      throw new IllegalArgumentException("maxPayloadBytes must be >= 2, got " + maxPayloadBytes);
    }
  }

  public CollectionConfig(Map<String, VectorParams> vectors, Durability durability, int sealThreshold,
      int mergeThreshold, double vacuumRatio, int maxPayloadBytes, Map<String, FieldSchema> payloadSchema,
      int indexingLag, PlannerConfig planner, QuantizationConfig quantization, Set<String> tenantFields) {
    this(vectors, durability, sealThreshold, mergeThreshold, vacuumRatio, maxPayloadBytes, payloadSchema,
        indexingLag, planner, quantization, tenantFields, Map.of(), Map.of(), Map.of());
  }

  public CollectionConfig(Map<String, VectorParams> vectors, Durability durability, int sealThreshold,
      int mergeThreshold, double vacuumRatio, int maxPayloadBytes, Map<String, FieldSchema> payloadSchema,
      int indexingLag, PlannerConfig planner, QuantizationConfig quantization, Set<String> tenantFields,
      Map<String, SparseVectorParams> sparseVectors, Map<String, TextIndexParams> textIndexes) {
    this(vectors, durability, sealThreshold, mergeThreshold, vacuumRatio, maxPayloadBytes, payloadSchema,
        indexingLag, planner, quantization, tenantFields, sparseVectors, textIndexes, Map.of());
  }

  /** The multi-vector field {@code name}, or null. */
  public VectorParams multiVector(String name) {
    return multiVectors.get(name);
  }

  /** The sparse vector field {@code name}, or null. */
  public SparseVectorParams sparseVector(String name) {
    return sparseVectors.get(name);
  }

  /** A collection with one unnamed vector field. */
  public static CollectionConfig of(VectorParams vector) {
    return builder().vector(vector).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public VectorParams vector(String name) {
    return vectors.get(name);
  }

  /** The parameters of the text index on {@code key}, or null when {@code key} has no text index. */
  public TextIndexParams textIndex(String key) {
    return textIndexes.get(key);
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.vectors.putAll(vectors);
    b.durability = durability;
    b.sealThreshold = sealThreshold;
    b.mergeThreshold = mergeThreshold;
    b.vacuumRatio = vacuumRatio;
    b.maxPayloadBytes = maxPayloadBytes;
    b.payloadSchema.putAll(payloadSchema);
    b.indexingLag = indexingLag;
    b.planner = planner;
    b.quantization = quantization;
    b.tenantFields.addAll(tenantFields);
    b.sparseVectors.putAll(sparseVectors);
    b.textIndexes.putAll(textIndexes);
    b.vectors.putAll(multiVectors);
    return b;
  }

  public static final class Builder {
    private final Map<String, VectorParams> vectors = new LinkedHashMap<>();
    private Durability durability = Durability.FSYNC;
    private int sealThreshold = 100_000;
    private int mergeThreshold = 20_000;
    private double vacuumRatio = 0.2;
    private int maxPayloadBytes = 1 << 20;
    private final Map<String, FieldSchema> payloadSchema = new TreeMap<>();
    private int indexingLag;
    private PlannerConfig planner = PlannerConfig.DEFAULT;
    private QuantizationConfig quantization;
    private final Set<String> tenantFields = new TreeSet<>();
    private final Map<String, SparseVectorParams> sparseVectors = new LinkedHashMap<>();

    /** A sparse vector field (Qdrant's {@code sparse_vectors}). */
    public Builder sparseVector(String name, SparseVectorParams params) {
      sparseVectors.put(name, params);
      return this;
    }
    private final Map<String, TextIndexParams> textIndexes = new TreeMap<>();

    /** Quantized codes for every vector field of sealed segments (null: none). */
    public Builder quantization(QuantizationConfig value) {
      quantization = value;
      return this;
    }

    public Builder planner(PlannerConfig value) {
      planner = value;
      return this;
    }

    public Builder indexingLag(int points) {
      indexingLag = points;
      return this;
    }

    /** The single unnamed vector field. */
    public Builder vector(VectorParams params) {
      return vector(DEFAULT_VECTOR, params);
    }

    public Builder vector(String name, VectorParams params) {
      vectors.put(name, params);
      return this;
    }

    public Builder durability(Durability value) {
      durability = value;
      return this;
    }

    public Builder sealThreshold(int points) {
      sealThreshold = points;
      return this;
    }

    public Builder mergeThreshold(int points) {
      mergeThreshold = points;
      return this;
    }

    public Builder vacuumRatio(double ratio) {
      vacuumRatio = ratio;
      return this;
    }

    public Builder maxPayloadBytes(int bytes) {
      maxPayloadBytes = bytes;
      return this;
    }

    /** Indexes the payload field {@code key} (a path as in filters) with {@code schema}. */
    public Builder payloadIndex(String key, FieldSchema schema) {
      payloadSchema.put(key, schema);
      textIndexes.remove(key);
      return this;
    }

    /** Indexes the payload field {@code key} as full text with {@code params}. */
    public Builder payloadIndex(String key, TextIndexParams params) {
      payloadSchema.put(key, FieldSchema.TEXT);
      textIndexes.put(key, params);
      tenantFields.remove(key);
      return this;
    }

    /**
     * Indexes {@code key} with {@code schema}; {@code isTenant} marks it as Qdrant's {@code is_tenant} field (keyword
     * or integer), whose payload links a search prefers.
     */
    public Builder payloadIndex(String key, FieldSchema schema, boolean isTenant) {
      payloadSchema.put(key, schema);
      textIndexes.remove(key);
      if (isTenant) {
        tenantFields.add(key);
      } else {
        tenantFields.remove(key);
      }
      return this;
    }

    public Builder withoutPayloadIndex(String key) {
      payloadSchema.remove(key);
      textIndexes.remove(key);
      tenantFields.remove(key);
      return this;
    }

    public CollectionConfig build() {
      return new CollectionConfig(vectors, durability, sealThreshold, mergeThreshold, vacuumRatio, maxPayloadBytes,
          payloadSchema, indexingLag, planner, quantization, tenantFields, sparseVectors, textIndexes, Map.of());
    }
  }
}
