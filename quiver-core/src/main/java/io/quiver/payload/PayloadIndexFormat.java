package io.quiver.payload;

import io.quiver.storage.CorruptFileException;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.zip.CRC32C;
import org.roaringbitmap.RoaringBitmap;

/**
 * The byte layout of a serialized payload index (version 2; version 1, written before text fields existed, has the
 * same layout and is still read); docs/format.md describes it byte by byte.
 */
final class PayloadIndexFormat {
  static final int MAGIC = 0x58495051; // "QPIX" as little-endian bytes
  static final int VERSION = 2;
  /** The oldest version this build reads. */
  static final int MIN_VERSION = 1;
  static final int HEADER_BYTES = 16;

  private PayloadIndexFormat() {}

  record Contents(RoaringBitmap ordinals, Map<String, FieldIndex> fields) {}

  static byte[] write(RoaringBitmap ordinals, Map<String, FieldIndex> fields) {
    return write(ordinals, fields, 1 << 16);
  }

  /** {@link #write} starting from a buffer of {@code initialCapacity} bytes (tests place the end at a boundary). */
  static byte[] write(RoaringBitmap ordinals, Map<String, FieldIndex> fields, int initialCapacity) {
    Out out = new Out(initialCapacity);
    out.putInt(MAGIC);
    out.putInt(VERSION);
    out.putLong(0); // body length, patched below
    out.bitmap(ordinals);
    List<FieldIndex> sorted = new ArrayList<>(fields.values());
    sorted.sort(Comparator.comparing(f -> f.key));
    out.putInt(sorted.size());
    for (FieldIndex f : sorted) {
      writeField(out, f);
    }
    ByteBuffer b = out.buf;
    b.putLong(8, b.position() - HEADER_BYTES);
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, b.position());
    out.putInt((int) crc.getValue()); // may grow the buffer: read it back from `out`, not `b`
    return Arrays.copyOf(out.buf.array(), out.buf.position());
  }

  private static void writeField(Out out, FieldIndex f) {
    out.string(f.key);
    out.buf(1).put((byte) f.schema.code);
    for (RoaringBitmap b : List.of(f.indexed, f.nonNull, f.nullValue, f.explicitNull, f.foreign, f.inexact)) {
      out.bitmap(b);
    }
    out.putInt(f.counts.size());
    f.counts.forEach((count, b) -> {
      out.putInt(count);
      out.bitmap(b);
    });
    if (f.postings != null) {
      List<Map.Entry<Object, Object>> entries = new ArrayList<>();
      f.postings.forEach((k, b) -> entries.add(Map.entry(k, b)));
      entries.sort(Map.Entry.comparingByKey(PayloadIndexFormat::compareKeys));
      out.putInt(entries.size());
      for (Map.Entry<Object, Object> e : entries) {
        switch (f.schema) {
          case KEYWORD -> out.string((String) e.getKey());
          case INTEGER -> out.putLong((Long) e.getKey());
          case BOOL -> out.buf(1).put((byte) ((Boolean) e.getKey() ? 1 : 0));
          case UUID -> {
            UUID u = (UUID) e.getKey();
            out.putLong(u.getMostSignificantBits());
            out.putLong(u.getLeastSignificantBits());
          }
          default -> throw new AssertionError(f.schema);
        }
        if (e.getValue() instanceof Integer one) {
          out.putInt(0); // a list of one ordinal: tag 0, then the ordinal
          out.putInt(one);
        } else {
          out.bitmap((RoaringBitmap) e.getValue());
        }
      }
    }
    if (f.ranges != null) {
      RangeStore.Frozen fr = f.ranges.merged();
      int n = fr.keys().length;
      out.putInt(n);
      out.buf(n * 12L).asLongBuffer().put(fr.keys());
      out.buf.position(out.buf.position() + n * 8);
      out.buf.asIntBuffer().put(fr.ords());
      out.buf.position(out.buf.position() + n * 4);
    }
    if (f.text != null) {
      TextIndexFormat.write(out, f.text);
    }
  }

  @SuppressWarnings("unchecked")
  private static int compareKeys(Object a, Object b) {
    return ((Comparable<Object>) a).compareTo(b);
  }

  static Contents read(ByteBuffer in) throws CorruptFileException {
    ByteBuffer b = in.slice().order(ByteOrder.LITTLE_ENDIAN);
    if (b.remaining() < HEADER_BYTES + 4) {
      throw new CorruptFileException(null, "payload index: " + b.remaining() + " bytes is shorter than the header");
    }
    int magic = b.getInt(0);
    if (magic != MAGIC) {
      throw new CorruptFileException(null, String.format("payload index: bad magic 0x%08X (expected 0x%08X, \"QPIX\")",
          magic, MAGIC));
    }
    int version = b.getInt(4);
    if (version < MIN_VERSION || version > VERSION) {
      throw new CorruptFileException(null, "payload index: format version " + version + " is not supported (this build "
          + "reads versions " + MIN_VERSION + " to " + VERSION + ")");
    }
    long bodyLength = b.getLong(8);
    if (bodyLength < 0 || bodyLength != b.remaining() - HEADER_BYTES - 4L) {
      throw new CorruptFileException(null, "payload index: body length " + bodyLength + " does not match the "
          + (b.remaining() - HEADER_BYTES - 4) + " bytes present (truncated or trailing data)");
    }
    int end = HEADER_BYTES + (int) bodyLength;
    CRC32C crc = new CRC32C();
    crc.update(b.duplicate().position(0).limit(end));
    int stored = b.getInt(end);
    if (stored != (int) crc.getValue()) {
      throw new CorruptFileException(null, String.format("payload index: CRC32C mismatch (stored 0x%08X, computed 0x%08X)",
          stored, (int) crc.getValue()));
    }
    b.position(HEADER_BYTES).limit(end);
    try {
      RoaringBitmap ordinals = bitmap(b);
      int fieldCount = count(b, "field count");
      Map<String, FieldIndex> fields = new LinkedHashMap<>();
      for (int i = 0; i < fieldCount; i++) {
        FieldIndex f = readField(b);
        fields.put(f.key, f);
      }
      if (b.hasRemaining()) {
        throw new CorruptFileException(null, "payload index: " + b.remaining() + " unread bytes after the last field");
      }
      return new Contents(ordinals, fields);
    } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
      throw new CorruptFileException(null, "payload index: body ends early at byte " + b.position());
    }
  }

  private static FieldIndex readField(ByteBuffer b) throws CorruptFileException {
    String key = string(b);
    int code = b.get() & 0xFF;
    FieldSchema schema = FieldSchema.ofCode(code);
    if (schema == null) {
      throw new CorruptFileException(null, "payload index: field '" + key + "' has unknown schema code " + code);
    }
    RoaringBitmap[] common = new RoaringBitmap[6];
    for (int i = 0; i < common.length; i++) {
      common[i] = bitmap(b);
    }
    TreeMap<Integer, RoaringBitmap> counts = new TreeMap<>();
    int buckets = count(b, "count buckets");
    for (int i = 0; i < buckets; i++) {
      counts.put(b.getInt(), bitmap(b));
    }
    Postings postings = null;
    if (schema.hasPostings()) {
      int n = count(b, "posting lists");
      postings = new Postings(n);
      for (int i = 0; i < n; i++) {
        Object k = switch (schema) {
          case KEYWORD -> string(b);
          case INTEGER -> b.getLong();
          case BOOL -> b.get() != 0;
          case UUID -> new UUID(b.getLong(), b.getLong());
          default -> throw new AssertionError(schema);
        };
        if (b.getInt(b.position()) == 0) {
          b.getInt();
          int one = b.getInt();
          if (one < 0) {
            throw new CorruptFileException(null, "payload index: negative ordinal " + one + " at byte " + (b.position() - 4));
          }
          postings.put(k, one);
        } else {
          postings.put(k, bitmap(b));
        }
      }
    }
    RangeStore ranges = null;
    if (schema.hasRanges()) {
      int n = count(b, "range pairs");
      long[] keys = new long[n];
      int[] ords = new int[n];
      b.asLongBuffer().get(keys);
      b.position(b.position() + n * 8);
      b.asIntBuffer().get(ords);
      b.position(b.position() + n * 4);
      ranges = new RangeStore(keys, ords);
    }
    TextPostings text = schema == FieldSchema.TEXT ? TextIndexFormat.read(b, key) : null;
    return new FieldIndex(key, schema, common[0], common[1], common[2], common[3], common[4], common[5], counts,
        postings, ranges, text);
  }

  static int count(ByteBuffer b, String what) throws CorruptFileException {
    int n = b.getInt();
    if (n < 0 || n > b.remaining()) {
      throw new CorruptFileException(null, "payload index: " + what + " " + Integer.toUnsignedString(n) + " at byte "
          + (b.position() - 4) + " exceeds the data left");
    }
    return n;
  }

  static String string(ByteBuffer b) throws CorruptFileException {
    int n = count(b, "string length");
    byte[] bytes = new byte[n];
    b.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  static RoaringBitmap bitmap(ByteBuffer b) throws CorruptFileException {
    int n = count(b, "bitmap length");
    RoaringBitmap r = new RoaringBitmap();
    try {
      r.deserialize(b.slice(b.position(), n).order(ByteOrder.LITTLE_ENDIAN));
    } catch (IOException | RuntimeException e) {
      throw new CorruptFileException(null, "payload index: bad bitmap at byte " + b.position() + ": " + e.getMessage());
    }
    b.position(b.position() + n);
    return r;
  }

  /** A growable little-endian buffer. */
  static final class Out {
    ByteBuffer buf;

    Out(int initialCapacity) {
      buf = ByteBuffer.allocate(initialCapacity).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The buffer with room for {@code n} more bytes. */
    ByteBuffer buf(long n) {
      if (buf.remaining() < n) {
        long want = Math.max(buf.capacity() * 2L, buf.position() + n);
        if (want > Integer.MAX_VALUE - 16) {
          throw new IllegalStateException("payload index exceeds 2 GiB serialized");
        }
        ByteBuffer bigger = ByteBuffer.allocate((int) want).order(ByteOrder.LITTLE_ENDIAN);
        bigger.put(buf.flip());
        buf = bigger;
      }
      return buf;
    }

    void putInt(int v) {
      buf(4).putInt(v);
    }

    void putLong(long v) {
      buf(8).putLong(v);
    }

    void string(String s) {
      byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
      putInt(bytes.length);
      buf(bytes.length).put(bytes);
    }

    void bitmap(RoaringBitmap r) {
      int n = r.serializedSizeInBytes();
      putInt(n);
      r.serialize(buf(n));
    }
  }
}
