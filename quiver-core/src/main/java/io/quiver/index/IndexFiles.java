package io.quiver.index;

import io.quiver.distance.Metric;
import io.quiver.storage.CorruptFileException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * What the index file formats share (byte layouts in docs/format.md): little-endian values, a fixed-size header that
 * ends with the CRC32C of the bytes before it, durable atomic publication, and checked reads of a mapped file.
 */
public final class IndexFiles {
  public static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  public static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  public static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  /** Bytes checksummed per {@link CRC32C#update(ByteBuffer)} call when reading a mapped region. */
  private static final long CRC_CHUNK = 1 << 26;

  private IndexFiles() {}

  /** {@code dir/name + extension}, after checking that {@code name} is a plain file name. */
  public static Path resolve(Path dir, String name, String extension) {
    if (name == null || name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0
        || name.indexOf('\\') >= 0 || name.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("index name must be a plain file name, got '" + name + "'");
    }
    return dir.resolve(name + extension);
  }

  /** The format code of a metric (stable across releases, unlike enum ordinals). */
  public static int metricCode(Metric metric) {
    return switch (metric) {
      case L2 -> 0;
      case DOT -> 1;
      case COSINE -> 2;
      case L1 -> 3;
    };
  }

  /** The metric of a format code, or null when the code is unknown. */
  public static Metric metricOf(int code) {
    return switch (code) {
      case 0 -> Metric.L2;
      case 1 -> Metric.DOT;
      case 2 -> Metric.COSINE;
      case 3 -> Metric.L1;
      default -> null;
    };
  }

  /** A zeroed little-endian header buffer of {@code bytes} bytes; finish it with {@link #sealHeader}. */
  public static ByteBuffer newHeader(int bytes) {
    return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Writes the CRC32C of all but the last four bytes into the last four and rewinds. */
  public static ByteBuffer sealHeader(ByteBuffer header) {
    CRC32C crc = new CRC32C();
    int end = header.capacity() - Integer.BYTES;
    crc.update(header.array(), 0, end);
    header.putInt(end, (int) crc.getValue());
    return header.rewind();
  }

  /** Writes a file's body and then its header; returns the header to write at offset 0. */
  @FunctionalInterface
  public interface Body {
    ByteBuffer write(Output out) throws IOException;
  }

  /**
   * Writes {@code file} durably and atomically: the body goes to {@code file + ".tmp"} from offset
   * {@code headerBytes}, then the header at offset 0; the file is forced, renamed over {@code file}, and the directory
   * is forced. A reader therefore sees the old file or the complete new one, never a torn write.
   */
  public static void write(Path file, int headerBytes, Body body) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      Output out = new Output(ch, headerBytes);
      ByteBuffer header = body.write(out);
      out.flush();
      if (header.remaining() != headerBytes) {
        throw new IllegalStateException("header is " + header.remaining() + " bytes, expected " + headerBytes);
      }
      long at = 0;
      while (header.hasRemaining()) {
        at += ch.write(header, at);
      }
      ch.force(true);
    } catch (IOException | RuntimeException | Error e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    syncDirectory(file.toAbsolutePath().getParent());
  }

