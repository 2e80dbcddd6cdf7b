package io.quiver.index.hnsw;

/**
 * HNSW build and search parameters. Build with {@link #builder()}.
 *
 * @param m maximum neighbours per node on upper levels; level 0 keeps {@code 2 * m}
 * @param efConstruction candidate list size while inserting
 * @param efSearch default candidate list size for queries that do not set one (never below k)
 * @param seed seed of the level assignment, so a build's shape does not depend on thread timing
 */
public record HnswConfig(int m, int efConstruction, int efSearch, long seed) {
  public static final HnswConfig DEFAULT = builder().build();

  public HnswConfig {
    if (m < 2 || m > 512) {
      throw new IllegalArgumentException("m must be in [2, 512], got " + m);
    }
    if (efConstruction < 1) {
      throw new IllegalArgumentException("efConstruction must be >= 1, got " + efConstruction);
    }
    if (efSearch < 1) {
      throw new IllegalArgumentException("efSearch must be >= 1, got " + efSearch);
    }
  }

  public int maxConnections(int level) {
    return level == 0 ? 2 * m : m;
  }

  public static Builder builder() {
    return new Builder();
  }

  public static final class Builder {
    private int m = 16;
    private int efConstruction = 100;
    private int efSearch = 64;
    private long seed = 42;

    public Builder m(int m) {
      this.m = m;
      return this;
    }

    public Builder efConstruction(int efConstruction) {
      this.efConstruction = efConstruction;
      return this;
    }

    public Builder efSearch(int efSearch) {
      this.efSearch = efSearch;
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public HnswConfig build() {
      return new HnswConfig(m, efConstruction, efSearch, seed);
    }
  }
}
