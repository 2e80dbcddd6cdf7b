package io.quiver.index.disk;

import static io.quiver.index.disk.DiskIndexFormat.*;

import io.quiver.distance.Metric;
import io.quiver.distance.VectorUtil;
import io.quiver.index.IndexFiles;
import io.quiver.index.VectorSource;
import io.quiver.quantization.Quantizers;
import io.quiver.quantization.BinaryQuantizer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Writes a {@code .qdisk} file from vectors, a finished graph over them and two trained quantizers (the in-RAM codes
 * and the blocks' int8 records), in one sequential pass per section; atomically, through {@link IndexFiles#write}.
 */
final class DiskIndexWriter {
  private DiskIndexWriter() {}

  /** The kind of block record: {@link ResidualInt8Codec}, on the codes' centroids. */
  static final int RECORD_RESIDUAL_INT8 = 1;

  /**
   * Codes and block records already made for some ordinals with the same quantizer and rotation (a merge's
   * survivors, copied from the base), so that the writer need not rotate and encode those vectors again.
   */
  interface Precoded {
    /** Copies {@code ordinal}'s code to {@code dst[off..)}; false when there is none. */
    boolean code(int ordinal, byte[] dst, int off);

    /** Copies {@code ordinal}'s block record to {@code dst[off..)}; false when there is none. */
    boolean record(int ordinal, byte[] dst, int off);
  }

  static void write(Path file, VectorSource vectors, Metric metric, DiskGraphSource graph, BinaryQuantizer codes,
      RandomRotation rotation) throws IOException {
    write(file, vectors, metric, graph, codes, rotation, null);
  }

  /** As the method above, but taking the codes and records {@code precoded} has (null: none) instead of encoding. */
  static void write(Path file, VectorSource vectors, Metric metric, DiskGraphSource graph, BinaryQuantizer codes,
      RandomRotation rotation, Precoded precoded) throws IOException {
    ResidualInt8Codec blockCodes = DiskIndex.recordCodec(codes);
    int n = graph.size();
    int dim = vectors.dimension();
    if (vectors.size() != n) {
      throw new IllegalArgumentException("graph has " + n + " nodes but there are " + vectors.size() + " vectors");
    }
    if (codes.dimension() != dim) {
      throw new IllegalArgumentException("quantizer dimension differs from the vectors' " + dim);
    }
    DiskLayout layout = DiskLayout.of(dim, graph.maxDegree(), blockCodes.bytesPerVector());
    int[] order = PagePacking.order(graph, n == 0 ? 0 : graph.entryNode(), layout.blocksPerPage());
    int[] position = PagePacking.inverse(order);
    IndexFiles.write(file, HEADER_BYTES, out -> {
      long[] offsets = new long[SECTIONS];
      long[] lengths = new long[SECTIONS];
      int[] crcs = new int[SECTIONS];

      offsets[SECTION_QUANTIZERS] = out.position();
      byte[] a = Quantizers.toBytes(codes);
      out.putInt(a.length);
      out.putBytes(a, 0, a.length);
      out.putInt(RECORD_RESIDUAL_INT8);
      out.putInt(dim);
      out.putFloats(rotation.matrix, 0, rotation.matrix.length);
      lengths[SECTION_QUANTIZERS] = out.position() - offsets[SECTION_QUANTIZERS];
      crcs[SECTION_QUANTIZERS] = out.takeChecksum();

      offsets[SECTION_CODES] = out.position();
      byte[] rec = new byte[codes.bytesPerVector()];
      for (int p = 0; p < n; p++) {
        if (precoded == null || !precoded.code(order[p], rec, 0)) {
          codes.encode(coded(vectors.vector(order[p]), metric, rotation), rec, 0);
        }
        out.putBytes(rec, 0, rec.length);
      }
      lengths[SECTION_CODES] = out.position() - offsets[SECTION_CODES];
      crcs[SECTION_CODES] = out.takeChecksum();

      offsets[SECTION_ROUTING] = out.position();
      writeRouting(out, graph, order, position);
      lengths[SECTION_ROUTING] = out.position() - offsets[SECTION_ROUTING];
      crcs[SECTION_ROUTING] = out.takeChecksum();

      out.putZeros(DiskLayout.alignToPage(out.position()) - out.position());
      out.takeChecksum();
      offsets[SECTION_BLOCKS] = out.position();
      writeBlocks(out, vectors, metric, rotation, graph, blockCodes, layout, order, position, precoded);
      lengths[SECTION_BLOCKS] = out.position() - offsets[SECTION_BLOCKS];
      out.takeChecksum();

      offsets[SECTION_FLOATS] = out.position();
      float[] v = new float[dim];
      for (int i = 0; i < n; i++) {
        System.arraycopy(vectors.vector(i), 0, v, 0, dim);
        if (metric.normalizes()) {
          VectorUtil.normalize(v);
        }
        out.putFloats(v, 0, dim);
      }
      lengths[SECTION_FLOATS] = out.position() - offsets[SECTION_FLOATS];
      crcs[SECTION_FLOATS] = out.takeChecksum();

      offsets[SECTION_POSITIONS] = out.position();
      out.putInts(position, 0, n);
      lengths[SECTION_POSITIONS] = out.position() - offsets[SECTION_POSITIONS];
      crcs[SECTION_POSITIONS] = out.takeChecksum();

      ByteBuffer h = IndexFiles.newHeader(HEADER_BYTES);
      h.putInt(0, MAGIC).putInt(4, VERSION).putInt(OFF_METRIC, IndexFiles.metricCode(metric))
          .putInt(OFF_DIMENSION, dim).putInt(OFF_COUNT, n).putInt(OFF_MAX_DEGREE, graph.maxDegree())
          .putInt(OFF_BLOCK_BYTES, layout.blockBytes()).putInt(OFF_BLOCKS_PER_PAGE, layout.blocksPerPage())
          .putInt(OFF_ENTRY, n == 0 ? 0 : position[graph.entryNode()]).putInt(OFF_ROUTING_LAYERS, graph.routingLayers())
          .putInt(OFF_FLAGS, 0);
      for (int s = 0; s < SECTIONS; s++) {
        int at = sectionOffset(s);
        h.putLong(at, offsets[s]).putLong(at + 8, lengths[s]).putInt(at + 16, crcs[s]);
      }
      return IndexFiles.sealHeader(h);
    });
  }

  /**
   * Layer count, then per layer 1..top: node count, the nodes (ascending), count + 1 offsets into the layer's
   * neighbour array, and that array.
   */
  private static void writeRouting(IndexFiles.Output out, DiskGraphSource graph, int[] order, int[] position)
      throws IOException {
    int layers = graph.routingLayers();
    out.putInt(layers);
    int[] buf = new int[Math.max(graph.maxDegree(), 1)];
    for (int l = 1; l <= layers; l++) {
      int[] ordinals = graph.nodesOn(l);
      int[] nodes = new int[ordinals.length];
      for (int i = 0; i < nodes.length; i++) {
        nodes[i] = position[ordinals[i]];
      }
      Arrays.sort(nodes);
      int[] offsets = new int[nodes.length + 1];
      int[] neighbours = new int[Math.max(16, nodes.length * 4)];
      int total = 0;
      for (int i = 0; i < nodes.length; i++) {
        int c = graph.neighbours(l, order[nodes[i]], buf);
        for (int j = 0; j < c; j++) {
          buf[j] = position[buf[j]];
        }
        if (total + c > neighbours.length) {
          neighbours = Arrays.copyOf(neighbours, Math.max(total + c, neighbours.length * 2));
        }
        System.arraycopy(buf, 0, neighbours, total, c);
        total += c;
        offsets[i + 1] = total;
      }
      out.putInt(nodes.length);
      out.putInts(nodes, 0, nodes.length);
      out.putInts(offsets, 0, offsets.length);
      out.putInts(neighbours, 0, total);
    }
  }

  /** The vector as the codes and records see it: normalised for COSINE, then rotated. */
  static float[] coded(float[] v, Metric metric, RandomRotation rotation) {
    float[] x = v;
    if (metric.normalizes()) {
      x = v.clone();
      VectorUtil.normalize(x);
    }
    return rotation.apply(x);
  }

  private static void writeBlocks(IndexFiles.Output out, VectorSource vectors, Metric metric,
      RandomRotation rotation, DiskGraphSource graph,
      ResidualInt8Codec blockCodes, DiskLayout layout, int[] order, int[] position, Precoded precoded)
      throws IOException {
    int n = graph.size();
    byte[] block = new byte[layout.blockBytes()];
    ByteBuffer bb = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN);
    int[] nbrs = new int[layout.maxDegree()];
    CRC32C crc = new CRC32C();
    int perPage = layout.blocksPerPage();
    long pageTail = layout.pageSpan() - (long) perPage * layout.blockBytes();
    for (int node = 0; node < n; node++) {
      int ordinal = order[node];
      Arrays.fill(block, (byte) 0);
      if (precoded == null || !precoded.record(ordinal, block, 0)) {
        blockCodes.encode(coded(vectors.vector(ordinal), metric, rotation), block, 0);
      }
      bb.putInt(layout.ordinalOffset(), ordinal);
      int c = graph.neighbours(0, ordinal, nbrs);
      if (c > layout.maxDegree()) {
        throw new IllegalStateException("node " + node + " has " + c + " neighbours, more than " + layout.maxDegree());
      }
      bb.putInt(layout.countOffset(), c);
      for (int i = 0; i < c; i++) {
        bb.putInt(layout.countOffset() + 4 + 4 * i, position[nbrs[i]]);
      }
      crc.reset();
      crc.update(block, 0, layout.crcOffset());
      bb.putInt(layout.crcOffset(), (int) crc.getValue());
      out.putBytes(block, 0, block.length);
      if (node % perPage == perPage - 1 || node == n - 1) {
        int inPage = node % perPage + 1;
        out.putZeros(pageTail + (long) (perPage - inPage) * layout.blockBytes());
      }
    }
  }
}
