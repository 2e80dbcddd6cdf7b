package io.quiver.collection;

import java.util.Arrays;
import java.util.function.IntFunction;

/**
 * Int8 codes of one segment's vector field with, per vector, how far the code can be from the vector: what
 * {@link BoundedScan} needs to skip most exact distances without losing any point of the exact top k.
 *
 * <p>Vector {@code v} (as stored) is coded with its own scale {@code s = max|v_i| / 127} as {@code c_i =
 * round(v_i / s)}, so {@code v^ = s·c} and the record keeps {@code s}, {@code err = |v - v^|} and {@code |v^|}, the
 * last two rounded up. For a query {@code q} coded the same way ({@code q^}, {@code errQ}), {@code q·v − q^·v^ =
 * q·(v − v^) + (q − q^)·v^}, so {@code |q·v − q^·v^| <= |q|·err + errQ·|v^|}; {@code q^·v^} is {@code sQ·s} times an
 * int dot product, exact. In RAM only (a quarter of the float vectors' bytes plus 12 bytes a vector), in pages of a
 * power-of-two number of ordinals, and dropped with the segment.
 *
 * <p><b>Growth.</b> Records are written in ordinal order only, by {@link #codeUpTo} or {@link #add} under this
 * object's monitor, each from the vector its ordinal holds for good (a segment never rewrites a stored vector in
 * place: an overwrite is a new ordinal, a delete a tombstone). {@link #coded} is raised after the records below it
 * are written, so a reader that saw {@code coded() >= n} (or returned from {@code codeUpTo(.., n)}) reads every record
 * below {@code n} complete and consistent with its vector. A sealed segment codes all its ordinals at once; a mutable
 * one codes what exists when a scan first asks, then each appended vector as it is stored.
 */
final class ExactScanCodes {
  /** About 1 MiB of codes a page: a page boundary falls inside few blocks of eight scanned records. */
  private static final int TARGET_PAGE_BYTES = 1 << 20;

  final int dim;
  final int shift;
  final int mask;
  private volatile Pages pages = new Pages(new byte[0][], new float[0][], new float[0][], new float[0][]);
  /** Ordinals below this have their record written. */
  private volatile int coded;

  /** The page arrays as of one moment: page {@code ord >>> shift} holds ordinal {@code ord} at {@code ord & mask}. */
  record Pages(byte[][] codes, float[][] scale, float[][] err, float[][] norm) {}

  ExactScanCodes(int dim) {
    this.dim = dim;
    int perPage = Integer.highestOneBit(Math.max(64, TARGET_PAGE_BYTES / dim));
    this.shift = Integer.numberOfTrailingZeros(perPage);
    this.mask = perPage - 1;
  }

  /** The codes of every ordinal of field {@code name} of {@code s}; an ordinal without a vector gets a zero record. */
  static ExactScanCodes build(Segment s, String name, int dim) {
    ExactScanCodes c = new ExactScanCodes(dim);
    c.codeUpTo(ord -> s.hasVector(name, ord) ? s.vector(name, ord) : null, s.ordinals());
    return c;
  }

  /** Ordinals below this have a record that readers may use. */
  int coded() {
    return coded;
  }

  /** The pages; read after {@link #coded()} (or {@link #codeUpTo}) to see every record it covers. */
  Pages pages() {
    return pages;
  }

  /**
   * Writes the records of the ordinals from {@link #coded()} up to {@code upTo} from {@code vectorOf} (null: no
   * vector, a zero record). Every vector below {@code upTo} must already be stored and visible to the caller.
   */
  void codeUpTo(IntFunction<float[]> vectorOf, int upTo) {
    if (upTo <= coded) {
      return;
    }
    synchronized (this) {
      int from = coded;
      if (upTo <= from) {
        return;
      }
      grow(upTo);
      Pages p = pages;
      for (int ord = from; ord < upTo; ord++) {
        write(p, ord, vectorOf.apply(ord));
      }
      coded = upTo;
    }
  }

