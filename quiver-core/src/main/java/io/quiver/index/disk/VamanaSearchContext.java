package io.quiver.index.disk;

import java.util.Arrays;

/**
 * One build thread's scratch for {@link VamanaBuilder}: the greedy search's candidate list and seen marks, the
 * visited (expanded) set it collects, and the buffers RobustPrune works in. Nothing here is shared between threads.
 */
final class VamanaSearchContext {
  /** The vector being inserted, and the one whose list a back-edge overflows. */
  final float[] query;
  final float[] otherQuery;
  /** Nodes whose distance this search computed: {@code seen[node] == stamp}. */
  private final int[] seen;
  private int stamp;
  /** Nodes already in the prune pool: {@code pooled[node] == poolStamp}. */
  private final int[] pooled;
  private int poolStamp;

  /** The candidate list, nearest first: {@code listSize} entries of at most {@code listCapacity}. */
  final float[] listDist;
  final int[] listId;
  final boolean[] listExpanded;
  int listSize;

  /** The visited set: nodes expanded by the last search, with their distances. */
  int[] visitedId = new int[64];
  float[] visitedDist = new float[64];
  int visitedCount;

  /** A neighbour list read for expansion, its unseen members, and their distances. */
  final int[] neighbours;
  final int[] fresh;
  final float[] freshDist;
  final float[] four = new float[4];

  /** RobustPrune's candidates, packed (distance, node), and what it keeps. */
  long[] pool = new long[64];
  int poolCount;
  private float[] occlusion = new float[64];
  /** RobustPrune's batches: pool positions, their nodes and distances to the node just kept. */
  private int[] batchIndex = new int[64];
  int[] batchNode = new int[64];
  float[] batchDist = new float[64];
  /** The vector of the node RobustPrune just kept. */
  final float[] pruneQuery;
  final int[] kept;

  VamanaSearchContext(int size, int dim, int listCapacity, int slotCapacity) {
    this.query = new float[dim];
    this.otherQuery = new float[dim];
    this.pruneQuery = new float[dim];
    this.seen = new int[size];
    this.pooled = new int[size];
    this.listDist = new float[listCapacity];
    this.listId = new int[listCapacity];
    this.listExpanded = new boolean[listCapacity];
    this.neighbours = new int[slotCapacity];
    this.fresh = new int[slotCapacity];
    this.freshDist = new float[slotCapacity];
    this.kept = new int[slotCapacity + 1];
  }

  /** Forgets every seen mark (constant time except once per 2^31 searches). */
  void newSearch() {
    if (++stamp == Integer.MAX_VALUE) {
      Arrays.fill(seen, 0);
      stamp = 1;
    }
    listSize = 0;
    visitedCount = 0;
  }

  /** Marks {@code node} seen; false when it already was in this search. */
  boolean markSeen(int node) {
    if (seen[node] == stamp) {
      return false;
    }
    seen[node] = stamp;
    return true;
  }

  void addVisited(int node, float dist) {
    if (visitedCount == visitedId.length) {
      visitedId = Arrays.copyOf(visitedId, visitedCount * 2);
      visitedDist = Arrays.copyOf(visitedDist, visitedCount * 2);
    }
    visitedId[visitedCount] = node;
    visitedDist[visitedCount] = dist;
    visitedCount++;
  }

  /** Empties the prune pool. */
  void newPool() {
    if (++poolStamp == Integer.MAX_VALUE) {
      Arrays.fill(pooled, 0);
      poolStamp = 1;
    }
    poolCount = 0;
  }

  /** Adds {@code node} at {@code dist} to the prune pool unless it is there already. */
  void pool(int node, float dist) {
    if (pooled[node] == poolStamp) {
      return;
    }
    pooled[node] = poolStamp;
    if (poolCount == pool.length) {
      pool = Arrays.copyOf(pool, poolCount * 2);
    }
    pool[poolCount++] = pack(dist, node);
  }

  /** Room for the occlusion factors of {@code n} pool entries. */
  float[] occlusion(int n) {
    if (occlusion.length < n) {
      occlusion = new float[Math.max(n, occlusion.length * 2)];
    }
    return occlusion;
  }

  /** Room for batches of {@code n} in {@link #batchNode} and {@link #batchDist}; returns the position array. */
  int[] batchIndex(int n) {
    if (batchIndex.length < n) {
      int size = Math.max(n, batchIndex.length * 2);
      batchIndex = new int[size];
      batchNode = new int[size];
      batchDist = new float[size];
    }
    return batchIndex;
  }

  /** Packs a non-negative distance and a node so that packed values sort by distance, then node. */
  static long pack(float dist, int node) {
    return ((long) Float.floatToRawIntBits(dist) << 32) | (node & 0xFFFFFFFFL);
  }

  static int node(long packed) {
    return (int) packed;
  }

  static float dist(long packed) {
    return Float.intBitsToFloat((int) (packed >>> 32));
  }
}
