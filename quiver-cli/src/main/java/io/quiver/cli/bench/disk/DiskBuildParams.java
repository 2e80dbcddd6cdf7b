package io.quiver.cli.bench.disk;

/**
 * Build settings every disk engine maps to its own: graph degree, build list size, pruning alpha, threads, seed,
 * and for Quiver which graph builder ({@code hnsw} or {@code vamana}).
 */
public record DiskBuildParams(int maxDegree, int buildListSize, float alpha, int threads, long seed, String graph) {}
