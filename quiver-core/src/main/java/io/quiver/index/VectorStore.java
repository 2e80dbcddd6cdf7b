package io.quiver.index;

/**
 * Where an index reads its stored vectors from: heap {@code float[]} pages ({@link FloatVectorStore}, the fast path
 * and the only writable one) or a memory-mapped vector file ({@link MappedVectorStore}).
 *
 * <p>Distance kernels work on (array, offset) pairs. {@link #page} hands out the array that holds a vector: for heap
 * storage the page itself, read in place; for mapped storage the caller's {@code scratch}, into whose slot
 * {@code slot} the vector was just copied. A caller that needs several vectors at once uses slots 0..7 and a scratch
 * of {@link #scratchFloats()} floats, one per thread. ({@link StoredVectorIndex} scores four or eight mapped vectors
 * with the segment kernels instead, which read them in place.)
 */
public sealed interface VectorStore extends AutoCloseable permits FloatVectorStore, MappedVectorStore {

  /** Number of vectors loaded side by side at most, hence slots a scratch array holds. */
  int MAX_SLOTS = 8;

  int dimension();

  /**
   * The array holding {@code ordinal}'s vector, which starts at {@link #offset offset(ordinal, slot)}. Mapped
   * storage copies the vector into {@code scratch} at {@code slot * dimension} first; heap storage ignores both.
   */
  float[] page(int ordinal, float[] scratch, int slot);

  /** Offset of {@code ordinal}'s vector in the array {@link #page} returned for the same slot. */
  int offset(int ordinal, int slot);

  /** Floats of scratch a reading thread must pass to {@link #page}: 0 when vectors are read in place. */
  int scratchFloats();

  /** A fresh copy of the stored vector. */
  float[] copyOf(int ordinal);

  /** Number of ordinals the store can hold without growing (the mapped count for read-only storage). */
  int capacity();

  /** Heap bytes held. */
  long ramBytesUsed();

  /** Bytes of files mapped into memory (paged in by the OS on demand, not on the Java heap); 0 for heap storage. */
  long mappedBytes();

  /** Releases a mapping; a no-op for heap storage. Must not race with readers. */
  @Override
  void close();
}
