package io.quiver.index.hnsw;

import io.quiver.distance.Metric;
import io.quiver.storage.CorruptFileException;
import io.quiver.index.IndexFiles;
import io.quiver.index.VectorFile;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The {@code .hnsw} file: an {@link HnswIndex}'s graph, deletes and (for DOT) squared norms. Level 0 is stored in the
 * in-memory slot layout ({@code [count, n1 .. n2M]} per node), so opening bulk-copies it into the heap pages. Byte
 * layout in docs/format.md.
 */
final class HnswGraphFile {
  static final String EXTENSION = ".hnsw";
  static final int HEADER_BYTES = 128;
  static final int MAGIC = 0x534E4851; // "QHNS" as bytes
  static final int VERSION = 1;
  /** Header flag: a squared-norm section ends the body (DOT indexes). */
  private static final int FLAG_SQUARED_NORMS = 1;

  private HnswGraphFile() {}

  static void write(Path file, HnswIndex index, int count, int vectorChecksum) throws IOException {
    HnswConfig config = index.config();
    OnHeapHnswGraph graph = index.graph();
    int maxConn0 = config.maxConnections(0);
    int maxConnUpper = config.maxConnections(1);
    int upperNodes = 0;
    long upperLists = 0;
    int deletedCount = 0;
    for (int node = 0; node < count; node++) {
      int[][] up = graph.upperLevels(node);
      if (up != null) {
        upperNodes++;
        upperLists += up.length;
      }
      if (index.isDeleted(node)) {
        deletedCount++;
      }
    }
    int[] deleted = new int[deletedCount];
    for (int node = 0, d = 0; node < count; node++) {
      if (index.isDeleted(node) && d < deleted.length) {
        deleted[d++] = node;
      }
    }
    boolean norms = index.metric() == Metric.DOT;
    OnHeapHnswGraph.Entry entry = graph.entry;
    long bodyBytes = bodyBytes(count, maxConn0, maxConnUpper, upperNodes, upperLists, deletedCount, norms);
    int finalUpperNodes = upperNodes;
    long finalUpperLists = upperLists;
    IndexFiles.write(file, HEADER_BYTES, out -> {
      for (int node = 0; node < count; node++) {
        int[] arr = graph.level0Page(node);
        int base = graph.level0Base(node);
        int n = arr[base];
        if (n > maxConn0) {
          throw new IllegalStateException("node " + node + " holds " + n + " level-0 neighbours, more than "
              + maxConn0 + ": a bulk build must be finished (finishBulkBuild) before it is written");
        }
        out.putInts(arr, base, 1 + n);
        out.putZeros(4L * (maxConn0 - n)); // stale entries past the count are not saved
      }
      for (int node = 0; node < count; node++) {
        int[][] up = graph.upperLevels(node);
        if (up == null) {
          continue;
        }
        out.putInt(node);
        out.putInt(up.length);
        for (int[] list : up) {
          int n = list[0];
          out.putInts(list, 0, 1 + n);
          out.putZeros(4L * (maxConnUpper - n));
        }
      }
      out.putInts(deleted, 0, deleted.length);
      if (norms) {
        for (int node = 0; node < count; node++) {
          out.putFloat(index.isPresent(node) ? index.squaredNorm(node) : 0f);
        }
      }
      if (out.position() != HEADER_BYTES + bodyBytes) {
        throw new IllegalStateException("the index changed while it was saved: save requires no concurrent writers");
      }
      int bodyCrc = out.takeChecksum();
      ByteBuffer h = IndexFiles.newHeader(HEADER_BYTES);
      h.putInt(MAGIC).putInt(VERSION).putInt(index.dimension()).putInt(IndexFiles.metricCode(index.metric()))
          .putInt(count).putInt(config.m()).putInt(maxConn0).putInt(config.efConstruction())
          .putInt(config.efSearch()).putFloat(config.alpha()).putLong(config.seed())
          .putInt(entry == null ? -1 : entry.node()).putInt(entry == null ? -1 : entry.level())
          .putInt(finalUpperNodes).putInt((int) finalUpperLists).putInt(deleted.length)
          .putInt(norms ? FLAG_SQUARED_NORMS : 0).putFloat(norms ? index.maxSquaredNorm() : 0f)
          .putInt(vectorChecksum).putLong(bodyBytes).putInt(bodyCrc);
      return IndexFiles.sealHeader(h);
    });
  }

  private static long bodyBytes(int count, int maxConn0, int maxConnUpper, long upperNodes, long upperLists,
      long deleted, boolean norms) {
    return 4L * ((long) count * (1 + maxConn0) + 2 * upperNodes + upperLists * (1 + maxConnUpper) + deleted
        + (norms ? count : 0));
  }

