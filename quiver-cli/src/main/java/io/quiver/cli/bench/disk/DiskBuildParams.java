package io.quiver.cli.bench.disk;

/**
 * Build settings every disk engine maps to its own: graph degree, build list size, pruning alpha, threads, seed,
 * and for Quiver which graph builder ({@code hnsw} or {@code vamana}). An alpha of NaN means each engine's own default.
 */
public record DiskBuildParams(int maxDegree, int buildListSize, float alpha, int threads, long seed, String graph) {

  /** The alpha to build with: the one given, or {@code engineDefault} when none was. */
  public float alphaOr(float engineDefault) {
    return Float.isNaN(alpha) ? engineDefault : alpha;
  }
}
