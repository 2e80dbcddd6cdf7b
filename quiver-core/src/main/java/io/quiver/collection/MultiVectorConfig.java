package io.quiver.collection;

/**
 * Qdrant's {@code multivector_config}: a vector field whose points each hold a non-empty list of vectors of the
 * field's size, compared by {@code comparator}. With {@code indexed} (the default) sealed segments find candidates
 * through an HNSW graph over MUVERA fixed-dimensional encodings ({@link Fde}) and rerank them by exact MaxSim;
 * without it (Qdrant's {@code hnsw_config.m: 0}) every search is an exact MaxSim scan.
 */
public record MultiVectorConfig(Comparator comparator, boolean indexed) {
  /** MaxSim with the FDE candidate index. */
  public static final MultiVectorConfig MAX_SIM = new MultiVectorConfig(Comparator.MAX_SIM, true);

  /** The only comparator Qdrant 1.19 has: the sum over query vectors of the best similarity to a stored vector. */
  public enum Comparator {
    MAX_SIM;

    public String qdrantName() {
      return "max_sim";
    }

    /** The comparator named {@code name} in Qdrant's JSON, or null. */
    public static Comparator parse(String name) {
      return "max_sim".equals(name) ? MAX_SIM : null;
    }
  }

  public MultiVectorConfig {
    if (comparator == null) {
      throw new IllegalArgumentException("comparator must not be null");
    }
  }

  /** The same comparator, searched by exact scan only. */
  public MultiVectorConfig rerankOnly() {
    return new MultiVectorConfig(comparator, false);
  }
}