  /** Reads the graph that belongs to the opened vector file {@code vectors} into a new sealed index. */
  static HnswIndex read(Path file, VectorFile.Contents vectors) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      IndexFiles.MappedFile f = IndexFiles.MappedFile.map(file, arena);
      f.checkHeader(HEADER_BYTES, MAGIC, VERSION, "HNSW graph");
      int dim = f.intAt(8);
      int metricCode = f.intAt(12);
      int count = f.intAt(16);
      int vectorChecksum = f.intAt(76);
      if (dim != vectors.dimension() || metricCode != IndexFiles.metricCode(vectors.metric())
          || count != vectors.count() || vectorChecksum != vectors.dataChecksum()) {
        throw f.corrupt(String.format("does not belong to %s: graph of %d x %d, metric code %d, vector checksum "
                + "0x%08X; vector file of %d x %d, metric code %d, checksum 0x%08X", vectors.file().getFileName(),
            count, dim, metricCode, vectorChecksum, vectors.count(), vectors.dimension(),
            IndexFiles.metricCode(vectors.metric()), vectors.dataChecksum()));
      }
      HnswConfig config;
      try {
        config = new HnswConfig(f.intAt(20), f.intAt(28), f.intAt(32), f.longAt(40), f.floatAt(36), 0);
      } catch (IllegalArgumentException e) {
        throw f.corrupt("invalid HNSW parameters: " + e.getMessage());
      }
      int maxConn0 = f.intAt(24);
      int entryNode = f.intAt(48);
      int entryLevel = f.intAt(52);
      int upperNodes = f.intAt(56);
      int upperLists = f.intAt(60);
      int deletedCount = f.intAt(64);
      int flags = f.intAt(68);
      float maxSquaredNorm = f.floatAt(72);
      long bodyLength = f.longAt(80);
      int bodyCrc = f.intAt(88);
      boolean norms = vectors.metric() == Metric.DOT;
      if (maxConn0 != config.maxConnections(0) || upperNodes < 0 || upperNodes > count || upperLists < upperNodes
          || (long) upperLists > (long) upperNodes * OnHeapHnswGraph.MAX_LEVEL || deletedCount < 0
          || deletedCount > count
          || flags != (norms ? FLAG_SQUARED_NORMS : 0)) {
        throw f.corrupt("invalid header: level-0 degree " + maxConn0 + " for M " + config.m() + ", " + upperNodes
            + " upper nodes with " + upperLists + " lists, " + deletedCount + " deleted of " + count + ", flags 0x"
            + Integer.toHexString(flags));
      }
      int maxConnUpper = config.maxConnections(1);
      long expectedBody = bodyBytes(count, maxConn0, maxConnUpper, upperNodes, upperLists, deletedCount, norms);
      if (bodyLength != expectedBody) {
        throw f.corrupt("header says the body is " + bodyLength + " bytes, its counts make it " + expectedBody);
      }
      f.checkSize(HEADER_BYTES + bodyLength);
      f.checkCrc(HEADER_BYTES, bodyLength, bodyCrc, "graph");

      HnswIndex index = new HnswIndex(vectors.vectors(), vectors.metric(), config, file);
      MemorySegment seg = f.segment();
      long at = HEADER_BYTES;
      try {
        index.graph().loadLevel0(seg, at, count);
        at += 4L * count * (1 + maxConn0);
        int[] upperNodeIds = new int[upperNodes];
        long lists = 0;
        for (int i = 0, previous = -1; i < upperNodes; i++) {
          int node = f.intAt(at);
          int level = f.intAt(at + 4);
          at += 8;
          lists += level;
          if (node <= previous || node >= count || level < 1 || level > OnHeapHnswGraph.MAX_LEVEL
              || lists > upperLists) {
            throw f.corrupt("upper-level record " + i + " is invalid: node " + node + " (after " + previous
                + "), level " + level);
          }
          int[][] levels = new int[level][];
          for (int l = 0; l < level; l++) {
            levels[l] = new int[1 + maxConnUpper];
            MemorySegment.copy(seg, IndexFiles.LE_INT, at, levels[l], 0, 1 + maxConnUpper);
            at += 4L * (1 + maxConnUpper);
          }
          index.graph().loadUpper(node, levels, count);
          upperNodeIds[i] = node;
          previous = node;
        }
        if (lists != upperLists) {
          throw f.corrupt("upper levels hold " + lists + " lists, the header says " + upperLists);
        }
        checkUpperLinks(f, index, upperNodeIds);
        int[] deleted = new int[deletedCount];
        MemorySegment.copy(seg, IndexFiles.LE_INT, at, deleted, 0, deletedCount);
        at += 4L * deletedCount;
        if (norms) {
          index.loadSquaredNorms(seg, at, count, maxSquaredNorm);
        }
        OnHeapHnswGraph.Entry entry = null;
        if (entryNode != -1 || entryLevel != -1) {
          if (entryNode < 0 || entryNode >= count || index.graph().levelOf(entryNode) != entryLevel) {
            throw f.corrupt("entry point node " + entryNode + " at level " + entryLevel + " is not in the graph");
          }
          entry = new OnHeapHnswGraph.Entry(entryNode, entryLevel);
        }
        index.loadState(count, vectors.presentWords(), deleted, entry);
        if (entry == null ? index.size() > 0 : !index.isPresent(entryNode)) {
          throw f.corrupt("entry point " + entryNode + " contradicts the " + index.size() + " live vectors");
        }
      } catch (IllegalArgumentException e) {
        throw new CorruptFileException(file, e.getMessage(), e);
      }
      return index;
    }
  }

  /** A node linked on level l must itself reach level l, or a search would find no list there. */
  private static void checkUpperLinks(IndexFiles.MappedFile f, HnswIndex index, int[] upperNodes)
      throws CorruptFileException {
    OnHeapHnswGraph graph = index.graph();
    for (int node : upperNodes) {
      int[][] levels = graph.upperLevels(node);
      for (int l = 0; l < levels.length; l++) {
        int[] list = levels[l];
        for (int i = 1; i <= list[0]; i++) {
          if (graph.levelOf(list[i]) < l + 1) {
            throw f.corrupt("node " + node + " level " + (l + 1) + " links to " + list[i] + ", which has no level "
                + (l + 1) + " (top " + graph.levelOf(list[i]) + ")");
          }
        }
      }
    }
  }
}
