package io.quiver.index;

import io.quiver.distance.VectorUtil;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Read-only vectors in a memory-mapped file region: {@code count} vectors of little-endian float32, back to back,
 * ordinal {@code i} at byte {@code i * dimension * 4}. The vectors stay in the file (the OS pages them in on demand);
 * the heap holds only this object.
 *
 * <p>Two read paths, each the faster one where it is used (measured: docs/benchmarks.md, "Reading vectors from a mapped
 * file"). A single vector is copied into the caller's per-thread scratch array and the array kernels run on the copy
 * ({@link #page}). Four or eight vectors at once, as graph search scores neighbours, are read in place by the Vector
 * API segment kernels, which keep that many memory streams in flight; copying them one after the other does not.
 *
 * <p>Thread-safety: any number of threads may read. {@link #close} unmaps the file, after which reads throw
 * {@link IllegalStateException}; it must not race with reads (the owner reference-counts its readers).
 */
public final class MappedVectorStore implements VectorStore {
  private static final ValueLayout.OfFloat LE_FLOAT =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private final Arena arena;
  private final MemorySegment vectors;
  private final int dimension;
  private final long vectorBytes;
  private final int count;
  private final long mappedBytes;

  /**
   * @param arena the (shared) arena {@code mapping} belongs to; closed by {@link #close}
   * @param mapping the whole mapped file, for accounting
   * @param vectors the vector data inside {@code mapping}, {@code count * dimension * 4} bytes
   */
  MappedVectorStore(Arena arena, MemorySegment mapping, MemorySegment vectors, int dimension, int count) {
    if ((long) count * dimension * Float.BYTES != vectors.byteSize()) {
      throw new IllegalArgumentException(vectors.byteSize() + " bytes do not hold " + count + " vectors of "
          + dimension + " floats");
    }
    this.arena = arena;
    this.vectors = vectors;
    this.dimension = dimension;
    this.vectorBytes = (long) dimension * Float.BYTES;
    this.count = count;
    this.mappedBytes = mapping.byteSize();
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public float[] page(int ordinal, float[] scratch, int slot) {
    MemorySegment.copy(vectors, LE_FLOAT, ordinal * vectorBytes, scratch, slot * dimension, dimension);
    return scratch;
  }

  /** Squared L2 from {@code q} to four stored vectors, into {@code out[0..3]}. */
  void squareDistance4(float[] q, int n0, int n1, int n2, int n3, float[] out) {
    long vb = vectorBytes;
    VectorUtil.squareDistance4(q, vectors, n0 * vb, n1 * vb, n2 * vb, n3 * vb, dimension, out);
  }

  /** Dot products of {@code q} with four stored vectors, into {@code out[0..3]}. */
  void dot4(float[] q, int n0, int n1, int n2, int n3, float[] out) {
    long vb = vectorBytes;
    VectorUtil.dot4(q, vectors, n0 * vb, n1 * vb, n2 * vb, n3 * vb, dimension, out);
  }

  /** Squared L2 from {@code q} to the stored vectors of {@code nodes[from..from+7]}, into {@code out[0..7]}. */
  void squareDistance8(float[] q, int[] nodes, int from, float[] out) {
    long vb = vectorBytes;
    VectorUtil.squareDistance8(q, vectors, nodes[from] * vb, nodes[from + 1] * vb, nodes[from + 2] * vb,
        nodes[from + 3] * vb, nodes[from + 4] * vb, nodes[from + 5] * vb, nodes[from + 6] * vb, nodes[from + 7] * vb,
        dimension, out);
  }

  /** Dot products of {@code q} with the stored vectors of {@code nodes[from..from+7]}, into {@code out[0..7]}. */
  void dot8(float[] q, int[] nodes, int from, float[] out) {
    long vb = vectorBytes;
    VectorUtil.dot8(q, vectors, nodes[from] * vb, nodes[from + 1] * vb, nodes[from + 2] * vb, nodes[from + 3] * vb,
        nodes[from + 4] * vb, nodes[from + 5] * vb, nodes[from + 6] * vb, nodes[from + 7] * vb, dimension, out);
  }

  @Override
  public int offset(int ordinal, int slot) {
    return slot * dimension;
  }

  @Override
  public int scratchFloats() {
    return MAX_SLOTS * dimension;
  }

  @Override
  public float[] copyOf(int ordinal) {
    float[] v = new float[dimension];
    MemorySegment.copy(vectors, LE_FLOAT, ordinal * vectorBytes, v, 0, dimension);
    return v;
  }

  @Override
  public int capacity() {
    return count;
  }

  @Override
  public long ramBytesUsed() {
    return 64; // this object and its segment views; the vectors are in the mapping
  }

  @Override
  public long mappedBytes() {
    return arena.scope().isAlive() ? mappedBytes : 0;
  }

  @Override
  public synchronized void close() {
    if (arena.scope().isAlive()) {
      arena.close();
    }
  }
}
