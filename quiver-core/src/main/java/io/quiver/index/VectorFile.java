package io.quiver.index;

import io.quiver.distance.Metric;
import io.quiver.storage.CorruptFileException;
import io.quiver.storage.ReadAdvice;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.IntPredicate;
import java.util.zip.CRC32C;

/**
 * The {@code .vec} file: an index's stored vectors as little-endian float32, ordinal {@code i} at byte
 * {@code 64 + i * dimension * 4} (64-byte aligned data start), so the data can be mapped and read in place. Byte
 * layout in docs/format.md.
 */
public final class VectorFile {
  public static final String EXTENSION = ".vec";
  public static final int HEADER_BYTES = 64;
  static final int MAGIC = 0x43455651; // "QVEC" as bytes
  static final int VERSION = 1;
  /** Header flag: a presence bitset follows the vectors (some ordinals below count hold no vector). */
  private static final int FLAG_PRESENCE = 1;
  /** Vectors copied per chunk when loading into heap pages: checksum and copy while the chunk is in cache. */
  private static final long LOAD_CHUNK_BYTES = 1 << 20;

  private VectorFile() {}

  /**
   * What {@link #open} read.
   *
   * @param count ordinal slots; ordinals {@code 0..count-1}
   * @param presentWords bit {@code i % 64} of word {@code i / 64} is set when ordinal {@code i} holds a vector
   * @param vectors the vectors, in heap pages or mapped; the caller owns (and closes) them
   * @param dataChecksum CRC32C of the vector data, as stored in the header
   */
  public record Contents(Path file, int dimension, Metric metric, int count, long[] presentWords, VectorStore vectors,
      int dataChecksum) {}

  /**
   * Writes ordinals {@code 0..count-1} of {@code store} to {@code file} (see {@link IndexFiles#write}: atomic and
   * forced). Ordinals {@code present} rejects are written as zeros and marked absent. Returns the data checksum.
   */
  public static int write(Path file, VectorStore store, Metric metric, int count, IntPredicate present)
      throws IOException {
    int dim = store.dimension();
    long[] words = new long[wordsFor(count)];
    boolean dense = true;
    for (int ord = 0; ord < count; ord++) {
      if (present.test(ord)) {
        words[ord >>> 6] |= 1L << ord;
      } else {
        dense = false;
      }
    }
    boolean withPresence = !dense;
    int[] dataCrc = new int[1];
    IndexFiles.write(file, HEADER_BYTES, out -> {
      float[] scratch = new float[store.scratchFloats()];
      for (int ord = 0; ord < count; ord++) {
        if ((words[ord >>> 6] & (1L << ord)) != 0) {
          out.putFloats(store.page(ord, scratch, 0), store.offset(ord, 0), dim);
        } else {
          out.putZeros((long) dim * Float.BYTES);
        }
      }
      dataCrc[0] = out.takeChecksum();
      int presenceCrc = 0;
      if (withPresence) {
        out.putLongs(words, 0, words.length);
        presenceCrc = out.takeChecksum();
      }
      ByteBuffer h = IndexFiles.newHeader(HEADER_BYTES);
      h.putInt(MAGIC).putInt(VERSION).putInt(dim).putInt(IndexFiles.metricCode(metric)).putInt(count)
          .putInt(withPresence ? FLAG_PRESENCE : 0).putInt(dataCrc[0]).putInt(presenceCrc);
      return IndexFiles.sealHeader(h);
    });
    return dataCrc[0];
  }

