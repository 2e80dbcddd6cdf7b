package io.quiver.dataset;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;

/**
 * Readers and writers for the TEXMEX vector formats of the ANN benchmarks, little-endian, one record per vector:
 * {@code .fvecs} (int32 d, then d float32), {@code .bvecs} (int32 d, then d uint8), {@code .ivecs} (int32 d, then d
 * int32). Files are mapped read-only; a truncated record or a dimension that changes mid-file is an error that names
 * the file and record.
 */
public final class Texmex {
  private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfFloat FLOAT_LE =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private Texmex() {}

  /** Reads an {@code .fvecs} or {@code .bvecs} file (chosen by extension) as float vectors; at most {@code limit}. */
  public static float[][] readVectors(Path file, int limit) throws IOException {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".fvecs")) {
      return readFvecs(file, limit);
    }
    if (name.endsWith(".bvecs")) {
      return readBvecs(file, limit);
    }
    throw new IllegalArgumentException(file + ": expected a .fvecs or .bvecs file");
  }

  public static float[][] readFvecs(Path file, int limit) throws IOException {
    return read(file, limit, 4, (seg, off, d) -> {
      float[] v = new float[d];
      MemorySegment.copy(seg, FLOAT_LE, off, v, 0, d);
      return v;
    }, float[][]::new);
  }

  /** Reads {@code .bvecs} as floats 0..255. */
  public static float[][] readBvecs(Path file, int limit) throws IOException {
    return read(file, limit, 1, (seg, off, d) -> {
      float[] v = new float[d];
      for (int i = 0; i < d; i++) {
        v[i] = seg.get(ValueLayout.JAVA_BYTE, off + i) & 0xFF;
      }
      return v;
    }, float[][]::new);
  }

  public static int[][] readIvecs(Path file, int limit) throws IOException {
    return read(file, limit, 4, (seg, off, d) -> {
      int[] v = new int[d];
      MemorySegment.copy(seg, INT_LE, off, v, 0, d);
      return v;
    }, int[][]::new);
  }

  @FunctionalInterface
  private interface RecordReader<T> {
    T read(MemorySegment seg, long offset, int dimension);
  }

  private static <T> T[] read(Path file, int limit, int elementBytes, RecordReader<T> reader,
      IntFunction<T[]> arrayMaker) throws IOException {
    if (limit < 0) {
      limit = Integer.MAX_VALUE;
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ); Arena arena = Arena.ofConfined()) {
      long size = ch.size();
      List<T> out = new ArrayList<>();
      if (size == 0) {
        return out.toArray(arrayMaker.apply(0));
      }
      MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
      long off = 0;
      int expected = -1;
      while (off < size && out.size() < limit) {
        if (off + 4 > size) {
          throw new IOException(file + ": record " + out.size() + " is truncated (no room for its dimension)");
        }
        int d = seg.get(INT_LE, off);
        if (d <= 0 || d > 1 << 20) {
          throw new IOException(file + ": record " + out.size() + " has an invalid dimension " + d);
        }
        if (expected >= 0 && d != expected) {
          // ivecs ground truth rows are all of one width too; a change means a corrupt or wrong-format file
          throw new IOException(file + ": record " + out.size() + " has dimension " + d + ", earlier records " + expected);
        }
        expected = d;
        long end = off + 4 + (long) d * elementBytes;
        if (end > size) {
          throw new IOException(file + ": record " + out.size() + " is truncated");
        }
        out.add(reader.read(seg, off + 4, d));
        off = end;
      }
      return out.toArray(arrayMaker.apply(out.size()));
    }
  }

  public static void writeFvecs(Path file, float[][] vectors) throws IOException {
    try (DataOutputStream out = open(file)) {
      for (float[] v : vectors) {
        out.writeInt(Integer.reverseBytes(v.length));
        for (float x : v) {
          out.writeInt(Integer.reverseBytes(Float.floatToRawIntBits(x)));
        }
      }
    }
  }

  public static void writeIvecs(Path file, int[][] rows) throws IOException {
    try (DataOutputStream out = open(file)) {
      for (int[] r : rows) {
        out.writeInt(Integer.reverseBytes(r.length));
        for (int x : r) {
          out.writeInt(Integer.reverseBytes(x));
        }
      }
    }
  }

  /** Writes {@code .bvecs}; every component must be an integer in 0..255. */
  public static void writeBvecs(Path file, float[][] vectors) throws IOException {
    try (DataOutputStream out = open(file)) {
      for (float[] v : vectors) {
        out.writeInt(Integer.reverseBytes(v.length));
        for (int i = 0; i < v.length; i++) {
          float x = v[i];
          if (x < 0 || x > 255 || x != Math.rint(x)) {
            throw new IllegalArgumentException("bvecs holds integers 0..255; component " + i + " is " + x);
          }
          out.writeByte((int) x);
        }
      }
    }
  }

  private static DataOutputStream open(Path file) throws IOException {
    OutputStream os = Files.newOutputStream(file);
    return new DataOutputStream(new BufferedOutputStream(os, 1 << 16));
  }
}
