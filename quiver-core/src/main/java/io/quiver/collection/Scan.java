package io.quiver.collection;

import io.quiver.index.OrdinalFilter;
import io.quiver.quantization.QuantizedScorer;
import java.util.List;
import org.roaringbitmap.RoaringBitmap;

/**
 * An exact scan of one segment: collects accepted ordinals into blocks and scores each block at once, so the
 * multi-way distance kernels apply. Optionally over quantized codes first, reranking the best with the full vectors.
 */
final class Scan {
  private final Segment s;
  private final String using;
  private final float[] query;
  private final Hits hits;
  private final int[] block = new int[256];
  private final float[] dists = new float[256];
  private int n;
  private long scored;

  /** Quantized scores for a first pass, or null to score the full vectors directly. */
  private final QuantizedScorer approx;
  /** The first pass's best candidates, reranked at {@link #finish()} (null without {@link #approx}). */
  private final Hits candidates;
  private final boolean rescore;

  Scan(Segment s, String using, float[] query, Hits hits) {
    this(s, using, query, hits, null, 0, true);
  }

  /**
   * A scan that scores {@code approx} codes first and keeps the best {@code keep}, then (with {@code rescore})
   * reranks those with the full vectors: a quarter (int8) or less of the memory traffic of a full-precision scan.
   */
  Scan(Segment s, String using, float[] query, Hits hits, QuantizedScorer approx, int keep, boolean rescore) {
    this.s = s;
    this.using = using;
    this.query = query;
    this.hits = hits;
    this.approx = approx;
    this.candidates = approx == null ? null : new Hits(keep, Float.POSITIVE_INFINITY);
    this.rescore = rescore;
  }

  /**
   * Scores the accepted points of the segment: those of {@code candidates} (null: every ordinal) that {@code accept}
   * passes (null: all). Returns the distances computed.
   */
  long run(RoaringBitmap candidates, OrdinalFilter accept) {
    int ords = s.ordinals();
    if (candidates == null) {
      for (int ord = 0; ord < ords; ord++) {
        if (accept == null || accept.accept(ord)) {
          add(ord);
        }
      }
    } else {
      for (var it = candidates.getIntIterator(); it.hasNext(); ) {
        int ord = it.next();
        if (ord >= ords) {
          break;
        }
        if (accept == null || accept.accept(ord)) {
          add(ord);
        }
      }
    }
    return finish();
  }

  void add(int ord) {
    if (!s.hasVector(using, ord)) {
      return;
    }
    block[n++] = ord;
    if (n == block.length) {
      flush();
    }
  }

  private void flush() {
    if (approx != null) {
      approx.score(block, n, dists);
      for (int i = 0; i < n; i++) {
        candidates.offer(dists[i], s, block[i]);
      }
    } else {
      s.distances(using, query, block, n, dists);
      for (int i = 0; i < n; i++) {
        hits.offer(dists[i], s, block[i]);
      }
    }
    scored += n;
    n = 0;
  }

  long finish() {
    flush();
    if (approx == null) {
      return scored;
    }
    List<Hits.Hit> best = candidates.sorted();
    if (!rescore) {
      for (Hits.Hit h : best) {
        hits.offer(h.distance(), s, h.ordinal());
      }
      return scored;
    }
    int[] ords = new int[best.size()];
    for (int i = 0; i < ords.length; i++) {
      ords[i] = best.get(i).ordinal();
    }
    float[] exact = new float[ords.length];
    s.distances(using, query, ords, ords.length, exact);
    for (int i = 0; i < ords.length; i++) {
      hits.offer(exact[i], s, ords[i]);
    }
    return scored + ords.length;
  }
}
