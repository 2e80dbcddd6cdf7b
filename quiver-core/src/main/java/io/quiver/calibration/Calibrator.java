package io.quiver.calibration;

import io.quiver.QuiverException;
import io.quiver.collection.Collection;
import io.quiver.collection.CollectionConfig;
import io.quiver.collection.VectorParams;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * Split-conformal calibration of one vector field: scores every (calibration query, relevant point) pair with the
 * field's exact search ({@link PairScores}) and takes, per alpha, the {@link ConformalQuantile} of those scores.
 *
 * <p><b>Nonconformity.</b> Every (query, relevant point) pair is one calibration score, not only the best relevant
 * point of each query. The guarantee is then per relevant item: a relevant point of a new query, drawn like the
 * calibration pairs, scores past the threshold with probability at least 1 - alpha, i.e. a search with that
 * threshold (and a limit large enough) returns it. This assumes the calibration pairs and the new pair are
 * exchangeable, e.g. queries and their judged points drawn independently from the same distribution as future
 * traffic on an unchanged collection. Pairs of one query share the query, so with many relevant points per query the
 * guarantee holds on average over pairs rather than exactly in finite samples; the best-relevant-per-query score
 * would instead bound the chance of returning at least one relevant point, a weaker promise for retrieval-augmented
 * generation, which wants each relevant passage.
 *
 * <p>Build with {@link #builder(Collection, String)}; the result is not stored (see {@link CalibrationStore}).
 */
public final class Calibrator {
  private final Collection collection;
  private final String field;
  private final List<Double> alphas;
  private final double holdout;
  private final long seed;

  private Calibrator(Builder b) {
    this.collection = b.collection;
    this.field = b.field;
    this.alphas = List.copyOf(b.alphas);
    this.holdout = b.holdout;
    this.seed = b.seed;
  }

  public static Builder builder(Collection collection, String field) {
    return new Builder(collection, field);
  }

  /** How to calibrate: the alphas (at least one) and an optional held-out fraction of the queries. */
  public static final class Builder {
    private final Collection collection;
    private final String field;
    private List<Double> alphas = List.of(0.1);
    private double holdout;
    private long seed;

    private Builder(Collection collection, String field) {
      this.collection = Objects.requireNonNull(collection, "collection");
      this.field = Objects.requireNonNull(field, "field");
    }

    /** The miscoverage levels to calibrate, each in (0, 1) (default 0.1). */
    public Builder alphas(List<Double> values) {
      if (values.isEmpty()) {
        throw new QuiverException.InvalidInput("alpha: at least one level is needed");
      }
      alphas = List.copyOf(values);
      return this;
    }

    /**
     * Holds out {@code fraction} of the queries (in [0, 1), chosen at random from {@code seed}; 0: none): the
     * thresholds come from the others, and the report gives their coverage on these.
     */
    public Builder holdout(double fraction, long seed) {
      if (!(fraction >= 0 && fraction < 1)) {
        throw new QuiverException.InvalidInput("holdout must be in [0, 1), got " + fraction);
      }
      this.holdout = fraction;
      this.seed = seed;
      return this;
    }

    public Calibrator build() {
      return new Calibrator(this);
    }
  }

  /**
   * Calibrates on {@code queries}.
   *
   * @throws QuiverException.InvalidInput when the field does not exist, a query does not fit it, a relevant point
   *     does not exist, there are too few pairs for an alpha, or too many pairs the field can never return
   */
  public CalibrationReport calibrate(List<CalibrationQuery> queries) {
    CollectionConfig config = collection.config();
    VectorParams dense = config.vector(field);
    Calibration.Kind kind;
    if (dense != null) {
      kind = Calibration.Kind.DENSE;
    } else if (config.sparseVector(field) != null) {
      kind = Calibration.Kind.SPARSE;
    } else {
      throw new QuiverException.InvalidInput("collection " + collection.name() + " has no vector field '" + field
          + "'");
    }
    boolean largerBetter = Calibration.largerBetter(kind, dense == null ? null : dense.metric());
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < queries.size(); i++) {
      order.add(i);
    }
    int held = (int) Math.round(holdout * queries.size());
    if (held > 0) {
      Collections.shuffle(order, new Random(seed));
    }
    int n = 0;
    for (int q : order.subList(held, order.size())) {
      n += queries.get(q).relevant().size();
    }
    for (double alpha : alphas) { // before the searches: too few pairs is known from the counts alone
      if (ConformalQuantile.rank(n, alpha) < 1) {
        ConformalQuantile.threshold(new float[n], alpha, largerBetter); // throws, saying how many are needed
      }
    }
    float[][] all = PairScores.of(collection, field, kind, largerBetter, queries);
    float[] scores = flatten(all, order.subList(held, order.size()));
    int unreachable = 0;
    for (float s : scores) {
      unreachable += Float.isInfinite(s) ? 1 : 0;
    }
    List<Calibration.Threshold> thresholds = new ArrayList<>();
    for (double alpha : alphas) {
      float t = ConformalQuantile.threshold(scores, alpha, largerBetter);
      if (Float.isInfinite(t)) {
        throw new QuiverException.InvalidInput("alpha " + alpha + ": " + unreachable + " of " + scores.length
            + " calibration pairs can never be returned by '" + field + "' (no vector in it, or no index shared with"
            + " a sparse query), more than floor((n + 1) * alpha) = " + ConformalQuantile.rank(scores.length, alpha)
            + ": no threshold keeps a relevant point with probability >= " + (1 - alpha));
      }
      thresholds.add(new Calibration.Threshold(alpha, t));
    }
    Calibration calibration = new Calibration(field, kind, dense == null ? null : dense.metric(),
        dense == null ? 0 : dense.size(), queries.size() - held, scores.length, unreachable, thresholds);
    if (held == 0) {
      return new CalibrationReport(calibration, null);
    }
    float[] heldScores = flatten(all, order.subList(0, held));
    List<Double> coverage = new ArrayList<>();
    for (Calibration.Threshold t : calibration.thresholds()) {
      coverage.add(ConformalQuantile.coverage(heldScores, t.score(), largerBetter));
    }
    return new CalibrationReport(calibration, new CalibrationReport.Holdout(seed, held, heldScores.length, coverage));
  }

  private static float[] flatten(float[][] perQuery, List<Integer> which) {
    int n = 0;
    for (int q : which) {
      n += perQuery[q].length;
    }
    float[] out = new float[n];
    int at = 0;
    for (int q : which) {
      System.arraycopy(perQuery[q], 0, out, at, perQuery[q].length);
      at += perQuery[q].length;
    }
    return out;
  }
}
