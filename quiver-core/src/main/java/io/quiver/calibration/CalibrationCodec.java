package io.quiver.calibration;

import io.quiver.QuiverException;
import io.quiver.distance.Metric;
import io.quiver.storage.CorruptFileException;
import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/** The bytes of {@link CalibrationStore#FILE} (layout in docs/format.md, "Calibration file"). */
final class CalibrationCodec {
  static final int MAGIC = 0x4C414351; // "QCAL" as little-endian bytes
  static final int VERSION = 1;
  private static final int NO_METRIC = 255;

  private CalibrationCodec() {}

  static byte[] encode(List<Calibration> calibrations) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    ByteBuffer head = le(12).putInt(MAGIC).putInt(VERSION).putInt(calibrations.size());
    body.writeBytes(head.array());
    for (Calibration c : calibrations) {
      byte[] name = c.field().getBytes(StandardCharsets.UTF_8);
      ByteBuffer b = le(4 + name.length + 2 + 5 * 4 + c.thresholds().size() * 12);
      b.putInt(name.length).put(name);
      b.put((byte) c.kind().ordinal()).put((byte) (c.metric() == null ? NO_METRIC : c.metric().ordinal()));
      b.putInt(c.dimension()).putInt(c.queries()).putInt(c.pairs()).putInt(c.unreachable());
      b.putInt(c.thresholds().size());
      for (Calibration.Threshold t : c.thresholds()) {
        b.putDouble(t.alpha()).putFloat(t.score());
      }
      body.writeBytes(b.array());
    }
    byte[] bytes = body.toByteArray();
    CRC32C crc = new CRC32C();
    crc.update(bytes);
    body.writeBytes(le(4).putInt((int) crc.getValue()).array());
    return body.toByteArray();
  }

  /** Decodes a whole file; every check failure is a {@link CorruptFileException} without the file (the caller's). */
  static List<Calibration> decode(byte[] bytes) throws CorruptFileException {
    if (bytes.length < 16) {
      throw new CorruptFileException(null, "truncated: " + bytes.length + " bytes");
    }
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (b.getInt() != MAGIC) {
      throw new CorruptFileException(null, "not a calibration file (bad magic)");
    }
    int version = b.getInt();
    if (version != VERSION) {
      throw new CorruptFileException(null, "unsupported version " + version);
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - 4);
    if ((int) crc.getValue() != b.getInt(bytes.length - 4)) {
      throw new CorruptFileException(null, "CRC32C mismatch");
    }
    b.limit(bytes.length - 4);
    try {
      int count = b.getInt();
      List<Calibration> out = new ArrayList<>(Math.min(count, 1024));
      for (int i = 0; i < count; i++) {
        byte[] name = new byte[b.getInt()];
        b.get(name);
        Calibration.Kind kind = Calibration.Kind.values()[b.get()];
        int metric = b.get() & 0xFF;
        int dimension = b.getInt();
        int queries = b.getInt();
        int pairs = b.getInt();
        int unreachable = b.getInt();
        int t = b.getInt();
        List<Calibration.Threshold> thresholds = new ArrayList<>(Math.min(t, 1024));
        for (int j = 0; j < t; j++) {
          thresholds.add(new Calibration.Threshold(b.getDouble(), b.getFloat()));
        }
        out.add(new Calibration(new String(name, StandardCharsets.UTF_8), kind,
            metric == NO_METRIC ? null : Metric.values()[metric], dimension, queries, pairs, unreachable, thresholds));
      }
      if (b.hasRemaining()) {
        throw new CorruptFileException(null, b.remaining() + " bytes after the last entry");
      }
      return out;
    } catch (BufferUnderflowException | NegativeArraySizeException | IndexOutOfBoundsException
        | NullPointerException | QuiverException e) {
      throw new CorruptFileException(null, "malformed entry: " + e, e);
    }
  }

  private static ByteBuffer le(int n) {
    return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
  }
}