  private static void syncDirectory(Path dir) {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      // some platforms cannot open directories; the file itself was forced
    }
  }

  /**
   * A buffered little-endian writer that keeps a running CRC32C of what it writes. {@link #takeChecksum} returns the
   * checksum of the bytes since the previous call, so one writer checksums a file's sections separately.
   */
  public static final class Output {
    private final FileChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
    private final MemorySegment bufferSegment = MemorySegment.ofBuffer(buffer);
    private final CRC32C crc = new CRC32C();
    private long flushed;

    Output(FileChannel channel, long start) throws IOException {
      this.channel = channel;
      channel.position(start);
      this.flushed = start;
    }

    /** File offset of the next byte written. */
    public long position() {
      return flushed + buffer.position();
    }

    public void putInt(int v) throws IOException {
      ensure(Integer.BYTES);
      buffer.putInt(v);
    }

    public void putFloat(float v) throws IOException {
      ensure(Float.BYTES);
      buffer.putFloat(v);
    }

    public void putInts(int[] a, int from, int count) throws IOException {
      while (count > 0) {
        ensure(Integer.BYTES);
        int n = Math.min(count, buffer.remaining() / Integer.BYTES);
        MemorySegment.copy(a, from, bufferSegment, LE_INT, buffer.position(), n);
        buffer.position(buffer.position() + n * Integer.BYTES);
        from += n;
        count -= n;
      }
    }

    public void putFloats(float[] a, int from, int count) throws IOException {
      while (count > 0) {
        ensure(Float.BYTES);
        int n = Math.min(count, buffer.remaining() / Float.BYTES);
        MemorySegment.copy(a, from, bufferSegment, LE_FLOAT, buffer.position(), n);
        buffer.position(buffer.position() + n * Float.BYTES);
        from += n;
        count -= n;
      }
    }

    public void putLongs(long[] a, int from, int count) throws IOException {
      while (count > 0) {
        ensure(Long.BYTES);
        int n = Math.min(count, buffer.remaining() / Long.BYTES);
        MemorySegment.copy(a, from, bufferSegment, LE_LONG, buffer.position(), n);
        buffer.position(buffer.position() + n * Long.BYTES);
        from += n;
        count -= n;
      }
    }

    public void putBytes(byte[] a, int from, int count) throws IOException {
      while (count > 0) {
        ensure(1);
        int n = Math.min(count, buffer.remaining());
        buffer.put(a, from, n);
        from += n;
        count -= n;
      }
    }

    public void putZeros(long bytes) throws IOException {
      while (bytes > 0) {
        ensure(1);
        int n = (int) Math.min(bytes, buffer.remaining());
        bufferSegment.asSlice(buffer.position(), n).fill((byte) 0);
        buffer.position(buffer.position() + n);
        bytes -= n;
      }
    }

    /** CRC32C of the bytes written since the previous call (or the start); restarts the checksum. */
    public int takeChecksum() throws IOException {
      flush();
      int value = (int) crc.getValue();
      crc.reset();
      return value;
    }

    private void ensure(int bytes) throws IOException {
      if (buffer.remaining() < bytes) {
        flush();
      }
    }

    void flush() throws IOException {
      buffer.flip();
      crc.update(buffer);
      buffer.rewind();
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      flushed += buffer.limit();
      buffer.clear();
    }
  }

  /**
   * A whole file mapped read-only into {@code arena}, with little-endian reads and errors that name the file. The
   * mapping lives until the arena is closed.
   */
  public record MappedFile(Path file, MemorySegment segment) {

    public static MappedFile map(Path file, Arena arena) throws IOException {
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
        return new MappedFile(file, ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena));
      }
    }

    public long size() {
      return segment.byteSize();
    }

    public int intAt(long offset) {
      return segment.get(LE_INT, offset);
    }

    public long longAt(long offset) {
      return segment.get(LE_LONG, offset);
    }

    public float floatAt(long offset) {
      return segment.get(LE_FLOAT, offset);
    }

    public CorruptFileException corrupt(String problem) {
      return new CorruptFileException(file, problem);
    }

    /**
     * Checks the common header: long enough, magic, version, header CRC (the last four header bytes). Magic comes
     * first, so that a foreign file is reported as such rather than as damaged.
     */
    public void checkHeader(int headerBytes, int magic, int version, String kind) throws CorruptFileException {
      if (size() < Integer.BYTES || intAt(0) != magic) {
        throw corrupt(size() < Integer.BYTES
            ? "truncated: " + size() + " bytes, not even a magic number (not a Quiver " + kind + " file)"
            : String.format("bad magic 0x%08X, expected 0x%08X (not a Quiver %s file)", intAt(0), magic, kind));
      }
      if (size() < headerBytes) {
        throw corrupt("truncated: " + size() + " bytes, shorter than the " + headerBytes + "-byte header");
      }
      int stored = intAt(headerBytes - Integer.BYTES);
      int actual = crc32c(0, headerBytes - Integer.BYTES);
      if (stored != actual) {
        throw corrupt(String.format("header checksum mismatch: stored 0x%08X, computed 0x%08X", stored, actual));
      }
      // the version is checked after the CRC: a damaged version field is damage, a valid one we do not know is news
      int v = intAt(4);
      if (v != version) {
        throw corrupt("unsupported format version " + v + " (this build reads version " + version + ")");
      }
    }

    /** Throws unless the file is exactly {@code expected} bytes long. */
    public void checkSize(long expected) throws CorruptFileException {
      if (size() < expected) {
        throw corrupt("truncated: file is " + size() + " bytes, its header describes " + expected);
      }
      if (size() > expected) {
        throw corrupt("file is " + size() + " bytes, its header describes only " + expected + " (trailing data)");
      }
    }

    /** Throws unless the CRC32C of {@code length} bytes from {@code offset} is {@code expected}. */
    public void checkCrc(long offset, long length, int expected, String what) throws CorruptFileException {
      int actual = crc32c(offset, length);
      if (actual != expected) {
        throw corrupt(String.format("%s checksum mismatch: header says 0x%08X, data has 0x%08X", what, expected,
            actual));
      }
    }

    public int crc32c(long offset, long length) {
      CRC32C crc = new CRC32C();
      update(crc, segment, offset, length);
      return (int) crc.getValue();
    }
  }

  /** Feeds {@code length} bytes of {@code segment} from {@code offset} into {@code crc}. */
  static void update(CRC32C crc, MemorySegment segment, long offset, long length) {
    for (long done = 0; done < length; ) {
      long n = Math.min(CRC_CHUNK, length - done);
      crc.update(segment.asSlice(offset + done, n).asByteBuffer());
      done += n;
    }
  }
}
