package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.PointId;
import io.quiver.collection.Collection;
import io.quiver.collection.PayloadSelector;
import io.quiver.collection.PointRecord;
import io.quiver.collection.ScoredPoint;
import io.quiver.collection.SparseVector;
import io.quiver.distance.Metric;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * {@code query: {nearest: V, mmr: {diversity, candidates_limit}}}: Maximal Marginal Relevance as Qdrant computes it.
 * The {@code candidates_limit} nearest points (default: the request's limit + offset) are fetched with their vectors;
 * the most relevant is taken first, then repeatedly the candidate maximising
 * {@code λ·sim(q, c) - (1 - λ)·max sim(c, s)} over the selected {@code s}, with {@code λ = 1 - diversity}. Similarity
 * is Qdrant's raw score: the cosine, the dot product, minus the squared Euclidean or the Manhattan distance, or the
 * sparse dot product. Equal MMR scores keep the better-ranked candidate. Each point keeps its search score.
 */
final class Mmr {
  /** Qdrant's bound on {@code candidates_limit}. */
  static final int MAX_CANDIDATES = 16_384;
  static final float DEFAULT_DIVERSITY = 0.5f;

  private Mmr() {}

  /** Runs a top-level query body whose {@code query} has an {@code mmr} object, on field {@code using}. */
  static HybridQuery.Page run(Collection c, ObjectNode body, String path, String using, QueryEndpoints queries) {
    String at = path + ".query.mmr";
    JsonNode nearest = DenseDocuments.resolve(c, body.get("query").get("nearest"), path + ".query.nearest", using);
    if (!Json.present(nearest)) {
      throw ApiError.badRequest(path + ".query.nearest: required with mmr");
    }
    ObjectNode mmr = Json.object(body.get("query").get("mmr"), at);
    Json.onlyFields(mmr, at, "diversity", "candidates_limit");
    Float d = Json.floatField(mmr, "diversity", at);
    float diversity = d == null ? DEFAULT_DIVERSITY : d;
    if (!(diversity >= 0f && diversity <= 1f)) {
      throw ApiError.badRequest(at + ".diversity: must be in [0, 1], got " + diversity);
    }
    int limit = Json.intField(body, "limit", path, 10, 1);
    int offset = Json.intField(body, "offset", path, 0, 0);
    int candidates = Json.intField(mmr, "candidates_limit", at, limit + offset, 0);
    if (Json.present(mmr.get("candidates_limit")) && candidates > MAX_CANDIDATES) {
      throw ApiError.badRequest(at + ".candidates_limit: at most " + MAX_CANDIDATES + ", got " + candidates);
    }
    PayloadSelector payload = Json.payloadSelector(body.get("with_payload"), path + ".with_payload",
        PayloadSelector.NONE);
    Set<String> vectors = Json.vectorSelector(body.get("with_vector"), path + ".with_vector", false);
    if (candidates == 0) {
      return new HybridQuery.Page(List.of(), payload);
    }
    ObjectNode inner = body.deepCopy();
    inner.set("query", nearest);
    inner.put("limit", candidates);
    inner.remove("offset");
    inner.put("with_payload", false);
    inner.putArray("with_vector").add(using);
    List<ScoredPoint> found = queries.run(c, inner, path).points();
    boolean sparse = SparseQuery.isSparseField(c, using);
    Similarity sim = sparse ? sparseSimilarity(c, nearest, path + ".query.nearest", using)
        : denseSimilarity(c, nearest, path + ".query.nearest", using);
    List<ScoredPoint> withVector = new ArrayList<>(found.size());
    for (ScoredPoint p : found) { // as in Qdrant, a candidate without the vector is dropped
      if (sparse ? p.sparseVectors().get(using) != null : p.vectors() != null && p.vectors().get(using) != null) {
        withVector.add(p);
      }
    }
    List<ScoredPoint> selected = select(withVector, sim, 1f - diversity, offset + limit);
    return HybridQuery.withRecords(c, selected.subList(Math.min(offset, selected.size()), selected.size()),
        payload, vectors);
  }

  /** Similarity of two candidates, and of a candidate to the query. */
  interface Similarity {
    float between(ScoredPoint a, ScoredPoint b);

    float toQuery(ScoredPoint a);
  }

  /**
   * Qdrant's greedy selection: of {@code candidates} (in rank order), up to {@code k}, in selection order. Fewer than
   * two candidates are returned as they are.
   */
  static List<ScoredPoint> select(List<ScoredPoint> candidates, Similarity sim, float lambda, int k) {
    int n = candidates.size();
    if (n < 2) {
      return candidates.subList(0, Math.min(n, k));
    }
    float[] relevance = new float[n];
    for (int i = 0; i < n; i++) {
      relevance[i] = sim.toQuery(candidates.get(i));
    }
    float[] maxSim = new float[n]; // max similarity to the selected points; meaningful once one is selected
    Arrays.fill(maxSim, Float.NEGATIVE_INFINITY);
    boolean[] taken = new boolean[n];
    List<ScoredPoint> out = new ArrayList<>(Math.min(n, k));
    while (out.size() < Math.min(n, k)) {
      int best = -1;
      float bestScore = Float.NEGATIVE_INFINITY;
      for (int i = 0; i < n; i++) {
        if (taken[i]) {
          continue;
        }
        float score = out.isEmpty() ? relevance[i] : lambda * relevance[i] - (1f - lambda) * maxSim[i];
        if (best < 0 || score > bestScore) {
          best = i;
          bestScore = score;
        }
      }
      taken[best] = true;
      ScoredPoint chosen = candidates.get(best);
      out.add(chosen);
      for (int i = 0; i < n; i++) {
        if (!taken[i]) {
          maxSim[i] = Math.max(maxSim[i], sim.between(candidates.get(i), chosen));
        }
      }
    }
    return out;
  }

  /** Qdrant's raw score of a dense metric: larger is more similar. */
  static float similarity(Metric m, float[] a, float[] b) {
    return m == Metric.COSINE ? 1f - m.distance(a, b) : -m.distance(a, b);
  }

  private static Similarity denseSimilarity(Collection c, JsonNode nearest, String path, String using) {
    Metric m = c.config().vector(using).metric();
    float[] q = nearest.isArray() ? Json.vector(nearest, path) : pointVector(c, Json.pointId(nearest, path), using)
        .vectors().get(using);
    if (q == null) {
      throw new ApiError(404, "Not found: point " + nearest + " has no vector '" + using + "'");
    }
    return new Similarity() {
      @Override
      public float between(ScoredPoint a, ScoredPoint b) {
        return similarity(m, a.vectors().get(using), b.vectors().get(using));
      }

      @Override
      public float toQuery(ScoredPoint a) {
        return similarity(m, q, a.vectors().get(using));
      }
    };
  }

  private static Similarity sparseSimilarity(Collection c, JsonNode nearest, String path, String using) {
    SparseVector q = SparseJson.isSparse(nearest) ? SparseJson.sparse(nearest, path)
        : pointVector(c, Json.pointId(nearest, path), using).sparseVectors().get(using);
    if (q == null) {
      throw new ApiError(404, "Not found: point " + nearest + " has no vector '" + using + "'");
    }
    SparseVector query = q.sorted();
    return new Similarity() {
      @Override
      public float between(ScoredPoint a, ScoredPoint b) {
        return a.sparseVectors().get(using).dot(b.sparseVectors().get(using));
      }

      @Override
      public float toQuery(ScoredPoint a) {
        return query.dot(a.sparseVectors().get(using));
      }
    };
  }

  private static PointRecord pointVector(Collection c, PointId id, String using) {
    return c.retrieve(List.of(id), PayloadSelector.NONE, Set.of(using)).stream().findFirst()
        .orElseThrow(() -> new ApiError(404, "Not found: No point with id " + id + " found"));
  }
}
