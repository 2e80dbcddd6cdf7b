package io.quiver.agent.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.PointId;
import io.quiver.Quiver;
import io.quiver.QuiverException;
import io.quiver.collection.Collection;
import io.quiver.collection.CollectionConfig;
import io.quiver.collection.PayloadSelector;
import io.quiver.collection.Point;
import io.quiver.collection.PointRecord;
import io.quiver.collection.ScrollPage;
import io.quiver.collection.ScrollRequest;
import io.quiver.collection.SparseVectorParams;
import io.quiver.collection.VectorParams;
import io.quiver.distance.Metric;
import io.quiver.filter.Condition;
import io.quiver.filter.Filter;
import io.quiver.payload.FieldSchema;
import io.quiver.storage.wal.Durability;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One kind of agent record kept in a Quiver collection under integer ids 1, 2, 3, ... A meta point at id 0, without
 * vectors, holds the next id; it is written in the same upsert as the records it numbers (one WAL record, so both or
 * neither survive a crash), so an id is never handed out twice, even after the newest record is deleted and the store
 * reopened. Dense kinds embed text in the named vector field {@link #VECTOR} (cosine); a point without it (the meta
 * point) never appears in a vector search. Vectorless kinds declare only an unused sparse field, which Quiver
 * accepts as the collection's one vector field. Every collection is FSYNC-durable: a write returns once on disk.
 */
public final class RecordCollection {
  /** The dense vector field of embedded kinds. */
  public static final String VECTOR = "text";
  /** The id of the meta point. */
  public static final PointId META_ID = PointId.of(0);
  /** Version of the meta point's layout ({@code meta.format}). */
  public static final int FORMAT = 1;

  private static final String UNUSED_SPARSE = "none";
  private static final int PAGE = 1024;

  private final Collection collection;
  private final String kind;
  private long nextId;

  private RecordCollection(Collection collection, String kind, long nextId) {
    this.collection = collection;
    this.kind = kind;
    this.nextId = nextId;
  }

  /** A FSYNC config with the dense field {@link #VECTOR} of {@code dimension} (cosine); add payload indexes to it. */
  public static CollectionConfig.Builder dense(int dimension) {
    return CollectionConfig.builder().vector(VECTOR, VectorParams.of(dimension, Metric.COSINE))
        .durability(Durability.FSYNC);
  }

  /** A FSYNC config without a usable vector field; add payload indexes to it. */
  public static CollectionConfig.Builder vectorless() {
    return CollectionConfig.builder().sparseVector(UNUSED_SPARSE, SparseVectorParams.DEFAULT)
        .durability(Durability.FSYNC);
  }

  /**
   * Opens the collection {@code name} of {@code db}, creating it with {@code config} when absent. An existing
   * collection must have been made for the same {@code kind} and, if dense, with the same dimension; a payload index
   * the config names but the collection lacks is added.
   */
  public static RecordCollection open(Quiver db, String name, String kind, CollectionConfig config) {
    try {
      Collection c = db.exists(name) ? db.collection(name) : db.createCollection(name, config);
      VectorParams want = config.vector(VECTOR);
      VectorParams have = c.config().vector(VECTOR);
      if (want != null && (have == null || have.size() != want.size())) {
        throw new QuiverException.InvalidInput("collection " + name + " holds vectors of "
            + (have == null ? "no" : have.size()) + " dimensions; the embedder gives " + want.size());
      }
      for (Map.Entry<String, FieldSchema> e : config.payloadSchema().entrySet()) {
        if (!c.config().payloadSchema().containsKey(e.getKey())) {
          c.createPayloadIndex(e.getKey(), e.getValue());
        }
      }
      List<PointRecord> metas = c.retrieve(List.of(META_ID), PayloadSelector.ALL, null);
      PointRecord meta = metas.isEmpty() ? null : metas.get(0);
      long next = 1;
      if (meta != null && meta.payload() != null) {
        JsonNode m = meta.payload().path("meta");
        if (!kind.equals(m.path("kind").asText()) || m.path("format").asInt() != FORMAT) {
          throw new QuiverException.InvalidInput("collection " + name + " is not a " + kind + " store of format "
              + FORMAT + " (meta: " + m + ")");
        }
        next = m.path("next_id").asLong();
      }
      return new RecordCollection(c, kind, next);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Collection collection() {
    return collection;
  }

  /** The id the next {@link #reserve} hands out. */
  public synchronized long nextId() {
    return nextId;
  }

  /**
   * Reserves {@code n} consecutive ids, returning the first; the caller must write {@link #metaPoint()} in the same
   * upsert as the records, and call {@link #release} with the same first id if that upsert fails.
   */
  public synchronized long reserve(int n) {
    long first = nextId;
    nextId += n;
    return first;
  }

  /** Gives back ids whose write failed, when no later reservation was made. */
  public synchronized void release(long first, int n) {
    if (nextId == first + n) {
      nextId = first;
    }
  }

  /** The meta point recording the current next id. */
  public synchronized Point metaPoint() {
    ObjectNode payload = JsonNodeFactory.instance.objectNode();
    payload.putObject("meta").put("kind", kind).put("format", FORMAT).put("next_id", nextId);
    return new Point(META_ID, Map.of(), payload);
  }

  /** Writes {@code records} with the meta point in one durable upsert. */
  public void write(List<Point> records) {
    List<Point> batch = new ArrayList<>(records.size() + 1);
    batch.addAll(records);
    batch.add(metaPoint());
    collection.upsert(batch);
  }

  /** A filter of records only (never the meta point) that also satisfy {@code must}. */
  public static Filter records(Condition... must) {
    return new Filter(Arrays.asList(must), List.of(), List.of(new Condition.HasId(Set.of(META_ID))), null);
  }

  /** The record {@code id} with its payload, or null. */
  public PointRecord get(long id) {
    if (id < 1) {
      return null;
    }
    List<PointRecord> r = collection.retrieve(List.of(PointId.of(id)), PayloadSelector.ALL, null);
    return r.isEmpty() ? null : r.get(0);
  }

  /** Every record matching {@code filter} (built with {@link #records}), in id order, with payloads. */
  public List<PointRecord> scrollAll(Filter filter) {
    List<PointRecord> out = new ArrayList<>();
    ScrollRequest req = new ScrollRequest(filter, null, PAGE, PayloadSelector.ALL, null, null);
    while (true) {
      ScrollPage page = collection.scroll(req);
      out.addAll(page.points());
      if (page.nextOffset() == null) {
        return out;
      }
      req = req.from(page.nextOffset());
    }
  }

  /** The ids of every record matching {@code filter} (built with {@link #records}), in id order. */
  public List<PointId> ids(Filter filter) {
    List<PointId> out = new ArrayList<>();
    ScrollRequest req = new ScrollRequest(filter, null, PAGE * 16, PayloadSelector.NONE, null, null);
    while (true) {
      ScrollPage page = collection.scroll(req);
      page.points().forEach(r -> out.add(r.id()));
      if (page.nextOffset() == null) {
        return out;
      }
      req = req.from(page.nextOffset());
    }
  }

  /** How many records match {@code filter} (built with {@link #records}). */
  public long count(Filter filter) {
    return collection.count(filter, true);
  }

  /** The integer id of a record point. */
  public static long id(PointRecord r) {
    return ((PointId.Num) r.id()).value();
  }
}
