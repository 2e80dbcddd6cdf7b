package io.quiver.server;

import io.quiver.PointId;
import io.quiver.collection.Collection;
import io.quiver.collection.PayloadSelector;
import io.quiver.collection.PointRecord;
import io.quiver.collection.ScrollPage;
import io.quiver.collection.ScrollRequest;
import io.quiver.collection.SparseVector;
import io.quiver.text.QuiverBm25;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * The mean document length of each sparse field that {@code quiver/bm25} documents are written into, per collection:
 * a running sum and count of document lengths. Nothing is persisted: a field's figures are computed on first use by
 * reading every stored vector of the field back to its length ({@link QuiverBm25#lengthOf}), then kept up to date by
 * the upserts that go through {@link DocumentVectors} (new documents added, the overwritten vectors subtracted).
 * Every other write that can remove or replace a vector of a point (deletes, vector updates, insert-only and
 * update-only upserts) forgets the collection's figures, so the next {@code quiver/bm25} upsert reads them again.
 * Concurrent upserts to one field may each miss the other's adjustment; the next recomputation corrects that, and
 * BM25 is flat in the mean near its value, so the drift does not show in rankings.
 */
final class DocumentLengths {
  private static final int SCAN_PAGE = 1024;

  /** Sum and count of one field's document lengths, computed with one {@code k1} (the read-back depends on it). */
  private static final class Totals {
    final double k1;
    double sum;
    long count;

    Totals(double k1) {
      this.k1 = k1;
    }
  }

  private final Map<Collection, Map<String, Totals>> byCollection = Collections.synchronizedMap(new WeakHashMap<>());

  /** The current mean length of {@code field} (0 when it holds no vector), reading the collection if not known. */
  double mean(Collection c, String field, double k1) {
    Totals t = totals(c, field, k1);
    synchronized (t) {
      return t.count == 0 ? 0 : t.sum / t.count;
    }
  }

  /** Adds {@code n} documents of total length {@code lengthSum} (negative to subtract) to a known field. */
  void add(Collection c, String field, double k1, double lengthSum, long n) {
    Totals t = totals(c, field, k1);
    synchronized (t) {
      t.sum += lengthSum;
      t.count += n;
    }
  }

  /** The fields of {@code c} with known figures. */
  Set<String> knownFields(Collection c) {
    Map<String, Totals> m = byCollection.get(c);
    if (m == null) {
      return Set.of();
    }
    synchronized (m) {
      return Set.copyOf(m.keySet());
    }
  }

  /**
   * The {@code k1} the figures of a known field were computed with; {@code quiver/bm25}'s default when a concurrent
   * write has just forgotten them (the next use reads them again).
   */
  double k1(Collection c, String field) {
    Map<String, Totals> m = byCollection.get(c);
    if (m == null) {
      return QuiverBm25.Config.DEFAULTS.k1();
    }
    synchronized (m) {
      Totals t = m.get(field);
      return t == null ? QuiverBm25.Config.DEFAULTS.k1() : t.k1;
    }
  }

  /** Forgets every figure of {@code c}: the next use reads its stored vectors again. */
  void invalidate(Collection c) {
    byCollection.remove(c);
  }

  private Totals totals(Collection c, String field, double k1) {
    Map<String, Totals> m = byCollection.computeIfAbsent(c, x -> new HashMap<>());
    synchronized (m) {
      Totals t = m.get(field);
      if (t == null || t.k1 != k1) {
        t = scan(c, field, k1);
        m.put(field, t);
      }
      return t;
    }
  }

  private static Totals scan(Collection c, String field, double k1) {
    Totals t = new Totals(k1);
    PointId offset = null;
    do {
      ScrollPage page = c.scroll(new ScrollRequest(null, offset, SCAN_PAGE, PayloadSelector.NONE, Set.of(field),
          null));
      for (PointRecord r : page.points()) {
        SparseVector v = r.sparseVectors().get(field);
        if (v != null) {
          t.sum += QuiverBm25.lengthOf(v.values(), k1);
          t.count++;
        }
      }
      offset = page.nextOffset();
    } while (offset != null);
    return t;
  }
}
