package io.quiver.collection;

import io.quiver.PointId;
import io.quiver.storage.CorruptFileException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * The id and payload files of a sealed segment (layouts in docs/format.md, "Sealed segment"). Both are written once,
 * fsync'd, and read through a read-only memory mapping; every file ends with a CRC32C of all bytes before it, checked
 * when the segment opens.
 *
 * <pre>
 * ids.bin:      magic "QIDS" | u32 version | u32 count | count x (u8 tag | u64 hi | u64 lo) | u32 crc32c
 * payloads.bin: magic "QPLD" | u32 version | u32 count | (count+1) x u64 offset | JSON bytes | u32 crc32c
 * </pre>
 */
final class SegmentFiles {
  static final int IDS_MAGIC = 0x53444951; // "QIDS"
  static final int PAYLOADS_MAGIC = 0x444C5051; // "QPLD"
  static final int VERSION = 1;
  static final int HEADER = 12;
  static final int ID_BYTES = 17;
  private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private SegmentFiles() {}

  /** Appends bytes to a file, keeping a running CRC32C; {@link #finish} writes the CRC and fsyncs. */
  static final class Writer implements AutoCloseable {
    private final FileChannel ch;
    private final CRC32C crc = new CRC32C();
    private final ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

    Writer(Path file) throws IOException {
      ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }

    Writer putInt(int v) throws IOException {
      room(4).putInt(v);
      return this;
    }

    Writer putLong(long v) throws IOException {
      room(8).putLong(v);
      return this;
    }

    Writer put(byte v) throws IOException {
      room(1).put(v);
      return this;
    }

    Writer put(byte[] bytes) throws IOException {
      for (int off = 0; off < bytes.length; ) {
        int n = Math.min(bytes.length - off, buf.capacity());
        room(n).put(bytes, off, n);
        off += n;
      }
      return this;
    }

    private ByteBuffer room(int n) throws IOException {
      if (buf.remaining() < n) {
        drain();
      }
      return buf;
    }

    private void drain() throws IOException {
      buf.flip();
      crc.update(buf.duplicate());
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      buf.clear();
    }

    void finish() throws IOException {
      drain();
      ByteBuffer tail = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) crc.getValue()).flip();
      while (tail.hasRemaining()) {
        ch.write(tail);
      }
      ch.force(true);
    }

    @Override
    public void close() throws IOException {
      ch.close();
    }
  }

  static void writeIds(Path file, MutableSegment source, int count) throws IOException {
    try (Writer w = new Writer(file)) {
      w.putInt(IDS_MAGIC).putInt(VERSION).putInt(count);
      for (int i = 0; i < count; i++) {
        switch (source.idOf(i)) {
          case PointId.Num n -> w.put((byte) 0).putLong(n.value()).putLong(0);
          case PointId.Uuid u -> w.put((byte) 1).putLong(u.value().getMostSignificantBits())
              .putLong(u.value().getLeastSignificantBits());
        }
      }
      w.finish();
    }
  }

  static void writePayloads(Path file, byte[][] payloads) throws IOException {
    try (Writer w = new Writer(file)) {
      w.putInt(PAYLOADS_MAGIC).putInt(VERSION).putInt(payloads.length);
      long off = 0;
      w.putLong(0);
      for (byte[] p : payloads) {
        off += p == null ? 0 : p.length;
        w.putLong(off);
      }
      for (byte[] p : payloads) {
        if (p != null) {
          w.put(p);
        }
      }
      w.finish();
    }
  }

  /** Maps a file read-only in {@code arena} and checks magic, version, count and the trailing CRC32C. */
  static MemorySegment map(Path file, Arena arena, int magic, int expectedCount) throws IOException {
    MemorySegment seg;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < HEADER + 4) {
        throw new CorruptFileException(file, "truncated (" + size + " bytes)");
      }
      seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
    }
    if (seg.get(INT, 0) != magic) {
      throw new CorruptFileException(file, "bad magic " + Integer.toHexString(seg.get(INT, 0)));
    }
    if (seg.get(INT, 4) != VERSION) {
      throw new CorruptFileException(file, "unsupported version " + seg.get(INT, 4));
    }
    if (seg.get(INT, 8) != expectedCount) {
      throw new CorruptFileException(file, "holds " + seg.get(INT, 8) + " entries, the segment "
          + expectedCount);
    }
    long body = seg.byteSize() - 4;
    CRC32C crc = new CRC32C();
    for (long off = 0; off < body; off += Integer.MAX_VALUE) {
      crc.update(seg.asSlice(off, Math.min(Integer.MAX_VALUE, body - off)).asByteBuffer());
    }
    if ((int) crc.getValue() != seg.get(INT, body)) {
      throw new CorruptFileException(file, "checksum mismatch (the file is damaged)");
    }
    return seg;
  }

  static PointId readId(MemorySegment ids, int ordinal) {
    long at = HEADER + (long) ID_BYTES * ordinal;
    byte tag = ids.get(ValueLayout.JAVA_BYTE, at);
    long hi = ids.get(LONG, at + 1);
    return tag == 0 ? new PointId.Num(hi) : new PointId.Uuid(new UUID(hi, ids.get(LONG, at + 9)));
  }

  /** The payload JSON bytes of {@code ordinal}, or null. */
  static byte[] readPayload(MemorySegment payloads, int count, int ordinal) {
    long offsets = HEADER;
    long from = payloads.get(LONG, offsets + 8L * ordinal);
    long to = payloads.get(LONG, offsets + 8L * (ordinal + 1));
    if (to == from) {
      return null;
    }
    long data = HEADER + 8L * (count + 1);
    return payloads.asSlice(data + from, to - from).toArray(ValueLayout.JAVA_BYTE);
  }
}
