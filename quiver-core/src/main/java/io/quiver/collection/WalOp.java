package io.quiver.collection;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.PointId;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A collection's write-ahead log record. Records are <em>physical</em>: every change that leaves a point stored is
 * logged as the whole resulting point (a payload update logs the updated point, vectors included), and removals as
 * ids. Replay therefore never depends on state a checkpoint may already have changed, and applying a record twice
 * is harmless. The byte layout is in docs/format.md ("Collection WAL records").
 */
sealed interface WalOp {
  byte UPSERT = 1;
  ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  byte DELETE = 2;
  /** An upsert whose points carry sparse vectors: each point's dense vectors are followed by its sparse ones. */
  byte UPSERT_SPARSE = 3;

  /**
   * Points written whole (insert or replace). {@code payloadJson}, when not null, holds each point's payload
   * already serialized (null entries for no payload), so encoding does not serialize it again.
   */
  record Upsert(List<Point> points, List<byte[]> payloadJson) implements WalOp {}

  /** Points removed by id. */
  record Delete(List<PointId> ids) implements WalOp {}

  static byte[] encode(WalOp op, ObjectMapper json) {
    try {
      return switch (op) {
        case Upsert u -> encodeUpsert(u, json);
        case Delete d -> {
          ByteBuffer b = ByteBuffer.allocate(5 + 17 * d.ids().size()).order(ByteOrder.LITTLE_ENDIAN);
          b.put(DELETE).putInt(d.ids().size());
          for (PointId id : d.ids()) {
            putId(b, id);
          }
          yield b.array();
        }
      };
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("payload cannot be serialized: " + e.getMessage(), e);
    }
  }

  private static byte[] encodeUpsert(Upsert u, ObjectMapper json) throws JsonProcessingException {
    List<byte[]> payloads = new ArrayList<>(u.points().size());
    // batches without sparse vectors keep record type 1, byte for byte what logs held before type 3 existed
    boolean sparse = u.points().stream().anyMatch(p -> !p.sparseVectors().isEmpty());
    long size = 5;
    for (int i = 0; i < u.points().size(); i++) {
      Point p = u.points().get(i);
      byte[] pl = u.payloadJson() != null ? u.payloadJson().get(i)
          : p.payload() == null ? null : json.writeValueAsBytes(p.payload());
      payloads.add(pl);
      size += 17 + 4 + 4 + (pl == null ? 0 : pl.length);
      for (var e : p.vectors().entrySet()) {
        size += 2 + e.getKey().getBytes(StandardCharsets.UTF_8).length + 4 + 4L * e.getValue().length;
      }
      if (sparse) {
        size += 4;
        for (var e : p.sparseVectors().entrySet()) {
          size += 2 + e.getKey().getBytes(StandardCharsets.UTF_8).length + 4 + 8L * e.getValue().size();
        }
      }
    }
    if (size > Integer.MAX_VALUE - 64) {
      throw new IllegalArgumentException("batch of " + u.points().size() + " points is too large for one log record");
    }
    ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
    b.put(sparse ? UPSERT_SPARSE : UPSERT).putInt(u.points().size());
    for (int i = 0; i < u.points().size(); i++) {
      Point p = u.points().get(i);
      putId(b, p.id());
      b.putInt(p.vectors().size());
      for (var e : p.vectors().entrySet()) {
        byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
        b.putShort((short) name.length).put(name).putInt(e.getValue().length);
        MemorySegment.copy(e.getValue(), 0, MemorySegment.ofArray(b.array()), LE_FLOAT, b.position(),
            e.getValue().length);
        b.position(b.position() + 4 * e.getValue().length);
      }
      if (sparse) {
        b.putInt(p.sparseVectors().size());
        for (var e : p.sparseVectors().entrySet()) {
          byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
          SparseVector v = e.getValue();
          b.putShort((short) name.length).put(name).putInt(v.size());
          for (int x : v.indices()) {
            b.putInt(x);
          }
          for (float x : v.values()) {
            b.putFloat(x);
          }
        }
      }
      byte[] pl = payloads.get(i);
      b.putInt(pl == null ? -1 : pl.length);
      if (pl != null) {
        b.put(pl);
      }
    }
    return b.array();
  }

  static WalOp decode(byte[] bytes, ObjectMapper json) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    byte type = b.get();
    int n = b.getInt();
    switch (type) {
      case UPSERT, UPSERT_SPARSE -> {
        List<Point> points = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          PointId id = getId(b);
          int nv = b.getInt();
          Map<String, float[]> vectors = new HashMap<>();
          for (int v = 0; v < nv; v++) {
            byte[] name = new byte[b.getShort()];
            b.get(name);
            float[] vec = new float[b.getInt()];
            MemorySegment.copy(MemorySegment.ofArray(bytes), LE_FLOAT, b.position(), vec, 0, vec.length);
            b.position(b.position() + 4 * vec.length);
            vectors.put(new String(name, StandardCharsets.UTF_8), vec);
          }
          Map<String, SparseVector> sparse = new HashMap<>();
          int ns = type == UPSERT_SPARSE ? b.getInt() : 0;
          for (int v = 0; v < ns; v++) {
            byte[] name = new byte[b.getShort()];
            b.get(name);
            int nnz = b.getInt();
            if (nnz < 0 || 8L * nnz > b.remaining()) {
              throw new IOException("sparse vector of " + nnz + " entries overruns the record");
            }
            int[] idx = new int[nnz];
            float[] val = new float[nnz];
            b.asIntBuffer().get(idx);
            b.position(b.position() + 4 * nnz);
            b.asFloatBuffer().get(val);
            b.position(b.position() + 4 * nnz);
            sparse.put(new String(name, StandardCharsets.UTF_8), new SparseVector(idx, val));
          }
          int pl = b.getInt();
          ObjectNode payload = null;
          if (pl >= 0) {
            payload = (ObjectNode) json.readTree(bytes, b.position(), pl);
            b.position(b.position() + pl);
          }
          points.add(new Point(id, vectors, payload, sparse));
        }
        return new Upsert(points, null);
      }
      case DELETE -> {
        List<PointId> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          ids.add(getId(b));
        }
        return new Delete(ids);
      }
      default -> throw new IOException("unknown collection log record type " + type);
    }
  }

  /** 17 bytes: tag 0 + unsigned long + 8 zero bytes, or tag 1 + UUID high + low. */
  static void putId(ByteBuffer b, PointId id) {
    switch (id) {
      case PointId.Num n -> b.put((byte) 0).putLong(n.value()).putLong(0);
      case PointId.Uuid u -> b.put((byte) 1).putLong(u.value().getMostSignificantBits())
          .putLong(u.value().getLeastSignificantBits());
    }
  }

  static PointId getId(ByteBuffer b) throws IOException {
    byte tag = b.get();
    long hi = b.getLong();
    long lo = b.getLong();
    return switch (tag) {
      case 0 -> new PointId.Num(hi);
      case 1 -> new PointId.Uuid(new UUID(hi, lo));
      default -> throw new IOException("bad point id tag " + tag);
    };
  }
}
