package io.quiver.cli.bench.disk;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.PointId;
import io.quiver.collection.Collection;
import io.quiver.collection.CollectionInfo;
import io.quiver.collection.Point;
import io.quiver.collection.ScoredPoint;
import io.quiver.collection.SearchRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

/**
 * The update phase of bench-disk-updates: writer threads upsert the new points in batches, one deleter thread
 * deletes base points in batches paced by the upserts' progress (so deletes are spread over the phase) and after
 * every acknowledged delete batch searches with some of the deleted vectors themselves, and search threads search
 * continuously until both are done. Every search records what was acknowledged when it started, so its recall can be
 * computed afterwards against exactly those points ({@link #recall}), without brute force slowing the phase.
 */
final class UpdatePhase {
  /**
   * @param writers upserting threads
   * @param batch points per upsert call and ids per delete call
   * @param searchThreads threads searching throughout
   * @param k neighbours per search
   * @param ef search list size (0: the field's default)
   * @param deleteChecks searches with deleted vectors after each delete batch
   */
  record Settings(int writers, int batch, int searchThreads, int k, int ef, int deleteChecks) {}

  /** One search made during the phase: the query, what was acknowledged before it started, the ids it returned. */
  record SearchRecord(int query, AckLog.Snapshot before, long[] ids) {}

  /**
   * What the phase measured.
   *
   * @param upsertSeconds from the start until the last writer's last upsert was acknowledged
   * @param deleteSeconds from the start until the last delete batch was acknowledged and checked
   * @param seconds from the start until writers and deleter were both done (the searchers' time)
   * @param upsertMs latencies of the upsert calls (acknowledged after the WAL fsync with durability fsync), sorted
   * @param deleteMs latencies of the delete calls, sorted
   * @param deletedReturned ids returned by the delete checks that had been deleted (acknowledged) before the check
   * @param unindexedAtUpsertEnd points not yet in a graph when the last upsert was acknowledged (searches scan them)
   */
  record Result(int upserted, int deleted, double upsertSeconds, double deleteSeconds, double seconds,
      double[] upsertMs, double[] deleteMs, long deleteChecks, long deletedReturned, List<SearchRecord> searches,
      double[] searchMs, long unindexedAtUpsertEnd) {}

  private UpdatePhase() {}

  /** The point of id {@code id}: its vector and the payload {"b": 0..999}. */
  static Point point(UpdateData data, int id) {
    ObjectNode payload = JsonNodeFactory.instance.objectNode();
    payload.put("b", data.payloadB(id));
    return Point.of(id, data.vector(id), payload);
  }

