package io.quiver.agent.causal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.PointId;
import io.quiver.Quiver;
import io.quiver.QuiverException;
import io.quiver.agent.store.Inputs;
import io.quiver.agent.store.RecordCollection;
import io.quiver.collection.CollectionConfig;
import io.quiver.collection.Point;
import io.quiver.collection.PointRecord;
import io.quiver.filter.Condition;
import io.quiver.payload.FieldSchema;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The causal graph: edges in the vectorless collection {@value #EDGES} (indexes on cause_key, effect_key, uplift,
 * abs_uplift, confidence, sample_size, source) and experiment observations in {@value #OBSERVATIONS} (indexes on
 * cause_key, effect_key). Writes are serialized and each is one durable write.
 *
 * <p>Queries return edges by {@code |uplift|·confidence} descending, then id ascending (AgentDB's order, made total).
 * {@link #uplift(String, long)} is the confidence-weighted mean uplift of the edges caused by that memory
 * ({@code Σ confidence·uplift / Σ confidence} over edges with confidence > 0), 0 when there are none.
 */
public final class CausalGraph implements MemoryUplift {
  public static final String EDGES = "agent_causal_edges";
  public static final String OBSERVATIONS = "agent_causal_observations";
  public static final int MAX_DEPTH = 20;

  private final RecordCollection edges;
  private final RecordCollection observations;
  private final Clock clock;

  private CausalGraph(RecordCollection edges, RecordCollection observations, Clock clock) {
    this.edges = edges;
    this.observations = observations;
    this.clock = clock;
  }

  public static CausalGraph open(Quiver db) {
    return open(db, Clock.systemUTC());
  }

  public static CausalGraph open(Quiver db, Clock clock) {
    CollectionConfig edgeConfig = RecordCollection.vectorless()
        .payloadIndex(EdgePayloads.CAUSE, FieldSchema.KEYWORD).payloadIndex(EdgePayloads.EFFECT, FieldSchema.KEYWORD)
        .payloadIndex(EdgePayloads.UPLIFT, FieldSchema.FLOAT).payloadIndex(EdgePayloads.ABS_UPLIFT, FieldSchema.FLOAT)
        .payloadIndex(EdgePayloads.CONFIDENCE, FieldSchema.FLOAT)
        .payloadIndex(EdgePayloads.SAMPLE_SIZE, FieldSchema.INTEGER)
        .payloadIndex(EdgePayloads.SOURCE, FieldSchema.KEYWORD).build();
    CollectionConfig obsConfig = RecordCollection.vectorless()
        .payloadIndex(EdgePayloads.CAUSE, FieldSchema.KEYWORD).payloadIndex(EdgePayloads.EFFECT, FieldSchema.KEYWORD)
        .build();
    return new CausalGraph(RecordCollection.open(db, EDGES, "causal_edge", edgeConfig),
        RecordCollection.open(db, OBSERVATIONS, "causal_observation", obsConfig), clock);
  }

  // ------------------------------------------------------------------ edges

  /**
   * Adds an edge. {@code uplift} must be finite, {@code confidence} in [0, 1] and {@code sampleSize} ≥ 0; a bad
   * argument stores nothing.
   */
  public CausalEdge add(CausalNode cause, CausalNode effect, double uplift, double confidence, long sampleSize) {
    return put(cause, effect, uplift, confidence, sampleSize, null, null, "manual", null);
  }

  /** Writes an edge; {@code replaceSource}: reuse the id of the existing edge of that source for this pair. */
  private synchronized CausalEdge put(CausalNode cause, CausalNode effect, double uplift, double confidence,
      long sampleSize, Double ciLow, Double ciHigh, String source, String replaceSource) {
    if (cause == null) {
      throw Inputs.invalid("cause", "required");
    }
    if (effect == null) {
      throw Inputs.invalid("effect", "required");
    }
    Inputs.finite(uplift, "uplift");
    Inputs.unit(confidence, "confidence");
    Inputs.atLeast(sampleSize, 0, "sample_size");
    CausalEdge existing = replaceSource == null ? null : edges.scrollAll(RecordCollection.records(
        match(EdgePayloads.CAUSE, cause.key()), match(EdgePayloads.EFFECT, effect.key()),
        match(EdgePayloads.SOURCE, replaceSource))).stream().map(EdgePayloads::fromRecord).findFirst().orElse(null);
    long id = existing != null ? existing.id() : edges.reserve(1);
    CausalEdge e = new CausalEdge(id, cause, effect, uplift, confidence, sampleSize, ciLow, ciHigh, source,
        clock.millis());
    try {
      edges.write(List.of(new Point(PointId.of(id), Map.of(), EdgePayloads.toPayload(e))));
    } catch (RuntimeException ex) {
      if (existing == null) {
        edges.release(id, 1);
      }
      throw ex;
    }
    return e;
  }

  public CausalEdge get(long id) {
    PointRecord r = edges.get(id);
    return r == null ? null : EdgePayloads.fromRecord(r);
  }

  public synchronized boolean delete(long id) {
    return get(id) != null && edges.collection().delete(List.of(PointId.of(id))) > 0;
  }

  public long count() {
    return edges.count(RecordCollection.records());
  }

  /** Edges matching {@code q}, strongest first (see the class comment). */
  public List<CausalEdge> query(EdgeQuery q) {
    List<Condition> must = new ArrayList<>();
    if (q.cause() != null) {
      must.add(match(EdgePayloads.CAUSE, q.cause().key()));
    }
    if (q.effect() != null) {
      must.add(match(EdgePayloads.EFFECT, q.effect().key()));
    }
    must.add(new Condition.Range(EdgePayloads.CONFIDENCE, null, q.minConfidence(), null, null));
    must.add(new Condition.Range(EdgePayloads.ABS_UPLIFT, null, q.minUplift(), null, null));
    return edges.scrollAll(RecordCollection.records(must.toArray(Condition[]::new))).stream()
        .map(EdgePayloads::fromRecord).sorted(ORDER).limit(q.limit()).toList();
  }

  /** The query order: strength descending, then id. */
  public static final Comparator<CausalEdge> ORDER = Comparator.comparingDouble((CausalEdge e) -> -e.strength())
      .thenComparingLong(CausalEdge::id);

  /** Every edge whose cause is {@code node}, in id order. */
  public List<CausalEdge> outgoing(CausalNode node) {
    return edges.scrollAll(RecordCollection.records(match(EdgePayloads.CAUSE, node.key()))).stream()
        .map(EdgePayloads::fromRecord).toList();
  }

  /**
   * The shortest chain of edges from {@code from} to {@code to} of at most {@code maxDepth} (1 to 20) hops; among
   * equally short chains the one with the greatest product of confidences (then the smallest edge ids in order).
   * Null when none.
   */
  public CausalChain traverse(CausalNode from, CausalNode to, int maxDepth) {
    if (maxDepth < 1 || maxDepth > MAX_DEPTH) {
      throw Inputs.invalid("max_depth", "must be in [1, " + MAX_DEPTH + "], got " + maxDepth);
    }
    return new ChainSearch(this::outgoing).shortest(from, to, maxDepth);
  }

  /** Deletes edges with confidence below {@code minConfidence}, in one durable write; returns how many. */
  public synchronized int prune(double minConfidence) {
    Inputs.unit(minConfidence, "min_confidence");
    return edges.collection().delete(RecordCollection.records(
        new Condition.Range(EdgePayloads.CONFIDENCE, null, null, minConfidence, null)));
  }

  @Override
  public double uplift(String memoryType, long memoryId) {
    double weighted = 0;
    double weights = 0;
    for (CausalEdge e : outgoing(new CausalNode.Memory(memoryType, memoryId))) {
      weighted += e.confidence() * e.uplift();
      weights += e.confidence();
    }
    return weights > 0 ? weighted / weights : 0;
  }

  /**
   * {@link #uplift} of every stored memory of type {@code memoryType} whose uplift is not 0, by memory id: one pass
   * over the edges instead of a query per memory.
   */
  public Map<Long, Double> uplifts(String memoryType) {
    Map<Long, double[]> sums = new HashMap<>();
    for (PointRecord r : edges.scrollAll(RecordCollection.records())) {
      CausalEdge e = EdgePayloads.fromRecord(r);
      if (e.cause() instanceof CausalNode.Memory m && m.type().equals(memoryType)) {
        double[] s = sums.computeIfAbsent(m.id(), id -> new double[2]);
        s[0] += e.confidence() * e.uplift();
        s[1] += e.confidence();
      }
    }
    Map<Long, Double> out = new HashMap<>();
    sums.forEach((id, s) -> {
      double u = s[1] > 0 ? s[0] / s[1] : 0;
      if (u != 0) {
        out.put(id, u);
      }
    });
    return out;
  }

  // ------------------------------------------------------------------ experiments

  /** Records observations of an experiment on {@code cause} → {@code effect}, in one durable write. */
  public synchronized void record(CausalNode cause, CausalNode effect, List<Observation> batch) {
    if (batch.isEmpty()) {
      throw Inputs.invalid("observations", "give at least one observation");
    }
    long first = observations.reserve(batch.size());
    List<Point> points = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      Observation o = batch.get(i);
      ObjectNode p = JsonNodeFactory.instance.objectNode().put(EdgePayloads.CAUSE, cause.key())
          .put(EdgePayloads.EFFECT, effect.key()).put("treated", o.treated()).put("outcome", o.outcome())
          .put("binary", o.binary());
      points.add(new Point(PointId.of(first + i), Map.of(), p));
    }
    try {
      observations.write(points);
    } catch (RuntimeException e) {
      observations.release(first, batch.size());
      throw e;
    }
  }

  /** The observations recorded for {@code cause} → {@code effect}, in recording order. */
  public List<Observation> observations(CausalNode cause, CausalNode effect) {
    return observations.scrollAll(RecordCollection.records(match(EdgePayloads.CAUSE, cause.key()),
        match(EdgePayloads.EFFECT, effect.key()))).stream()
        .map(r -> new Observation(r.payload().path("treated").asBoolean(), r.payload().path("outcome").asDouble(),
            r.payload().path("binary").asBoolean())).toList();
  }

  /** The uplift of {@code cause} on {@code effect} estimated from the recorded observations ({@link UpliftEstimator}). */
  public UpliftEstimate estimate(CausalNode cause, CausalNode effect, double level) {
    return UpliftEstimator.estimate(observations(cause, effect), level);
  }

  /**
   * Estimates the uplift and stores it as the pair's {@code estimated} edge (replacing the previous estimate of the
   * pair), with the estimate's confidence, sample size and interval.
   */
  public CausalEdge estimateAndStore(CausalNode cause, CausalNode effect, double level) {
    UpliftEstimate u = estimate(cause, effect, level);
    return put(cause, effect, u.uplift(), u.confidence(), u.sampleSize(), u.ciLow(), u.ciHigh(), "estimated",
        "estimated");
  }

  // ------------------------------------------------------------------ discovery

  /** Finds candidate edges in {@code episodes} ({@link CausalDiscovery}); stores them unless {@code dryRun}. */
  public List<DiscoveredEdge> discover(List<EpisodeEvent> episodes, DiscoveryPolicy policy) {
    List<DiscoveredEdge> found = CausalDiscovery.discover(episodes, policy);
    if (policy.dryRun()) {
      return found;
    }
    List<DiscoveredEdge> stored = new ArrayList<>();
    for (DiscoveredEdge d : found) {
      UpliftEstimate u = d.estimate();
      CausalEdge e = put(d.cause(), d.effect(), u.uplift(), d.confidence(), u.sampleSize(), u.ciLow(), u.ciHigh(),
          "discovered", "discovered");
      stored.add(new DiscoveredEdge(d.cause(), d.effect(), u, d.confidence(), e.id()));
    }
    return stored;
  }

  private static Condition match(String key, String value) {
    return new Condition.Match(key, JsonNodeFactory.instance.textNode(value));
  }

  /** The edge {@code id}, or {@link QuiverException.NotFound} naming {@code edge_id}. */
  public CausalEdge require(long id) {
    CausalEdge e = get(id);
    if (e == null) {
      throw new QuiverException.NotFound("edge_id: no causal edge with id " + id);
    }
    return e;
  }
}
