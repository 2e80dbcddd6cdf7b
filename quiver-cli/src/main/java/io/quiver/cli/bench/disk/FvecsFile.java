package io.quiver.cli.bench.disk;

import io.quiver.index.VectorSource;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A memory-mapped {@code .fvecs} file as a {@link VectorSource}, so a base larger than the heap can be indexed or
 * scanned without a {@code float[][]} copy. Every record must have the first record's dimension (checked from the file
 * size, which must be a whole number of records).
 */
public final class FvecsFile implements VectorSource, AutoCloseable {
  private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfFloat FLOAT_LE =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private final Arena arena = Arena.ofShared();
  private final MemorySegment data;
  private final int dim;
  private final int size;
  private final long recordBytes;

  private FvecsFile(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long bytes = ch.size();
      if (bytes < 4) {
        arena.close();
        throw new IOException(file + ": empty .fvecs file");
      }
      data = ch.map(FileChannel.MapMode.READ_ONLY, 0, bytes, arena);
    }
    dim = data.get(INT_LE, 0);
    recordBytes = 4 + 4L * dim;
    long bytes = data.byteSize();
    if (dim <= 0 || dim > 1 << 20 || bytes % recordBytes != 0 || bytes / recordBytes > Integer.MAX_VALUE) {
      arena.close();
      throw new IOException(file + ": not an .fvecs file of one dimension (first record says " + dim + ", size "
          + bytes + " bytes)");
    }
    size = (int) (bytes / recordBytes);
  }

  public static FvecsFile open(Path file) throws IOException {
    if (!file.getFileName().toString().endsWith(".fvecs")) {
      throw new IllegalArgumentException(file + ": bench-disk reads base vectors from .fvecs files only");
    }
    return new FvecsFile(file);
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public int dimension() {
    return dim;
  }

  /** A new array holding vector {@code i}. */
  @Override
  public float[] vector(int i) {
    float[] v = new float[dim];
    copy(i, v, 0);
    return v;
  }

  /** Copies vector {@code i} into {@code dst} at {@code offset}. */
  public void copy(int i, float[] dst, int offset) {
    MemorySegment.copy(data, FLOAT_LE, i * recordBytes + 4, dst, offset, dim);
  }

  @Override
  public void close() {
    arena.close();
  }
}
