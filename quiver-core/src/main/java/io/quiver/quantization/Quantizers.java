package io.quiver.quantization;

import io.quiver.distance.Metric;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Reading and writing trained quantizer parameters, and small helpers shared by the quantizers.
 *
 * <p><b>File format</b> (all integers and floats big-endian, as {@link DataOutputStream} writes them):
 *
 * <pre>
 * offset  size  field
 *      0     4  magic 0x5156515A ("QVQZ")
 *      4     2  format version, 1
 *      6     1  kind: 1 = {@link ScalarQuantizer}, 2 = {@link Float16Codec}, 3 = {@link BinaryQuantizer},
 *                     4 = {@link ProductQuantizer}
 *      7     1  metric: 0 = L2, 1 = DOT, 2 = COSINE
 *      8     4  dimension (&gt; 0)
 *     12     4  body length N in bytes
 *     16     N  body: kind-specific, listed field by field in each quantizer's class javadoc
 *   16+N     4  CRC32C of bytes [0, 16+N)
 * </pre>
 *
 * A reader rejects (with {@link IOException}) a wrong magic, an unknown version, kind or metric, a CRC mismatch, a
 * truncated stream, and a body whose length does not match what its fields need.
 */
public final class Quantizers {

  static final int MAGIC = 0x5156515A;
  static final int VERSION = 1;
  static final byte KIND_SCALAR = 1;
  static final byte KIND_FLOAT16 = 2;
  static final byte KIND_BINARY = 3;
  static final byte KIND_PQ = 4;
  private static final int HEADER = 16;

  private Quantizers() {}

  /** Writes the body of one quantizer. */
  @FunctionalInterface
  interface BodyWriter {
    void write(DataOutputStream out) throws IOException;
  }

  /** Reads the body of one quantizer. */
  @FunctionalInterface
  interface BodyReader {
    VectorQuantizer read(Metric metric, int dim, DataInputStream in) throws IOException;
  }

  static void write(OutputStream out, byte kind, Metric metric, int dim, BodyWriter body) throws IOException {
    ByteArrayOutputStream bodyBytes = new ByteArrayOutputStream();
    DataOutputStream bodyOut = new DataOutputStream(bodyBytes);
    body.write(bodyOut);
    bodyOut.flush();
    ByteBuffer header = ByteBuffer.allocate(HEADER);
    header.putInt(MAGIC).putShort((short) VERSION).put(kind).put(metricCode(metric)).putInt(dim)
        .putInt(bodyBytes.size());
    CRC32C crc = new CRC32C();
    crc.update(header.array());
    byte[] b = bodyBytes.toByteArray();
    crc.update(b);
    out.write(header.array());
    out.write(b);
    out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    out.flush();
  }

