package io.quiver.cli.bench;

import io.quiver.index.hnsw.HnswConfig;

/**
 * Build parameters the harness passes to every graph engine, so peers are built at equal settings.
 *
 * @param m maximum neighbours per node on upper levels (level 0 keeps 2m where the engine follows HNSW)
 * @param efConstruction candidate list size (beam width) while building
 * @param threads build threads
 * @param alpha Quiver HNSW's neighbour-selection slack ({@code HnswConfig.alpha}); peers keep their own defaults
 */
public record BuildParams(int m, int efConstruction, int threads, float alpha) {
  public BuildParams(int m, int efConstruction, int threads) {
    this(m, efConstruction, threads, HnswConfig.DEFAULT.alpha());
  }
}
