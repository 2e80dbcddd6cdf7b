package io.quiver.collection;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.PointId;
import io.quiver.QuiverException;
import io.quiver.collection.SegmentHolder.Location;
import io.quiver.filter.Filter;
import io.quiver.storage.wal.WalOptions;
import io.quiver.storage.wal.WriteAheadLog;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The write path: each write is validated in full first (a bad point rejects the whole batch, nothing changes), then
 * logged to the write-ahead log and applied to memory under the write lock, so the log order is the apply order; the
 * caller is acknowledged once the log record is durable (fsync, shared by concurrent writers). Every write puts the
 * new version of a point into the mutable segment and deletes the old version wherever it lives, so exactly one live
 * version per id exists.
 */
final class PointUpdater {
  private final SegmentHolder holder;
  private final PointValidator validator;
  private final WriteAheadLog wal;
  private final ObjectMapper json;
  /** Called after each applied write (outside the write lock): the indexer has points to link. */
  private final Runnable written;
  /** Called when the mutable segment was frozen: the optimizer has a segment to seal. */
  private final Runnable frozen;
  /** Set when a log fsync failed: memory may hold a write that is not durable, so further writes are refused. */
  private volatile IOException writeFailure;

  PointUpdater(SegmentHolder holder, PointValidator validator, WriteAheadLog wal, ObjectMapper json, Runnable written,
      Runnable frozen) {
    this.holder = holder;
    this.validator = validator;
    this.wal = wal;
    this.json = json;
    this.written = written;
    this.frozen = frozen;
  }

  /** Writes the points {@code mode} selects (a later duplicate id in the batch wins); returns how many. */
  int upsert(List<Point> points, UpdateMode mode) {
    Objects.requireNonNull(mode, "mode");
    if (points.isEmpty()) {
      return 0;
    }
    PointValidator.checkBatch(points.size());
    List<Point> valid = new ArrayList<>(points.size());
    List<byte[]> payloadJson = new ArrayList<>(points.size());
    for (Point p : points) {
      Point v = validator.vectors(p.id(), p.vectors(), p.sparseVectors(), true);
      payloadJson.add(validator.payload(p.id(), p.payload()));
      valid.add(new Point(p.id(), v.vectors(), p.payload() == null ? null : p.payload().deepCopy(),
          v.sparseVectors()));
    }
    if (mode == UpdateMode.UPSERT) {
      write(() -> new WalOp.Upsert(valid, payloadJson));
      return valid.size();
    }
    int[] n = new int[1];
    write(() -> {
      // existence as before the batch, decided under the write lock
      boolean wantExisting = mode == UpdateMode.UPDATE_ONLY;
      List<Point> kept = new ArrayList<>(valid.size());
      List<byte[]> keptJson = new ArrayList<>(valid.size());
      for (int i = 0; i < valid.size(); i++) {
        if (holder.ids.containsKey(valid.get(i).id()) == wantExisting) {
          kept.add(valid.get(i));
          keptJson.add(payloadJson.get(i));
        }
      }
      n[0] = kept.size();
      return kept.isEmpty() ? null : new WalOp.Upsert(kept, keptJson);
    });
    return n[0];
  }

  /** Deletes points by id; returns how many existed. */
  int delete(List<PointId> pointIds) {
    PointValidator.checkBatch(pointIds.size());
    int[] existed = new int[1];
    write(() -> {
      List<PointId> present = new ArrayList<>();
      for (PointId id : new LinkedHashSet<>(pointIds)) {
        if (holder.ids.containsKey(Objects.requireNonNull(id, "id"))) {
          present.add(id);
        }
      }
      existed[0] = present.size();
      return present.isEmpty() ? null : new WalOp.Delete(present);
    });
    return existed[0];
  }

  /** Deletes every point matching {@code filter}; returns how many. */
  int delete(Filter filter) {
    Objects.requireNonNull(filter, "filter");
    int[] n = new int[1];
    write(() -> {
      List<PointId> matching = holder.matchingIds(filter);
      n[0] = matching.size();
      return matching.isEmpty() ? null : new WalOp.Delete(matching);
    });
    return n[0];
  }

