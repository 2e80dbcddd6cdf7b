package io.quiver.index.hnsw;

import io.quiver.index.IndexFiles;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The neighbour lists of an {@link HnswIndex} and its entry point.
 *
 * <p><b>Layout.</b> Level 0, which every node has, lives in large {@code int[]} pages with a fixed slot per node:
 * {@code [count, n1 .. n(2M)]}. The few nodes on upper levels (a fraction 1/M per level) keep an {@code int[][]}
 * with one {@code [count, n1 .. nM]} array per level.
 *
 * <p><b>Concurrency.</b> A writer changes a node's neighbour list only while holding that node's (striped) lock
 * ({@link #lockFor}), writes the entries first and then the count with release semantics; readers take no lock and
 * read the count with acquire semantics ({@link #INTS}). A reader racing with a rewrite may see a mix of old and new
 * entries, which only affects which path a search takes. Inserts hold {@link #structureLock} shared; whole-graph
 * rewrites (connectivity repair, delete consolidation) hold it exclusively.
 *
 * <p>Fields are package-private and the class final so that the searchers' hot loops read them directly.
 */
final class OnHeapHnswGraph {
  static final VarHandle INTS = MethodHandles.arrayElementVarHandle(int[].class);
  private static final int LOCK_STRIPES = 1024;
  private static final int TARGET_PAGE_INTS = 1 << 16;
  /** Highest level a node can get. */
  static final int MAX_LEVEL = 30;

  record Entry(int node, int level) {}

  final int maxConn0;
  final int maxConnUpper;
  /**
   * Most entries a level-0 list may hold: {@link #maxConn0}, or more while a bulk build lets lists grow past it
   * before pruning ({@link HnswIndex#forBulkBuild}); such a graph is pruned back to {@link #maxConn0} before use.
   */
  final int capacity0;
  /** Ints per level-0 slot: the count and {@link #capacity0} entries. */
  final int slot0;
  final int nodeShift;
  final int nodeMask;
  volatile int[][] level0Pages = new int[0][];
  volatile int[][][][] upperPages = new int[0][][][];
  private final Object[] locks = new Object[LOCK_STRIPES];
  volatile Entry entry;
  /** Inserts share it; connectivity repair and consolidation of deletes take it exclusively. */
  final ReentrantReadWriteLock structureLock = new ReentrantReadWriteLock();
  private final AtomicLong upperBytes = new AtomicLong();

  OnHeapHnswGraph(int maxConn0, int maxConnUpper) {
    this(maxConn0, maxConnUpper, maxConn0);
  }

  OnHeapHnswGraph(int maxConn0, int maxConnUpper, int capacity0) {
    if (capacity0 < maxConn0) {
      throw new IllegalArgumentException("level-0 capacity " + capacity0 + " below the degree " + maxConn0);
    }
    this.maxConn0 = maxConn0;
    this.maxConnUpper = maxConnUpper;
    this.capacity0 = capacity0;
    this.slot0 = 1 + capacity0;
    int perPage = Integer.highestOneBit(Math.max(1, TARGET_PAGE_INTS / slot0));
    this.nodeShift = Integer.numberOfTrailingZeros(perPage);
    this.nodeMask = perPage - 1;
    for (int i = 0; i < LOCK_STRIPES; i++) {
      locks[i] = new Object();
    }
  }

  int[] level0Page(int node) {
    return level0Pages[node >>> nodeShift];
  }

  int level0Base(int node) {
    return (node & nodeMask) * slot0;
  }

  /** The upper-level lists of {@code node} ({@code [count, n1 .. nM]} for levels 1..top), or null when it has none. */
  int[][] upperLevels(int node) {
    int[][][][] pages = upperPages;
    int pi = node >>> nodeShift;
    if (pi >= pages.length) {
      return null;
    }
    int[][][] page = pages[pi];
    return page == null ? null : page[node & nodeMask];
  }

  /** Top level of {@code node}. */
  int levelOf(int node) {
    int[][] up = upperLevels(node);
    return up == null ? 0 : up.length;
  }

  /** The neighbour array for (node, level): count at {@link #listBase}, entries after it. */
  int[] listArray(int node, int level) {
    return level == 0 ? level0Page(node) : upperLevels(node)[level - 1];
  }

  int listBase(int node, int level) {
    return level == 0 ? level0Base(node) : 0;
  }

  /** Copies the neighbours of (node, level) into {@code out}; returns how many. */
  int neighbors(int node, int level, int[] out) {
    int[] arr = listArray(node, level);
    int base = listBase(node, level);
    int count = (int) INTS.getAcquire(arr, base);
    System.arraycopy(arr, base + 1, out, 0, count);
    return count;
  }

  Object lockFor(int node) {
    return locks[node & (LOCK_STRIPES - 1)];
  }

  /** Whether {@code node}'s level-0 list exists; under the structure write lock that means its insert finished. */
  boolean linked(int node) {
    return (node >>> nodeShift) < level0Pages.length;
  }

  /** Makes room for {@code node}'s lists on levels 0..{@code level}, all empty. */
  void allocate(int node, int level) {
    int pi = node >>> nodeShift;
    if (pi >= level0Pages.length || (level > 0 && (pi >= upperPages.length || upperPages[pi] == null))) {
      synchronized (this) {
        int[][] l0 = level0Pages;
        if (pi >= l0.length) {
          int old = l0.length;
          l0 = Arrays.copyOf(l0, pi + 1);
          for (int i = old; i <= pi; i++) {
            l0[i] = new int[(nodeMask + 1) * slot0];
          }
          level0Pages = l0;
        }
        if (level > 0) {
          int[][][][] up = upperPages;
          if (pi >= up.length) {
            up = Arrays.copyOf(up, pi + 1);
          }
          if (up[pi] == null) {
            up = up.clone();
            up[pi] = new int[nodeMask + 1][][];
          }
          upperPages = up;
        }
      }
    }
    if (level > 0) {
      int[][] levels = new int[level][];
      for (int l = 0; l < level; l++) {
        levels[l] = new int[1 + maxConnUpper];
      }
      upperPages[pi][node & nodeMask] = levels;
      upperBytes.addAndGet(upperListBytes(level));
    }
  }

  private long upperListBytes(int levels) {
    return 16 + 8L * levels + levels * (16 + 4L * (1 + maxConnUpper));
  }

  /** Replaces the list of (node, level) with {@code ids[0..count)}. */
  void setNeighbors(int node, int level, int[] ids, int count) {
    synchronized (lockFor(node)) {
      int[] arr = listArray(node, level);
      int base = listBase(node, level);
      System.arraycopy(ids, 0, arr, base + 1, count);
      INTS.setRelease(arr, base, count);
    }
  }

  /** Removes every level-0 link to {@code target} from the lists of nodes {@code 0..max-1}. */
  void unlinkOnLevel0(int target, int max) {
    for (int node = 0; node < max; node++) {
      synchronized (lockFor(node)) {
        int[] arr = level0Page(node);
        int base = level0Base(node);
        int count = arr[base];
        int kept = 0;
        for (int i = 1; i <= count; i++) {
          if (arr[base + i] != target) {
            arr[base + 1 + kept++] = arr[base + i];
          }
        }
        INTS.setRelease(arr, base, kept);
      }
    }
  }

  /**
   * Opening: level 0 of nodes {@code 0..count-1} from {@code src} at {@code offset} (the in-memory slot layout,
   * little-endian), bulk-copied page by page, then range-checked.
   *
   * @throws IllegalArgumentException naming the first node whose list is out of range
   */
  void loadLevel0(MemorySegment src, long offset, int count) {
    if (capacity0 != maxConn0) {
      throw new IllegalStateException("a graph with build slack is never loaded from a file");
    }
    int perPage = nodeMask + 1;
    int[][] pages = new int[(int) (((long) count + perPage - 1) / perPage)][];
    for (int pi = 0; pi < pages.length; pi++) {
      int first = pi * perPage;
      int n = Math.min(perPage, count - first);
      pages[pi] = new int[perPage * slot0];
      MemorySegment.copy(src, IndexFiles.LE_INT, offset + 4L * first * slot0, pages[pi], 0, n * slot0);
      for (int i = 0; i < n; i++) {
        checkList(pages[pi], i * slot0, maxConn0, count, first + i, 0);
      }
    }
    level0Pages = pages;
  }

  /** Opening: the upper-level lists of one node, each {@code 1 + M} ints as {@link #upperLevels} holds them. */
  void loadUpper(int node, int[][] levels, int count) {
    for (int l = 0; l < levels.length; l++) {
      checkList(levels[l], 0, maxConnUpper, count, node, l + 1);
    }
    int pi = node >>> nodeShift;
    int[][][][] up = upperPages;
    if (pi >= up.length) {
      up = Arrays.copyOf(up, pi + 1);
    }
    if (up[pi] == null) {
      up[pi] = new int[nodeMask + 1][][];
    }
    up[pi][node & nodeMask] = levels;
    upperPages = up;
    upperBytes.addAndGet(upperListBytes(levels.length));
  }

  private static void checkList(int[] arr, int base, int maxConn, int count, int node, int level) {
    int n = arr[base];
    if (n < 0 || n > maxConn) {
      throw new IllegalArgumentException("node " + node + " level " + level + " has " + n + " neighbours, at most "
          + maxConn + " allowed");
    }
    for (int i = 1; i <= n; i++) {
      int nb = arr[base + i];
      if (nb < 0 || nb >= count) {
        throw new IllegalArgumentException("node " + node + " level " + level + " links to " + nb
            + ", outside 0.." + (count - 1));
      }
    }
  }

  long ramBytesUsed() {
    long graph = 16 + 8L * level0Pages.length;
    for (int[] p : level0Pages) {
      graph += 16 + 4L * p.length;
    }
    graph += 16 + 8L * upperPages.length;
    for (int[][][] p : upperPages) {
      if (p != null) {
        graph += 16 + 8L * p.length;
      }
    }
    return graph + upperBytes.get();
  }
}