  static Result run(Collection c, UpdateData data, Settings s) throws InterruptedException {
    int n = data.n();
    int updates = data.updates().length;
    int deletes = data.deleteOrder().length;
    int upsertBatches = (updates + s.batch() - 1) / s.batch();
    int deleteBatches = (deletes + s.batch() - 1) / s.batch();
    AckLog ack = new AckLog(upsertBatches);
    AtomicInteger nextBatch = new AtomicInteger();
    AtomicInteger upserted = new AtomicInteger();
    AtomicInteger working = new AtomicInteger(s.writers() + 1);
    AtomicInteger writersLeft = new AtomicInteger(s.writers());
    AtomicLong unindexed = new AtomicLong(-1);
    AtomicLong deletedReturned = new AtomicLong();
    AtomicLong deleteChecks = new AtomicLong();
    List<double[]> upsertMs = new ArrayList<>();
    double[] deleteMs = new double[deleteBatches];
    double[] endSeconds = new double[s.writers() + 1];
    List<List<SearchRecord>> searchRecords = new ArrayList<>();
    List<double[]> searchMs = new ArrayList<>();
    long start = System.nanoTime();
    try (ExecutorService pool = Executors.newFixedThreadPool(s.writers() + 1 + s.searchThreads())) {
      List<Future<?>> fs = new ArrayList<>();
      for (int w = 0; w < s.writers(); w++) {
        int writer = w;
        double[] ms = new double[upsertBatches];
        upsertMs.add(ms);
        fs.add(pool.submit(() -> {
          try {
            int b;
            while ((b = nextBatch.getAndIncrement()) < upsertBatches) {
              List<Point> pts = new ArrayList<>(s.batch());
              for (int i = b * s.batch(); i < Math.min(updates, (b + 1) * s.batch()); i++) {
                pts.add(point(data, n + i));
              }
              long t0 = System.nanoTime();
              c.upsert(pts);
              ms[b] = (System.nanoTime() - t0) / 1e6;
              ack.upsertAcknowledged(b);
              upserted.addAndGet(pts.size());
            }
            endSeconds[writer] = (System.nanoTime() - start) / 1e9;
            if (writersLeft.decrementAndGet() == 0) {
              CollectionInfo info = c.info();
              unindexed.set(info.points() - info.indexedPoints());
            }
          } finally {
            working.decrementAndGet();
          }
          return null;
        }));
      }
      fs.add(pool.submit(() -> {
        try {
          for (int j = 0; j < deleteBatches; j++) {
            long due = (long) j * updates / deleteBatches;
            while (upserted.get() < due && working.get() > 1) {
              Thread.sleep(1);
            }
            int from = j * s.batch();
            int to = Math.min(deletes, from + s.batch());
            List<PointId> ids = new ArrayList<>(to - from);
            for (int i = from; i < to; i++) {
              ids.add(PointId.of(data.deleteOrder()[i]));
            }
            long t0 = System.nanoTime();
            c.delete(ids);
            deleteMs[j] = (System.nanoTime() - t0) / 1e6;
            ack.deletesAcknowledged(to);
            int checks = Math.min(s.deleteChecks(), to - from);
            for (int q = 0; q < checks; q++) {
              int id = data.deleteOrder()[from + (int) ((long) q * (to - from) / checks)];
              deletedReturned.addAndGet(deletedAmongHits(c, data, s, id, to));
              deleteChecks.incrementAndGet();
            }
          }
          endSeconds[s.writers()] = (System.nanoTime() - start) / 1e9;
        } finally {
          working.decrementAndGet();
        }
        return null;
      }));
      AtomicInteger nextQuery = new AtomicInteger();
      for (int t = 0; t < s.searchThreads(); t++) {
        List<SearchRecord> records = new ArrayList<>();
        searchRecords.add(records);
        LongList latencies = new LongList();
        fs.add(pool.submit(() -> {
          float[][] queries = data.queries();
          while (working.get() > 0) {
            int q = Math.floorMod(nextQuery.getAndIncrement(), queries.length);
            AckLog.Snapshot before = ack.snapshot();
            long t0 = System.nanoTime();
            List<ScoredPoint> hits = c.search(SearchRequest.builder(queries[q]).limit(s.k()).ef(s.ef()).build());
            latencies.add(System.nanoTime() - t0);
            records.add(new SearchRecord(q, before, hits.stream().mapToLong(h -> numeric(h.id())).toArray()));
          }
          synchronized (searchMs) {
            searchMs.add(latencies.toMillis());
          }
          return null;
        }));
      }
      join(fs);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    double upsertSeconds = Arrays.stream(endSeconds, 0, s.writers()).max().orElse(0);
    double[] allUpsertMs = upsertMs.stream().flatMapToDouble(Arrays::stream).filter(v -> v > 0).sorted().toArray();
    Arrays.sort(deleteMs);
    List<SearchRecord> all = searchRecords.stream().flatMap(List::stream).toList();
    double[] allSearchMs = searchMs.stream().flatMapToDouble(Arrays::stream).sorted().toArray();
    return new Result(upserted.get(), deletes, upsertSeconds, endSeconds[s.writers()], seconds, allUpsertMs,
        deleteMs, deleteChecks.get(), deletedReturned.get(), all, allSearchMs, unindexed.get());
  }

  /**
   * Searches with the vector of deleted point {@code id}; returns how many hits are among the first {@code deleted}
   * ids of the delete order (all acknowledged as deleted).
   */
  private static int deletedAmongHits(Collection c, UpdateData data, Settings s, int id, int deleted) {
    int count = 0;
    for (ScoredPoint h : c.search(SearchRequest.builder(data.vector(id)).limit(s.k()).ef(s.ef()).build())) {
      long hit = numeric(h.id());
      if (hit >= 0 && hit < data.n() && data.deleteRank()[(int) hit] < deleted) {
        count++;
      }
    }
    return count;
  }

  /**
   * Mean recall@k of up to {@code samples} of the phase's searches (evenly spaced over the phase) against the exact
   * top-k over the points acknowledged before each search started (acknowledged upserts, minus acknowledged
   * deletes), by brute force over the in-RAM vectors; the samples run in parallel.
   */
  static double recall(Result r, UpdateData data, int k, int batch, int samples) {
    List<SearchRecord> all = r.searches();
    if (all.isEmpty() || samples < 1) {
      return Double.NaN;
    }
    int count = Math.min(samples, all.size());
    return IntStream.range(0, count).parallel().mapToDouble(i -> {
      SearchRecord rec = all.get((int) ((long) i * all.size() / count));
      int[] truth = ExactNeighbours.topK(data, data.queries()[rec.query()], k,
          id -> data.live(id, rec.before(), batch));
      return ExactNeighbours.recall(truth, rec.ids());
    }).average().orElse(Double.NaN);
  }

  static long numeric(PointId id) {
    return id instanceof PointId.Num num ? num.value() : -1;
  }

  static void join(List<Future<?>> fs) throws InterruptedException {
    for (Future<?> f : fs) {
      try {
        f.get();
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        throw cause instanceof RuntimeException re ? re : new IllegalStateException(cause.getMessage(), cause);
      }
    }
  }

  /** A growable list of longs. */
  private static final class LongList {
    private long[] values = new long[1024];
    private int size;

    void add(long v) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = v;
    }

    double[] toMillis() {
      double[] out = new double[size];
      for (int i = 0; i < size; i++) {
        out[i] = values[i] / 1e6;
      }
      return out;
    }
  }
}