  /**
   * Writes the record of {@code ord} (just stored, {@code v}), first those of the ordinals below it still uncoded
   * (from {@code vectorOf}). The segment's writer calls this before it publishes {@code ord}.
   */
  void add(int ord, float[] v, IntFunction<float[]> vectorOf) {
    synchronized (this) {
      if (ord < coded) {
        return; // coded already from the store by a reader's catch-up
      }
      codeUpTo(vectorOf, ord);
      grow(ord + 1);
      write(pages, ord, v);
      coded = ord + 1;
    }
  }

  /** Writes the codes of {@code v} at {@code out[off..]} and returns its scale (0 for a zero vector). */
  static float encode(float[] v, byte[] out, int off) {
    float max = 0;
    for (float x : v) {
      max = Math.max(max, Math.abs(x));
    }
    if (!(max > 0) || !Float.isFinite(max)) {
      return 0;
    }
    float sc = max / 127f;
    for (int i = 0; i < v.length; i++) {
      out[off + i] = (byte) Math.max(-127, Math.min(127, Math.round(v[i] / sc)));
    }
    return sc;
  }

  long ramBytes() {
    Pages p = pages;
    long bytes = 0;
    for (int i = 0; i < p.codes.length; i++) {
      bytes += p.codes[i].length + 12L * p.scale[i].length;
    }
    return bytes;
  }

  private void write(Pages p, int ord, float[] v) {
    int page = ord >>> shift;
    int slot = ord & mask;
    byte[] codes = p.codes[page];
    int off = slot * dim;
    if (v == null) {
      Arrays.fill(codes, off, off + dim, (byte) 0);
      p.scale[page][slot] = 0;
      p.err[page][slot] = 0;
      p.norm[page][slot] = 0;
      return;
    }
    float sc = encode(v, codes, off);
    if (sc == 0) {
      Arrays.fill(codes, off, off + dim, (byte) 0);
    }
    double e2 = 0;
    double n2 = 0;
    for (int i = 0; i < dim; i++) {
      double approx = (double) sc * codes[off + i];
      double r = v[i] - approx;
      e2 += r * r;
      n2 += approx * approx;
    }
    p.scale[page][slot] = sc;
    p.err[page][slot] = Math.nextUp((float) Math.sqrt(e2));
    p.norm[page][slot] = Math.nextUp((float) Math.sqrt(n2));
  }

  /**
   * Makes room for ordinals below {@code upTo} (caller holds the monitor): full pages below the last, the last one
   * sized to a power of two (a small segment holds no full page), copied when it grows. A reader that snapshot the
   * old arrays reads only records written before the copy.
   */
  private void grow(int upTo) {
    Pages p = pages;
    int last = (upTo - 1) >>> shift;
    int slots = Math.min(mask + 1, Math.max(64, Integer.highestOneBit(((upTo - 1) & mask)) << 1));
    if (last < p.codes.length && p.scale[last].length >= slots) {
      return;
    }
    int n = Math.max(p.codes.length, last + 1);
    byte[][] codes = Arrays.copyOf(p.codes, n);
    float[][] scale = Arrays.copyOf(p.scale, n);
    float[][] err = Arrays.copyOf(p.err, n);
    float[][] norm = Arrays.copyOf(p.norm, n);
    for (int i = 0; i < n; i++) {
      int want = i < last ? mask + 1 : slots;
      int have = scale[i] == null ? 0 : scale[i].length;
      if (have < want) {
        codes[i] = codes[i] == null ? new byte[want * dim] : Arrays.copyOf(codes[i], want * dim);
        scale[i] = scale[i] == null ? new float[want] : Arrays.copyOf(scale[i], want);
        err[i] = err[i] == null ? new float[want] : Arrays.copyOf(err[i], want);
        norm[i] = norm[i] == null ? new float[want] : Arrays.copyOf(norm[i], want);
      }
    }
    pages = new Pages(codes, scale, err, norm);
  }
}
