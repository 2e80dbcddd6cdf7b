package io.quiver.collection;

import io.quiver.distance.QuantizedKernels;
import io.quiver.index.OrdinalFilter;
import io.quiver.quantization.QuantizedVectorUtil;
import java.util.Arrays;
import org.roaringbitmap.RoaringBitmap;

/**
 * An exact scan of one segment's cosine field that computes few full distances: every accepted point is scored on
 * {@link ExactScanCodes} (int8, a quarter of the memory traffic of the float vectors) with a proven error bound
 * {@code m}, giving {@code lo = d~ − m <= d <= d~ + m = hi} for its true distance {@code d}. With {@code L} the k-th
 * smallest {@code hi}, at least k points have {@code d <= L}, so no point with {@code lo > L} can be among the k
 * nearest; the others (usually a few dozen) are scored exactly with the segment's own kernel and offered to the hits,
 * in ordinal order as {@link Scan} offers them. The answer is therefore the plain scan's.
 *
 * <p>Sealed and mutable segments alike: the scan reads the segment's ordinal count once, has the segment code every
 * ordinal below it ({@link Segment#exactScanCodes}), and reads only those records, each written from the vector its
 * ordinal holds for good, so a writer appending meanwhile changes nothing the scan reads.
 *
 * <p>{@code m} adds to the coding bound a margin for float rounding: the exact kernel sums {@code dim} products of
 * unit vectors in float, off by at most about {@code dim·2^-24}; the margin is ten times that plus 1e-5.
 */
final class BoundedScan {
  /**
   * System property that, set to {@code true}, turns bounded scans off (the plain {@link Scan} runs instead): read on
   * every scan, so a benchmark can interleave the two in one process.
   */
  static final String OFF = "quiver.scan.bounded.off";
  /** Fewest vectors in a segment for which codes are built; below, the plain scan is as cheap. */
  static final int MIN_POINTS = 4096;

  private static final QuantizedKernels KERNELS = QuantizedVectorUtil.kernels();

  private final Segment s;
  private final String using;
  private final float[] query;
  private final Hits hits;
  private final int k;
  private final float maxDistance;

  BoundedScan(Segment s, String using, float[] query, Hits hits, int k, float maxDistance) {
    this.s = s;
    this.using = using;
    this.query = query;
    this.hits = hits;
    this.k = k;
    this.maxDistance = maxDistance;
  }

  /**
   * Whether a scan of {@code s}'s field {@code using} (COSINE, held in the heap, with codes the segment can keep)
   * with {@code accepted} points pays.
   */
  static boolean applies(Segment s, String using, long accepted) {
    return !Boolean.getBoolean(OFF) && s.ordinals() >= MIN_POINTS && accepted >= MIN_POINTS / 4
        && s.exactScanCodable(using);
  }

  /** Scans as {@link Scan#run} does; returns the distances computed (coded and exact). */
  long run(RoaringBitmap candidates, OrdinalFilter accept) {
    int count = s.ordinals();
    ExactScanCodes c = s.exactScanCodes(using, count);
    ExactScanCodes.Pages pages = c.pages(); // after the codes of every ordinal below count were written
    int dim = c.dim;
    int shift = c.shift;
    int mask = c.mask;
    int[] ords = accepted(count, candidates, accept);
    int n = ords.length;
    byte[] qc = new byte[dim];
    float qs = ExactScanCodes.encode(query, qc, 0);
    double qe2 = 0;
    double qn2 = 0;
    for (int i = 0; i < dim; i++) {
      double r = query[i] - (double) qs * qc[i];
      qe2 += r * r;
      qn2 += (double) query[i] * query[i];
    }
    float qErr = Math.nextUp((float) Math.sqrt(qe2));
    float qNorm = Math.nextUp((float) Math.sqrt(qn2));
    float slack = 1e-5f + 10f * dim * 0x1p-24f;

    float[] lo = new float[n];
    TopK best = new TopK(k);
    int[] offs = new int[8];
    int[] dots = new int[8];
    int i = 0;
    for (; i + 8 <= n; i += 8) {
      int page = ords[i] >>> shift;
      if (page != ords[i + 7] >>> shift) { // the eight straddle a page boundary (ordinals ascend): one by one
        for (int j = i; j < i + 8; j++) {
          one(pages, shift, mask, dim, qc, ords[j], qs, qErr, qNorm, slack, lo, j, best);
        }
        continue;
      }
      for (int j = 0; j < 8; j++) {
        offs[j] = (ords[i + j] & mask) * dim;
      }
      KERNELS.dotInt8x8(qc, pages.codes()[page], offs, 0, dim, dots);
      for (int j = 0; j < 8; j++) {
        bound(pages, page, ords[i + j] & mask, dots[j], qs, qErr, qNorm, slack, lo, i + j, best);
      }
    }
    for (; i < n; i++) {
      one(pages, shift, mask, dim, qc, ords[i], qs, qErr, qNorm, slack, lo, i, best);
    }
    float limit = Math.min(best.full() ? best.max() : Float.POSITIVE_INFINITY, maxDistance);
    int[] block = new int[256];
    float[] dists = new float[256];
    int m = 0;
    long exact = 0;
    for (int j = 0; j < n; j++) {
      if (lo[j] <= limit) {
        block[m++] = ords[j];
        if (m == block.length) {
          exact += flush(block, m, dists);
          m = 0;
        }
      }
    }
    exact += flush(block, m, dists);
    return n + exact;
  }