  /**
   * Replaces the payload of each point with {@code fn} of its current one. By ids, every id must exist (else
   * {@link QuiverException.NotFound} naming the first missing one, and nothing is written); by filter, the points
   * matching it. Returns how many points were written.
   */
  int updatePayloads(List<PointId> pointIds, Filter filter, UnaryOperator<ObjectNode> fn) {
    if (pointIds != null) {
      PointValidator.checkBatch(pointIds.size());
    }
    int[] n = new int[1];
    write(() -> {
      List<PointId> targets = pointIds != null ? List.copyOf(new LinkedHashSet<>(pointIds))
          : holder.matchingIds(filter);
      List<Location> found = new ArrayList<>(targets.size());
      for (PointId id : targets) {
        Location loc = holder.ids.get(Objects.requireNonNull(id, "id"));
        if (loc == null) {
          throw new QuiverException.NotFound("No point with id " + id + " found");
        }
        found.add(loc);
      }
      List<Point> out = new ArrayList<>();
      List<byte[]> bytes = new ArrayList<>();
      for (int i = 0; i < targets.size(); i++) {
        PointId id = targets.get(i);
        Location loc = found.get(i);
        ObjectNode payload = fn.apply(loc.segment().payload(loc.ordinal()));
        bytes.add(validator.payload(id, payload));
        out.add(new Point(id, holder.vectorsOf(loc, null), payload, holder.sparseOf(loc, null)));
      }
      n[0] = out.size();
      return out.isEmpty() ? null : new WalOp.Upsert(out, bytes);
    });
    return n[0];
  }

  /**
   * Replaces the given vector fields of existing points, keeping their other vectors and payload; the points' own
   * payloads are ignored. Returns how many points existed.
   */
  int updateVectors(List<Point> points) {
    PointValidator.checkBatch(points.size());
    List<Point> valid = new ArrayList<>();
    for (Point p : points) {
      valid.add(validator.vectors(p.id(), p.vectors(), p.sparseVectors(), false));
    }
    int[] n = new int[1];
    write(() -> {
      // entries for the same id apply in order, each on top of the previous
      Map<PointId, Point> merged = new LinkedHashMap<>();
      for (Point p : valid) {
        Point before = merged.get(p.id());
        Map<String, float[]> vectors;
        Map<String, SparseVector> sparse;
        ObjectNode payload;
        if (before != null) {
          vectors = new HashMap<>(before.vectors());
          sparse = new HashMap<>(before.sparseVectors());
          payload = before.payload();
        } else {
          Location loc = holder.ids.get(p.id());
          if (loc == null) {
            continue;
          }
          vectors = new HashMap<>(holder.vectorsOf(loc, null));
          sparse = new HashMap<>(holder.sparseOf(loc, null));
          payload = loc.segment().payload(loc.ordinal());
        }
        vectors.putAll(p.vectors());
        sparse.putAll(p.sparseVectors());
        merged.put(p.id(), new Point(p.id(), vectors, payload, sparse));
      }
      List<Point> out = new ArrayList<>(merged.values());
      n[0] = out.size();
      return out.isEmpty() ? null : new WalOp.Upsert(out, null);
    });
    return n[0];
  }

  /**
   * Runs {@code build} (which may read current state) and logs and applies the operation it returns, all under the
   * write lock; then waits for the log record to be durable.
   */
  private void write(Supplier<WalOp> build) {
    // An interrupt during FileChannel I/O closes the log's channel for every writer: keep a pending interrupt
    // away from the I/O and restore it afterwards.
    boolean interrupted = Thread.interrupted();
    try {
      writeLogged(build);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void writeLogged(Supplier<WalOp> build) {
    long lsn;
    holder.writeLock.lock();
    try {
      checkWritable();
      WalOp op = build.get();
      if (op == null) {
        return;
      }
      byte[] record = WalOp.encode(op, json);
      if (record.length > WalOptions.DEFAULT.maxRecordBytes()) {
        throw new QuiverException.InvalidInput("the request encodes to " + record.length + " bytes, over the limit of "
            + WalOptions.DEFAULT.maxRecordBytes() + " per write; split it into smaller batches");
      }
      try {
        lsn = wal.write(record);
      } catch (IOException e) {
        throw new QuiverException.Storage("collection " + holder.name + ": write failed, nothing was changed: "
            + e.getMessage(), e);
      }
      holder.apply(op);
      freeze(false);
    } finally {
      holder.writeLock.unlock();
    }
    written.run();
    try {
      wal.awaitDurable(lsn);
    } catch (IOException e) {
      writeFailure = e;
      throw new QuiverException.Storage("collection " + holder.name + ": the write could not be made durable ("
          + e.getMessage() + "); it is not acknowledged and the collection refuses writes until reopened", e);
    }
  }

  /**
   * Freezes the mutable segment once it holds {@code sealThreshold} points (or, with {@code force}, any), for the
   * optimizer to seal. Caller holds the write lock.
   */
  void freeze(boolean force) {
    if (holder.freeze(force, wal.lastLsn())) {
      frozen.run();
    }
  }

  /** Fails unless writes are accepted: the collection is open and no log sync has failed. */
  void checkWritable() {
    if (holder.closed || holder.closing) {
      throw new IllegalStateException("collection " + holder.name + " is closed");
    }
    if (writeFailure != null) {
      throw new QuiverException.Storage("collection " + holder.name + " refuses writes after a failed log sync ("
          + writeFailure.getMessage() + "); reopen it to recover", writeFailure);
    }
  }

  /** Whether a log sync has failed (then memory may hold writes that are not durable). */
  boolean failed() {
    return writeFailure != null;
  }
}
