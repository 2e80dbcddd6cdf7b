package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.PointId;
import io.quiver.collection.Collection;
import io.quiver.collection.PayloadSelector;
import io.quiver.collection.PointRecord;
import io.quiver.collection.VectorParams;
import io.quiver.distance.Metric;
import io.quiver.distance.VectorUtil;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Qdrant's example-based queries, {@code recommend}, {@code discover} and {@code context}, parsed against one dense
 * field. Each example is a vector or a point id (that point's vector of the field); the ids used as examples are left
 * out of the results, as in Qdrant. Scores follow Qdrant's segment/src/vector_storage/query: with {@code sim} the
 * raw similarity (the dot product of normalised vectors for Cosine, the dot product, minus the squared Euclidean or
 * minus the Manhattan distance), {@code f(x) = x / (1 + |x|)} and {@code g(x) = (f(x) + 1) / 2}:
 * <ul>
 *   <li>{@code best_score}: {@code g(max pos)} when the best positive similarity beats the best negative one, else
 *       {@code -g(max neg)};
 *   <li>{@code sum_scores}: {@code Σ sim(pos) - Σ sim(neg)};
 *   <li>{@code discover}: {@code Σ over pairs (sim(pos) > sim(neg) ? 1 : -1) + g(sim(target))};
 *   <li>{@code context}: {@code Σ over pairs f(min(sim(pos) - sim(neg) - ε, 0))}, ε the float epsilon.
 * </ul>
 * {@code average_vector} is no scorer: it becomes one nearest search by {@code avg(pos) + avg(pos) - avg(neg)}.
 */
final class ExampleQuery {
  /** Qdrant's context-pair margin, {@code f32::EPSILON}. */
  static final float MARGIN = Math.ulp(1f);

  /** A parsed example query: either an {@code average} vector to search by, or a {@code scorer}. */
  record Parsed(float[] average, Scorer scorer, Set<PointId> exampleIds) {}

  /** Scores a candidate's vector; larger is better. */
  interface Scorer {
    float score(float[] candidate);
  }

  private ExampleQuery() {}

  /** Whether {@code q} is a {@code {recommend|discover|context: ...}} query object. */
  static boolean applies(JsonNode q) {
    return q != null && q.isObject() && q.size() == 1
        && (q.has("recommend") || q.has("discover") || q.has("context"));
  }

  /** Parses {@code q} (at {@code path}, one of the forms {@link #applies} accepts) against field {@code using}. */
  static Parsed parse(Collection c, JsonNode q, String path, String using) {
    if (q.has("recommend")) {
      Json.object(q.get("recommend"), path + ".recommend");
      Json.onlyFields(q.get("recommend"), path + ".recommend", "positive", "negative", "strategy");
      return recommend(c, q.get("recommend"), path + ".recommend", using);
    }
    if (q.has("discover")) {
      return discover(c, q.get("discover"), path + ".discover", using);
    }
    return context(c, q.get("context"), path + ".context", using);
  }

  /** {@code {positive, negative, strategy}} at {@code path}; also the body of the older {@code /points/recommend}. */
  static Parsed recommend(Collection c, JsonNode in, String path, String using) {
    Json.object(in, path);
    Examples ex = new Examples(c, using);
    List<float[]> pos = ex.list(in.get("positive"), path + ".positive");
    List<float[]> neg = ex.list(in.get("negative"), path + ".negative");
    String strategy = Json.stringField(in, "strategy", path, "average_vector");
    ex.resolve();
    return switch (strategy) {
      case "average_vector" -> {
        if (pos.isEmpty()) {
          throw ApiError.badRequest(path + ".positive: average_vector needs at least one positive example");
        }
        float[] avgPos = average(ex.vectors(pos));
        float[] q = avgPos.clone();
        if (!neg.isEmpty()) {
          float[] avgNeg = average(ex.vectors(neg));
          for (int i = 0; i < q.length; i++) {
            q[i] = avgPos[i] + avgPos[i] - avgNeg[i];
          }
        }
        yield new Parsed(q, null, ex.ids());
      }
      case "best_score", "sum_scores" -> {
        if (pos.isEmpty() && neg.isEmpty()) {
          throw ApiError.badRequest(path + ".positive: at least one positive or negative example is required");
        }
        float[][] p = ex.scored(pos).toArray(float[][]::new);
        float[][] n = ex.scored(neg).toArray(float[][]::new);
        Metric m = ex.metric;
        Scorer s = strategy.equals("best_score") ? v -> bestScore(m, p, n, v) : v -> sumScores(m, p, n, v);
        yield new Parsed(null, s, ex.ids());
      }
      default -> throw ApiError.badRequest(path + ".strategy: expected average_vector, best_score or sum_scores, got '"
          + strategy + "'");
    };
  }

  /** {@code {target, context}} at {@code path}. */
  static Parsed discover(Collection c, JsonNode in, String path, String using) {
    Json.object(in, path);
    Json.onlyFields(in, path, "target", "context");
    if (!Json.present(in.get("target"))) {
      throw ApiError.badRequest(path + ".target: required, a vector or a point id");
    }
    Examples ex = new Examples(c, using);
    float[] target = ex.one(in.get("target"), path + ".target");
    List<float[][]> pairs = ex.pairs(in.get("context"), path + ".context", true);
    ex.resolve();
    float[] t = ex.scored(target);
    List<float[][]> ps = ex.pairVectors(pairs);
    Metric m = ex.metric;
    return new Parsed(null, v -> {
      float rank = 0f;
      for (float[][] pair : ps) {
        rank += sim(m, pair[0], v) > sim(m, pair[1], v) ? 1f : -1f;
      }
      return rank + scaledSigmoid(sim(m, t, v));
    }, ex.ids());
  }

  /** A pair or an array of pairs at {@code path}. */
  static Parsed context(Collection c, JsonNode in, String path, String using) {
    Examples ex = new Examples(c, using);
    List<float[][]> pairs = ex.pairs(in, path, false);
    ex.resolve();
    List<float[][]> ps = ex.pairVectors(pairs);
    Metric m = ex.metric;
    return new Parsed(null, v -> {
      float loss = 0f;
      for (float[][] pair : ps) {
        loss += sigmoid(Math.min(sim(m, pair[0], v) - sim(m, pair[1], v) - MARGIN, 0f));
      }
      return loss;
    }, ex.ids());
  }

  static float bestScore(Metric m, float[][] pos, float[][] neg, float[] v) {
    float maxPos = Float.NEGATIVE_INFINITY;
    for (float[] p : pos) {
      maxPos = Math.max(maxPos, sim(m, p, v));
    }
    float maxNeg = Float.NEGATIVE_INFINITY;
    for (float[] n : neg) {
      maxNeg = Math.max(maxNeg, sim(m, n, v));
    }
    return maxPos > maxNeg ? scaledSigmoid(maxPos) : -scaledSigmoid(maxNeg);
  }

  static float sumScores(Metric m, float[][] pos, float[][] neg, float[] v) {
    float s = 0f;
    for (float[] p : pos) {
      s += sim(m, p, v);
    }
    for (float[] n : neg) {
      s -= sim(m, n, v);
    }
    return s;
  }

  /** Qdrant's raw similarity of two vectors as stored (normalised for Cosine). */
  static float sim(Metric m, float[] a, float[] b) {
    return switch (m) {
      case COSINE, DOT -> VectorUtil.dot(a, b);
      case L2 -> -VectorUtil.squareDistance(a, b);
      case L1 -> -VectorUtil.l1Distance(a, b);
    };
  }

  static float sigmoid(float x) {
    return x / (1f + Math.abs(x));
  }

  static float scaledSigmoid(float x) {
    return 0.5f * (sigmoid(x) + 1f);
  }

  private static float[] average(List<float[]> vs) {
    float[] out = new float[vs.get(0).length];
    for (float[] v : vs) {
      for (int i = 0; i < out.length; i++) {
        out[i] += v[i];
      }
    }
    for (int i = 0; i < out.length; i++) {
      out[i] /= vs.size();
    }
    return out;
  }

  /**
   * The examples of one query: raw vectors are checked (dimension) and kept at once; a point id is a placeholder (an empty array
   * with its index in {@code idSlots}) until {@link #resolve} reads every named point in one retrieve.
   */
  private static final class Examples {
    private final Collection c;
    private final String using;
    private final Metric metric;
    private final int dim;
    private final List<PointId> ids = new ArrayList<>();
    private final List<String> idPaths = new ArrayList<>();
    private final Map<float[], Integer> idSlots = new IdentityHashMap<>();
    private final Map<PointId, float[]> resolved = new LinkedHashMap<>();

    Examples(Collection c, String using) {
      this.c = c;
      this.using = SearchParams.vectorName(c, using);
      VectorParams p = c.config().vector(this.using);
      this.metric = p.metric();
      this.dim = p.size();
    }

    List<float[]> list(JsonNode n, String path) {
      List<float[]> out = new ArrayList<>();
      if (!Json.present(n)) {
        return out;
      }
      if (!n.isArray()) {
        throw ApiError.badRequest(path + ": expected an array of vectors or point ids");
      }
      for (int i = 0; i < n.size(); i++) {
        out.add(one(n.get(i), path + "[" + i + "]"));
      }
      return out;
    }

    float[] one(JsonNode example, String path) {
      JsonNode n = DenseDocuments.resolve(c, example, path, using);
      if (n != null && n.isArray()) {
        float[] v = Json.vector(n, path);
        if (v.length != dim) {
          throw ApiError.badRequest(path + ": Wrong input: Vector dimension error: expected dim: " + dim + ", got "
              + v.length);
        }
        return v;
      }
      PointId id = Json.pointId(n, path);
      float[] slot = new float[0];
      idSlots.put(slot, ids.size());
      ids.add(id);
      idPaths.add(path);
      return slot;
    }

    /** Context pairs: one {@code {positive, negative}} object or an array of them; none allowed only if {@code empty}. */
    List<float[][]> pairs(JsonNode n, String path, boolean empty) {
      List<float[][]> out = new ArrayList<>();
      if (Json.present(n) && n.isObject()) {
        out.add(pair(n, path));
      } else if (Json.present(n) && n.isArray()) {
        for (int i = 0; i < n.size(); i++) {
          out.add(pair(n.get(i), path + "[" + i + "]"));
        }
      } else if (Json.present(n)) {
        throw ApiError.badRequest(path + ": expected a {positive, negative} pair or an array of them");
      }
      if (out.isEmpty() && !empty) {
        throw ApiError.badRequest(path + ": at least one {positive, negative} pair is required");
      }
      return out;
    }

    private float[][] pair(JsonNode n, String path) {
      Json.object(n, path);
      Json.onlyFields(n, path, "positive", "negative");
      for (String f : List.of("positive", "negative")) {
        if (!Json.present(n.get(f))) {
          throw ApiError.badRequest(path + "." + f + ": required, a vector or a point id");
        }
      }
      return new float[][] {one(n.get("positive"), path + ".positive"), one(n.get("negative"), path + ".negative")};
    }

    /** Reads every point named as an example; 400 naming the first example whose point does not exist. */
    void resolve() {
      if (ids.isEmpty()) {
        return;
      }
      Set<PointId> distinct = new LinkedHashSet<>(ids);
      for (PointRecord r : c.retrieve(List.copyOf(distinct), PayloadSelector.NONE, Set.of(using))) {
        float[] v = r.vectors() == null ? null : r.vectors().get(using);
        if (v != null) {
          resolved.put(r.id(), v);
        }
      }
      for (int i = 0; i < ids.size(); i++) {
        if (!resolved.containsKey(ids.get(i))) {
          throw ApiError.badRequest(idPaths.get(i) + ": No point with id " + ids.get(i) + " found"
              + " (or it has no vector " + (using.isEmpty() ? "" : "'" + using + "'") + ")");
        }
      }
    }

    float[] vector(float[] example) {
      Integer slot = idSlots.get(example);
      return slot == null ? example : resolved.get(ids.get(slot));
    }

    List<float[]> vectors(List<float[]> examples) {
      return examples.stream().map(this::vector).toList();
    }

    /**
     * An example's vector as a scorer compares it with stored vectors: normalised for Cosine, as the stored ones are
     * (an average_vector query averages the raw vectors instead, as Qdrant does, and the search normalises the sum).
     */
    float[] scored(float[] example) {
      float[] v = vector(example);
      if (metric.normalizes() && !idSlots.containsKey(example)) {
        v = v.clone();
        VectorUtil.normalize(v);
      }
      return v;
    }

    List<float[]> scored(List<float[]> examples) {
      return examples.stream().map(this::scored).toList();
    }

    List<float[][]> pairVectors(List<float[][]> pairs) {
      return pairs.stream().map(p -> new float[][] {scored(p[0]), scored(p[1])}).toList();
    }

    Set<PointId> ids() {
      return Set.copyOf(ids);
    }
  }
}