  private static void one(ExactScanCodes.Pages pages, int shift, int mask, int dim, byte[] qc, int ord, float qs,
      float qErr, float qNorm, float slack, float[] lo, int at, TopK best) {
    int page = ord >>> shift;
    int slot = ord & mask;
    int dot = KERNELS.dotInt8(qc, 0, pages.codes()[page], slot * dim, dim);
    bound(pages, page, slot, dot, qs, qErr, qNorm, slack, lo, at, best);
  }

  private static void bound(ExactScanCodes.Pages pages, int page, int slot, int dot, float qs, float qErr,
      float qNorm, float slack, float[] lo, int at, TopK best) {
    float approx = 1f - qs * pages.scale()[page][slot] * dot;
    float margin = qNorm * pages.err()[page][slot] + qErr * pages.norm()[page][slot] + slack;
    lo[at] = approx - margin;
    best.offer(approx + margin);
  }

  private int flush(int[] block, int m, float[] dists) {
    if (m == 0) {
      return 0;
    }
    s.distances(using, query, block, m, dists);
    for (int j = 0; j < m; j++) {
      hits.offer(dists[j], s, block[j]);
    }
    return m;
  }

  /** The accepted ordinals below {@code ords} that have a vector, ascending. */
  private int[] accepted(int ords, RoaringBitmap candidates, OrdinalFilter accept) {
    int[] out = new int[candidates == null ? ords : Math.min(ords, candidates.getCardinality())];
    int n = 0;
    if (candidates == null) {
      for (int ord = 0; ord < ords; ord++) {
        if ((accept == null || accept.accept(ord)) && s.hasVector(using, ord)) {
          out[n++] = ord;
        }
      }
    } else {
      for (var it = candidates.getIntIterator(); it.hasNext(); ) {
        int ord = it.next();
        if (ord >= ords) {
          break;
        }
        if ((accept == null || accept.accept(ord)) && s.hasVector(using, ord)) {
          out[n++] = ord;
        }
      }
    }
    return n == out.length ? out : Arrays.copyOf(out, n);
  }

  /** The k smallest values offered: a max-heap of floats. */
  private static final class TopK {
    private final float[] heap;
    private int size;

    TopK(int k) {
      heap = new float[k];
    }

    boolean full() {
      return size == heap.length;
    }

    float max() {
      return heap[0];
    }

    void offer(float v) {
      if (size < heap.length) {
        int i = size++;
        heap[i] = v;
        while (i > 0) {
          int p = (i - 1) >>> 1;
          if (heap[p] >= heap[i]) {
            break;
          }
          float t = heap[p];
          heap[p] = heap[i];
          heap[i] = t;
          i = p;
        }
      } else if (v < heap[0]) {
        heap[0] = v;
        int i = 0;
        while (true) {
          int l = 2 * i + 1;
          int r = l + 1;
          int big = i;
          if (l < size && heap[l] > heap[big]) {
            big = l;
          }
          if (r < size && heap[r] > heap[big]) {
            big = r;
          }
          if (big == i) {
            break;
          }
          float t = heap[big];
          heap[big] = heap[i];
          heap[i] = t;
          i = big;
        }
      }
    }
  }
}
