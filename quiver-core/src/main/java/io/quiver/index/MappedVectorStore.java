package io.quiver.index;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Read-only vectors in a memory-mapped file region: {@code count} vectors of little-endian float32, back to back,
 * ordinal {@code i} at byte {@code i * dimension * 4}. The vectors stay in the file (the OS pages them in on demand);
 * the heap holds only this object.
 *
 * <p>Reads copy a vector into the caller's per-thread scratch array and the array kernels run on that copy: measured
 * faster than Vector API loads straight from the segment (docs/benchmarks.md, "Reading vectors from a mapped file").
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
