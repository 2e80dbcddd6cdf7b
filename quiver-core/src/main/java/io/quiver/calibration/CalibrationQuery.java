package io.quiver.calibration;

import io.quiver.PointId;
import io.quiver.QuiverException;
import io.quiver.collection.SparseVector;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * One calibration query and the ids of the points relevant to it (duplicates dropped, order kept; at least one).
 *
 * @param query what is searched: a dense vector, a sparse vector, or a stored point's own vector of the field
 */
public record CalibrationQuery(Query query, List<PointId> relevant) {
  /** A query of a vector field. */
  public sealed interface Query {}

  /** A dense query vector. */
  public record Dense(float[] vector) implements Query {
    public Dense {
      Objects.requireNonNull(vector, "vector");
    }
  }

  /** A sparse query vector (the field's IDF modifier applies as in search). */
  public record Sparse(SparseVector vector) implements Query {
    public Sparse {
      Objects.requireNonNull(vector, "vector");
    }
  }

  /** The vector point {@code id} holds in the field; the point itself is left out of its own results. */
  public record Near(PointId id) implements Query {
    public Near {
      Objects.requireNonNull(id, "id");
    }
  }

  public CalibrationQuery {
    Objects.requireNonNull(query, "query");
    relevant = List.copyOf(new LinkedHashSet<>(Objects.requireNonNull(relevant, "relevant")));
    if (relevant.isEmpty()) {
      throw new QuiverException.InvalidInput("a calibration query needs at least one relevant id");
    }
  }

  public static CalibrationQuery dense(float[] vector, List<PointId> relevant) {
    return new CalibrationQuery(new Dense(vector), relevant);
  }

  public static CalibrationQuery sparse(SparseVector vector, List<PointId> relevant) {
    return new CalibrationQuery(new Sparse(vector), relevant);
  }

  public static CalibrationQuery near(PointId id, List<PointId> relevant) {
    return new CalibrationQuery(new Near(id), relevant);
  }
}
