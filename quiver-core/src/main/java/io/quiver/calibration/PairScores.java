package io.quiver.calibration;

import io.quiver.PointId;
import io.quiver.QuiverException;
import io.quiver.collection.Collection;
import io.quiver.collection.PayloadSelector;
import io.quiver.collection.PointRecord;
import io.quiver.collection.ScoredPoint;
import io.quiver.collection.SearchRequest;
import io.quiver.collection.SparseSearchRequest;
import io.quiver.collection.SparseVector;
import io.quiver.filter.Condition;
import io.quiver.filter.Filter;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The score of every (query, relevant point) pair, computed by the collection's own exact search restricted to the
 * query's relevant ids, so a score is exactly what a search of the field reports for that point (full precision,
 * the sparse field's IDF over the live collection as of now). A pair the field can never return scores worst:
 * -infinity for similarities, +infinity for distances.
 */
final class PairScores {
  private PairScores() {}

  /**
   * Per query, the scores of its relevant points in the order given.
   *
   * @throws QuiverException.InvalidInput naming the query and id when a relevant point does not exist, or a query
   *     does not fit the field (a sparse query of a dense field, a wrong size, ...)
   */
  static float[][] of(Collection c, String field, Calibration.Kind kind, boolean largerBetter,
      List<CalibrationQuery> queries) {
    float worst = largerBetter ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY;
    float[][] out = new float[queries.size()][];
    for (int q = 0; q < queries.size(); q++) {
      CalibrationQuery cq = queries.get(q);
      List<PointId> relevant = cq.relevant();
      if (relevant.size() > Collection.MAX_RESULT_WINDOW) {
        throw new QuiverException.InvalidInput("queries[" + q + "].relevant: at most " + Collection.MAX_RESULT_WINDOW
            + " ids, got " + relevant.size());
      }
      Set<PointId> existing = new HashSet<>();
      for (PointRecord r : c.retrieve(relevant, PayloadSelector.NONE, Set.of(field))) {
        existing.add(r.id());
      }
      for (int i = 0; i < relevant.size(); i++) {
        if (!existing.contains(relevant.get(i))) {
          throw new QuiverException.InvalidInput("queries[" + q + "].relevant[" + i + "]: no point "
              + relevant.get(i) + " in collection " + c.name());
        }
      }
      PointId self = cq.query() instanceof CalibrationQuery.Near n ? n.id() : null;
      Set<PointId> ids = new HashSet<>(relevant);
      ids.remove(self); // a search by point id leaves the point out: never returned
      Map<PointId, Float> found = new HashMap<>();
      if (!ids.isEmpty()) {
        Filter only = Filter.must(new Condition.HasId(ids));
        for (ScoredPoint p : search(c, field, kind, cq.query(), only, ids.size(), q)) {
          found.put(p.id(), p.score());
        }
      }
      float[] s = new float[relevant.size()];
      for (int i = 0; i < s.length; i++) {
        s[i] = found.getOrDefault(relevant.get(i), worst);
      }
      out[q] = s;
    }
    return out;
  }

  private static List<ScoredPoint> search(Collection c, String field, Calibration.Kind kind,
      CalibrationQuery.Query query, Filter only, int limit, int q) {
    String at = "queries[" + q + "].query";
    if (kind == Calibration.Kind.DENSE) {
      float[] v = switch (query) {
        case CalibrationQuery.Dense d -> d.vector();
        case CalibrationQuery.Near n -> ownVector(c, field, n.id(), at).vectors().get(field);
        case CalibrationQuery.Sparse s -> throw new QuiverException.InvalidInput(at + ": a sparse vector, but '"
            + field + "' is a dense field");
      };
      return c.search(SearchRequest.builder(v).using(field).limit(limit).filter(only).exact(true).build());
    }
    SparseVector v = switch (query) {
      case CalibrationQuery.Sparse s -> s.vector();
      case CalibrationQuery.Near n -> ownVector(c, field, n.id(), at).sparseVectors().get(field);
      case CalibrationQuery.Dense d -> throw new QuiverException.InvalidInput(at + ": a dense vector, but '" + field
          + "' is a sparse field");
    };
    return c.search(SparseSearchRequest.builder(v, field).limit(limit).filter(only).build());
  }

  private static PointRecord ownVector(Collection c, String field, PointId id, String at) {
    PointRecord r = c.retrieve(List.of(id), PayloadSelector.NONE, Set.of(field)).stream().findFirst()
        .orElseThrow(() -> new QuiverException.InvalidInput(at + ": no point " + id + " in collection " + c.name()));
    if (r.vectors().get(field) == null && r.sparseVectors().get(field) == null) {
      throw new QuiverException.InvalidInput(at + ": point " + id + " has no vector '" + field + "'");
    }
    return r;
  }
}
