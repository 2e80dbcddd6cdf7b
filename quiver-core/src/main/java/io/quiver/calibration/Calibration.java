package io.quiver.calibration;

import io.quiver.QuiverException;
import io.quiver.collection.CollectionConfig;
import io.quiver.collection.VectorParams;
import io.quiver.distance.Metric;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The calibrated score thresholds of one vector field: for each miscoverage level alpha, the score a relevant point
 * reaches with probability at least 1 - alpha (see {@link ConformalQuantile}), with what they were computed over.
 *
 * @param field the vector field (dense or sparse)
 * @param kind whether the field is dense or sparse
 * @param metric the dense field's metric (null for sparse)
 * @param dimension the dense field's size (0 for sparse)
 * @param queries calibration queries the thresholds come from
 * @param pairs calibration (query, relevant point) pairs: the n of the quantile
 * @param unreachable pairs whose point no search of the field can return (no vector in it, or for a sparse query no
 *     index shared with it): counted as worse than every score
 * @param thresholds one per alpha, ascending by alpha, alphas distinct
 */
public record Calibration(String field, Kind kind, Metric metric, int dimension, int queries, int pairs,
    int unreachable, List<Threshold> thresholds) {
  /** Two alphas closer than this are the same level (JSON round trips of decimal fractions). */
  static final double ALPHA_TOLERANCE = 1e-9;

  public enum Kind {
    DENSE,
    SPARSE
  }

  /** The score threshold for miscoverage level {@code alpha}, in the field's score direction. */
  public record Threshold(double alpha, float score) {
    public Threshold {
      if (!(alpha > 0 && alpha < 1)) {
        throw new QuiverException.InvalidInput("alpha must be in (0, 1), got " + alpha);
      }
      if (!Float.isFinite(score)) {
        throw new QuiverException.InvalidInput("threshold must be finite, got " + score);
      }
    }
  }

  public Calibration {
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(kind, "kind");
    if (kind == Kind.DENSE) {
      Objects.requireNonNull(metric, "metric of a dense field");
    }
    List<Threshold> sorted = new ArrayList<>(thresholds);
    sorted.sort(Comparator.comparingDouble(Threshold::alpha));
    for (int i = 1; i < sorted.size(); i++) {
      if (sorted.get(i).alpha() - sorted.get(i - 1).alpha() <= ALPHA_TOLERANCE) {
        throw new QuiverException.InvalidInput("alpha " + sorted.get(i).alpha() + " is given twice");
      }
    }
    thresholds = List.copyOf(sorted);
  }

  /** Whether larger scores are better: similarities (Cosine, Dot, sparse dot product), not distances. */
  public boolean largerBetter() {
    return largerBetter(kind, metric);
  }

  static boolean largerBetter(Kind kind, Metric metric) {
    return kind == Kind.SPARSE || metric == Metric.COSINE || metric == Metric.DOT;
  }

  /** The threshold calibrated for {@code alpha}, or null. */
  public Threshold threshold(double alpha) {
    for (Threshold t : thresholds) {
      if (Math.abs(t.alpha() - alpha) <= ALPHA_TOLERANCE) {
        return t;
      }
    }
    return null;
  }

  /** Whether the field still exists in {@code config} as it was calibrated (same kind, metric and size). */
  public boolean matches(CollectionConfig config) {
    if (kind == Kind.SPARSE) {
      return config.sparseVector(field) != null;
    }
    VectorParams p = config.vector(field);
    return p != null && p.metric() == metric && p.size() == dimension;
  }
}