  /** Serialized parameters of {@code q}. */
  public static byte[] toBytes(VectorQuantizer q) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      q.write(out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads back any quantizer written by {@link VectorQuantizer#write}; consumes exactly its bytes. */
  public static VectorQuantizer read(InputStream in) throws IOException {
    DataInputStream din = new DataInputStream(in);
    byte[] header = new byte[HEADER];
    din.readFully(header);
    ByteBuffer h = ByteBuffer.wrap(header);
    int magic = h.getInt();
    if (magic != MAGIC) {
      throw new IOException("not a quantizer file: magic " + Integer.toHexString(magic));
    }
    int version = h.getShort() & 0xffff;
    if (version != VERSION) {
      throw new IOException("unsupported quantizer format version " + version + " (this build reads " + VERSION + ")");
    }
    byte kind = h.get();
    byte metricCode = h.get();
    int dim = h.getInt();
    int len = h.getInt();
    if (len < 0 || len > (1 << 30)) {
      throw new IOException("corrupt quantizer file: body length " + len);
    }
    byte[] body = new byte[len];
    int crcStored;
    try {
      din.readFully(body);
      crcStored = din.readInt();
    } catch (EOFException e) {
      throw new IOException("truncated quantizer file", e);
    }
    CRC32C crc = new CRC32C();
    crc.update(header);
    crc.update(body);
    if ((int) crc.getValue() != crcStored) {
      throw new IOException("quantizer file checksum mismatch: stored " + Integer.toHexString(crcStored)
          + ", computed " + Integer.toHexString((int) crc.getValue()));
    }
    Metric metric = metricFromCode(metricCode);
    if (dim <= 0) {
      throw new IOException("corrupt quantizer file: dimension " + dim);
    }
    BodyReader reader = switch (kind) {
      case KIND_SCALAR -> ScalarQuantizer::readBody;
      case KIND_FLOAT16 -> Float16Codec::readBody;
      case KIND_BINARY -> BinaryQuantizer::readBody;
      case KIND_PQ -> ProductQuantizer::readBody;
      default -> throw new IOException("unknown quantizer kind " + kind);
    };
    ByteArrayInputStream bin = new ByteArrayInputStream(body);
    VectorQuantizer q;
    try {
      q = reader.read(metric, dim, new DataInputStream(bin));
    } catch (EOFException | IllegalArgumentException e) {
      throw new IOException("corrupt quantizer body: " + e.getMessage(), e);
    }
    if (bin.available() != 0) {
      throw new IOException("corrupt quantizer file: " + bin.available() + " unread body bytes");
    }
    return q;
  }

  /** Reads a quantizer from bytes written by {@link #toBytes}. */
  public static VectorQuantizer fromBytes(byte[] bytes) throws IOException {
    ByteArrayInputStream in = new ByteArrayInputStream(bytes);
    VectorQuantizer q = read(in);
    if (in.available() != 0) {
      throw new IOException("trailing bytes after quantizer: " + in.available());
    }
    return q;
  }

  static byte metricCode(Metric m) {
    return switch (m) {
      case L2 -> 0;
      case DOT -> 1;
      case COSINE -> 2;
      case L1 -> throw new IllegalArgumentException("L1 is not supported by quantizers");
    };
  }

  static Metric metricFromCode(byte code) throws IOException {
    return switch (code) {
      case 0 -> Metric.L2;
      case 1 -> Metric.DOT;
      case 2 -> Metric.COSINE;
      default -> throw new IOException("unknown metric code " + code);
    };
  }

  static void checkMetric(Metric m) {
    metricCode(m);
  }

  static void writeFloats(DataOutputStream out, float[] a) throws IOException {
    for (float f : a) {
      out.writeFloat(f);
    }
  }

  static float[] readFloats(DataInputStream in, int n) throws IOException {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = in.readFloat();
    }
    return a;
  }

  /** {@code v} itself, or a normalised copy when the metric is COSINE. */
  static float[] prepare(Metric metric, float[] v, int dim) {
    if (v.length != dim) {
      throw new IllegalArgumentException("vector has dimension " + v.length + ", quantizer " + dim);
    }
    if (!metric.normalizes()) {
      return v;
    }
    double n = 0;
    for (float x : v) {
      n += (double) x * x;
    }
    if (n == 0) {
      return v;
    }
    float inv = (float) (1 / Math.sqrt(n));
    float[] c = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      c[i] = v[i] * inv;
    }
    return c;
  }

  static void putFloat(byte[] dst, int off, float f) {
    LittleEndian.FLOATS.set(dst, off, f);
  }

  static float getFloat(byte[] src, int off) {
    return (float) LittleEndian.FLOATS.get(src, off);
  }

  static float[][] requireSample(float[][] sample, int dim) {
    if (sample.length == 0) {
      throw new IllegalArgumentException("training sample is empty");
    }
    for (float[] v : sample) {
      if (v.length != dim) {
        throw new IllegalArgumentException("sample vector of dimension " + v.length + ", expected " + dim);
      }
    }
    return sample;
  }
}