  /**
   * Opens a vector file. With {@code mmap} the vectors stay in the mapped file ({@link MappedVectorStore}, released
   * by closing it); otherwise they are bulk-copied into heap pages and the mapping is released before returning.
   * With {@code verifyChecksum} the vector data is checked against its CRC32C, which reads every byte of it; the
   * header and presence bitset are always checked.
   *
   * @throws CorruptFileException when the file is foreign, damaged, truncated or of an unknown version
   */
  public static Contents open(Path file, boolean mmap, boolean verifyChecksum) throws IOException {
    Arena arena = mmap ? Arena.ofShared() : Arena.ofConfined();
    try {
      IndexFiles.MappedFile f = IndexFiles.MappedFile.map(file, arena);
      f.checkHeader(HEADER_BYTES, MAGIC, VERSION, "vector");
      int dim = f.intAt(8);
      Metric metric = IndexFiles.metricOf(f.intAt(12));
      int count = f.intAt(16);
      int flags = f.intAt(20);
      int dataCrc = f.intAt(24);
      int presenceCrc = f.intAt(28);
      if (dim <= 0 || count < 0 || metric == null || (flags & ~FLAG_PRESENCE) != 0) {
        throw f.corrupt("invalid header: dimension " + dim + ", count " + count + ", metric code " + f.intAt(12)
            + ", flags 0x" + Integer.toHexString(flags));
      }
      long dataBytes;
      try {
        dataBytes = Math.multiplyExact(Math.multiplyExact((long) count, dim), Float.BYTES);
      } catch (ArithmeticException e) {
        throw f.corrupt("invalid header: " + count + " vectors of dimension " + dim + " overflow");
      }
      int words = (flags & FLAG_PRESENCE) != 0 ? wordsFor(count) : 0;
      long presenceAt = HEADER_BYTES + dataBytes;
      f.checkSize(presenceAt + (long) words * Long.BYTES);
      long[] present = new long[wordsFor(count)];
      if (words > 0) {
        f.checkCrc(presenceAt, (long) words * Long.BYTES, presenceCrc, "presence bitset");
        MemorySegment.copy(f.segment(), IndexFiles.LE_LONG, presenceAt, present, 0, words);
        if (count % 64 != 0 && (present[words - 1] >>> (count % 64)) != 0) {
          throw f.corrupt("presence bitset marks ordinals at or beyond the count " + count);
        }
      } else {
        Arrays.fill(present, -1L);
        if (count % 64 != 0) {
          present[present.length - 1] = -1L >>> (64 - count % 64);
        }
      }
      MemorySegment data = f.segment().asSlice(HEADER_BYTES, dataBytes);
      VectorStore store;
      if (mmap) {
        if (verifyChecksum) {
          f.checkCrc(HEADER_BYTES, dataBytes, dataCrc, "vector data");
          // the check touched every page: release them (they stay in the page cache) so the process's resident
          // set holds only what searches read; measured on 1M x 384, this was 1.5 GB of RSS
          data.unload();
        }
        ReadAdvice.random(f.segment()); // searches read one vector here and there
        store = new MappedVectorStore(arena, f.segment(), data, dim, count);
      } else {
        store = loadToHeap(f, data, dim, count, verifyChecksum ? dataCrc : null);
        arena.close();
      }
      return new Contents(file, dim, metric, count, present, store, dataCrc);
    } catch (IOException | RuntimeException | Error e) {
      if (arena.scope().isAlive()) {
        arena.close();
      }
      throw e;
    }
  }

  private static FloatVectorStore loadToHeap(IndexFiles.MappedFile f, MemorySegment data, int dim, int count,
      Integer expectedCrc) throws CorruptFileException {
    FloatVectorStore heap = new FloatVectorStore(dim);
    CRC32C crc = new CRC32C();
    long vectorBytes = (long) dim * Float.BYTES;
    int perChunk = (int) Math.max(1, LOAD_CHUNK_BYTES / vectorBytes);
    for (int from = 0; from < count; from += perChunk) {
      int n = Math.min(perChunk, count - from);
      MemorySegment chunk = data.asSlice(from * vectorBytes, n * vectorBytes);
      if (expectedCrc != null) {
        IndexFiles.update(crc, chunk, 0, chunk.byteSize());
      }
      heap.setAll(from, chunk, n);
    }
    if (expectedCrc != null && (int) crc.getValue() != expectedCrc) {
      throw f.corrupt(String.format("vector data checksum mismatch: header says 0x%08X, data has 0x%08X",
          expectedCrc, (int) crc.getValue()));
    }
    return heap;
  }

  private static int wordsFor(int count) {
    return (int) (((long) count + 63) >>> 6);
  }
}
