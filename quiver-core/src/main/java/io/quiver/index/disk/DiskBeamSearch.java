package io.quiver.index.disk;

import io.quiver.index.IndexFiles;
import io.quiver.index.OrdinalFilter;
import io.quiver.index.SearchResult;
import io.quiver.quantization.QuantizedScorer;
import io.quiver.storage.CorruptFileException;
import io.quiver.storage.ReadAdvice;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.zip.CRC32C;

/**
 * The searches of a {@link DiskIndex}: the beam search over the disk graph and the shortlist scan of given ordinals.
 * Both rank by the in-RAM codes, read a node's block only to score it finer (int8) and to learn its neighbours, and
 * use the float vectors only to rerank the final few when asked.
 */
final class DiskBeamSearch {
  private DiskBeamSearch() {}

  static SearchResult search(DiskIndex index, DiskSearchContext ctx, float[] q, int k, DiskSearchParams params,
      OrdinalFilter filter) {
    int listSize = Math.max(k, params.listSize());
    int beam = params.beamWidth();
    float[] qr = index.rotation.apply(q);
    QuantizedScorer codes = index.codeScorers.scorer(qr);
    ResidualInt8Codec.Scorer records = index.records.scorer(qr);
    ctx.reset(listSize);
    Walk walk = new Walk(index, ctx, codes, records, filter, listSize);

    // descend the routing layers greedily by code distance (positions throughout)
    int cur = index.entry;
    float curDist = codes.score(cur);
    walk.computations++;
    for (int layer = index.routing.layers(); layer >= 1; layer--) {
      boolean moved = true;
      while (moved) {
        moved = false;
        int c = index.routing.neighbours(layer, cur, ctx.neighbours);
        codes.score(ctx.neighbours, c, ctx.batchDist);
        walk.computations += c;
        for (int i = 0; i < c; i++) {
          if (ctx.batchDist[i] < curDist) {
            curDist = ctx.batchDist[i];
            cur = ctx.neighbours[i];
            moved = true;
          }
        }
      }
    }
    ctx.visit(cur);
    ctx.offer(cur, curDist, listSize, false);
    walk.computations += offerBestSample(index, ctx, codes, params.entrySamples(), listSize);

    DiskLayout layout = index.layout;
    long reads = 0;
    while (true) {
      // the best `beam` unread candidates
      int n = 0;
      for (int i = 0; i < ctx.candSize && n < beam; i++) {
        if (!ctx.candExpanded[i]) {
          ctx.expand[n++] = ctx.candNode[i];
          ctx.candExpanded[i] = true;
        }
      }
      if (n == 0) {
        break;
      }
      if (n > 1 && index.readsMiss()) {
        for (int i = 0; i < n; i++) {
          ReadAdvice.willNeed(index.blocks, layout.blockOffset(ctx.expand[i]), layout.blockBytes());
        }
      }
      walk.gathered = 0;
      for (int i = 0; i < n; i++) {
        int p = ctx.expand[i];
        if (ctx.scored.contains(p)) {
          continue; // scored as a page-mate after it was picked
        }
        reads++;
        long t0 = System.nanoTime();
        walk.score(p, true);
        index.recordRead(System.nanoTime() - t0);
        // the rest of the page came with the same read: score it too
        int first = layout.firstOnPage(p);
        int last = Math.min(index.count, first + layout.blocksPerPage());
        for (int m = first; m < last; m++) {
          if (m != p && !ctx.scored.contains(m)) {
            walk.score(m, false);
          }
        }
      }
      codes.score(ctx.batch, walk.gathered, ctx.batchDist);
      walk.computations += walk.gathered;
      for (int i = 0; i < walk.gathered; i++) {
        ctx.offer(ctx.batch[i], ctx.batchDist[i], listSize, false);
      }
    }
    index.blocksRead.add(reads);
    return finish(index, ctx, q, k, params.rerank(), walk.computations);
  }

  /**
   * Scores {@code samples} positions spread evenly over the index by code and offers the best to the list (see
   * {@link DiskSearchParams#entrySamples}); returns the code distances computed.
   */
  static int offerBestSample(DiskIndex index, DiskSearchContext ctx, QuantizedScorer codes, int samples,
      int listSize) {
    int s = Math.min(samples, index.count);
    if (s == 0) {
      return 0;
    }
    ctx.ensureBatch(0, s);
    long step = index.count;
    for (int i = 0; i < s; i++) {
      ctx.batch[i] = (int) ((i * step + step / 2) / s);
    }
    codes.score(ctx.batch, s, ctx.batchDist);
    int best = 0;
    for (int i = 1; i < s; i++) {
      if (ctx.batchDist[i] < ctx.batchDist[best]) {
        best = i;
      }
    }
    if (ctx.visit(ctx.batch[best])) {
      ctx.offer(ctx.batch[best], ctx.batchDist[best], listSize, false);
    }
    return s;
  }

  /** One search's handling of scored blocks: results, the candidate list and the neighbours to score next. */
  private static final class Walk {
    final DiskIndex index;
    final DiskSearchContext ctx;
    final ResidualInt8Codec.Scorer records;
    final OrdinalFilter filter;
    final int listSize;
    final MemorySegment blocks;
    final DiskLayout layout;
    long computations;
    int gathered;

    Walk(DiskIndex index, DiskSearchContext ctx, QuantizedScorer codes, ResidualInt8Codec.Scorer records,
        OrdinalFilter filter, int listSize) {
      this.index = index;
      this.ctx = ctx;
      this.records = records;
      this.filter = filter;
      this.listSize = listSize;
      this.blocks = index.blocks;
      this.layout = index.layout;
    }

    /**
     * Scores the block at position {@code p} by its int8 record and keeps its ordinal as a result. A block picked from
     * the list ({@code picked}) and a page-mate that would enter the list are expanded: their neighbours are gathered
     * for code scoring. A page-mate that would not enter the list is only a result.
     */
    void score(int p, boolean picked) {
      ctx.scored.add(p);
      long base = readRecord(index, ctx, p);
      float d = records.score(ctx.records, 0);
      computations++;
      int ordinal = ordinalAt(index, base, p);
      if (!index.deleted.get(ordinal) && (filter == null || filter.accept(ordinal))) {
        ctx.addResult(ordinal, d);
      }
      // everything in the list was visited first: an unvisited page-mate needs no scan of the list
      int at = ctx.visited.contains(p) ? indexOf(ctx, p) : -1;
      boolean expand;
      if (at >= 0) {
        expand = picked || !ctx.candExpanded[at];
        ctx.refine(at, d);
      } else {
        ctx.visit(p);
        expand = ctx.offer(p, d, listSize, true) || picked;
      }
      if (!expand) {
        return;
      }
      int c = blocks.get(IndexFiles.LE_INT, base + layout.countOffset());
      if (c < 0 || c > layout.maxDegree()) {
        throw corrupt(index, "block at position " + p + " claims " + c + " neighbours");
      }
      MemorySegment.copy(blocks, IndexFiles.LE_INT, base + layout.countOffset() + 4, ctx.neighbours, 0, c);
      ctx.ensureBatch(gathered, c);
      for (int j = 0; j < c; j++) {
        int nb = ctx.neighbours[j];
        if (nb < 0 || nb >= index.count) {
          throw corrupt(index, "block at position " + p + " links to position " + nb + " of " + index.count);
        }
        if (ctx.visit(nb)) {
          ctx.batch[gathered++] = nb;
        }
      }
    }
  }

  private static int indexOf(DiskSearchContext ctx, int node) {
    for (int i = 0; i < ctx.candSize; i++) {
      if (ctx.candNode[i] == node) {
        return i;
      }
    }
    return -1;
  }

  /**
   * The most blocks a shortlist scan reads, as a multiple of its list size: the reads past the list size are the
   * {@linkplain #searchAmong adaptive extension}.
   */
  static final int SHORTLIST_EXTENSION = 4;

  /**
   * The k nearest of the given ordinals: every live one's RAM code is scored, then blocks are read in code order.
   * The first {@code L} (list size) are always read; after them, reading goes on, a beam at a time and up to
   * {@link #SHORTLIST_EXTENSION}{@code  x L} blocks, while the next candidate's code distance, less the largest
   * amount by which a code has overestimated its block's distance in this search, is still below the k-th best block
   * distance: a candidate that could still be among the k is read. The overestimates are measured on this query's own
   * reads, so the extension follows the codes' error on the data at hand: on 1,000,000 x 128 synthetic vectors a
   * fixed list of 64 kept recall@10 at 0.92 for a 1% filter (10,000 matches ranked by 1-bit codes), against 0.99 at
   * 1,000 matches.
   */
  static SearchResult searchAmong(DiskIndex index, DiskSearchContext ctx, float[] q, int k, int[] ordinals,
      int count, DiskSearchParams params) {
    int listSize = Math.max(k, params.listSize());
    int extended = (int) Math.min((long) listSize * SHORTLIST_EXTENSION, Math.max(listSize, count));
    float[] qr = index.rotation.apply(q);
    QuantizedScorer codes = index.codeScorers.scorer(qr);
    ResidualInt8Codec.Scorer records = index.records.scorer(qr);
    ctx.reset(extended);
    long computations = 0;
    int chunk = 1024;
    for (int from = 0; from < count; from += chunk) {
      int n = 0;
      ctx.ensureBatch(0, chunk);
      for (int i = from; i < Math.min(count, from + chunk); i++) {
        int o = ordinals[i];
        if (o >= 0 && o < index.count && !index.deleted.get(o)) {
          ctx.batch[n++] = index.positionOf(o);
        }
      }
      codes.score(ctx.batch, n, ctx.batchDist);
      computations += n;
      for (int i = 0; i < n; i++) {
        if (ctx.markMatch(ctx.batch[i])) {
          ctx.offer(ctx.batch[i], ctx.batchDist[i], extended, false);
        }
      }
    }
    // read the shortlist's blocks in code order, `beam` at a time with the reads in flight together
    MemorySegment blocks = index.blocks;
    DiskLayout layout = index.layout;
    int beam = Math.max(params.beamWidth(), 8);
    int listed = ctx.candSize;
    boolean prefetch = index.readsMiss();
    float overestimate = 0;
    float[] kth = new float[k];
    int read = 0;
    while (read < listed) {
      if (read >= listSize && ctx.candDist[read] - overestimate > kthSmallest(ctx, k, kth)) {
        break;
      }
      int n = Math.min(beam, listed - read);
      for (int i = 0; i < n && prefetch; i++) {
        ReadAdvice.willNeed(blocks, layout.blockOffset(ctx.candNode[read + i]), layout.blockBytes());
      }
      for (int i = 0; i < n; i++) {
        int p = ctx.candNode[read + i];
        if (!ctx.scored.add(p)) {
          continue; // already scored as a page-mate of an earlier read
        }
        computations += scoreAmong(index, ctx, records, p);
        overestimate = Math.max(overestimate, ctx.candDist[read + i] - ctx.resDist[ctx.resSize - 1]);
        // the page came with the same read: its other matches (graph neighbours, so often near) are scored too
        int first = layout.firstOnPage(p);
        int last = Math.min(index.count, first + layout.blocksPerPage());
        for (int m = first; m < last; m++) {
          if (m != p && ctx.isMatch(m) && ctx.scored.add(m)) {
            computations += scoreAmong(index, ctx, records, m);
          }
        }
      }
      read += n;
    }
    index.blocksRead.add(read);
    return finish(index, ctx, q, k, Math.min(read, Math.max(params.rerank(), 2 * k)), computations);
  }

  /**
   * The k-th smallest block distance gathered so far (infinity while fewer than k), using {@code scratch} (length k)
   * as a max-heap.
   */
  private static float kthSmallest(DiskSearchContext ctx, int k, float[] scratch) {
    if (ctx.resSize < k) {
      return Float.POSITIVE_INFINITY;
    }
    int size = 0;
    for (int i = 0; i < ctx.resSize; i++) {
      float d = ctx.resDist[i];
      if (size < k) {
        int c = size++;
        scratch[c] = d;
        while (c > 0 && scratch[(c - 1) >>> 1] < scratch[c]) {
          int parent = (c - 1) >>> 1;
          float t = scratch[parent];
          scratch[parent] = scratch[c];
          scratch[c] = t;
          c = parent;
        }
      } else if (d < scratch[0]) {
        scratch[0] = d;
        int c = 0;
        while (true) {
          int l = 2 * c + 1;
          int r = l + 1;
          int big = c;
          if (l < k && scratch[l] > scratch[big]) {
            big = l;
          }
          if (r < k && scratch[r] > scratch[big]) {
            big = r;
          }
          if (big == c) {
            break;
          }
          float t = scratch[big];
          scratch[big] = scratch[c];
          scratch[c] = t;
          c = big;
        }
      }
    }
    return scratch[0];
  }

  /** Scores the block at position {@code p} (a match of a shortlist scan) into the results; returns 1. */
  private static int scoreAmong(DiskIndex index, DiskSearchContext ctx, ResidualInt8Codec.Scorer records, int p) {
    long base = readRecord(index, ctx, p);
    ctx.addResult(ordinalAt(index, base, p), records.score(ctx.records, 0));
    return 1;
  }

  /** Checks the block at position {@code p} (when verifying) and copies its int8 record to {@code ctx.records}. */
  private static long readRecord(DiskIndex index, DiskSearchContext ctx, int p) {
    long base = index.layout.blockOffset(p);
    if (index.verifyBlocks) {
      checkBlockUnchecked(index, base, p);
    }
    MemorySegment.copy(index.blocks, ValueLayout.JAVA_BYTE, base, ctx.records, 0, index.records.bytesPerVector());
    return base;
  }

  /** The ordinal the block at {@code base} (position {@code p}) holds, range-checked. */
  private static int ordinalAt(DiskIndex index, long base, int p) {
    int ordinal = index.blocks.get(IndexFiles.LE_INT, base + index.layout.ordinalOffset());
    if (ordinal < 0 || ordinal >= index.count) {
      throw corrupt(index, "block at position " + p + " holds ordinal " + ordinal + " of " + index.count);
    }
    return ordinal;
  }

  /** The best k of the gathered results: by block distance, the first {@code rerank} rescored with float vectors. */
  private static SearchResult finish(DiskIndex index, DiskSearchContext ctx, float[] q, int k, int rerank,
      long computations) {
    int n = ctx.resSize;
    int keep = Math.min(n, Math.max(k, rerank));
    selectSmallest(ctx.resNode, ctx.resDist, n, keep);
    if (rerank > 0) {
      for (int i = 0; i < keep; i++) {
        index.readFloats(ctx.resNode[i], ctx.floats);
        ctx.resDist[i] = index.metric.distance(q, ctx.floats);
      }
      computations += keep;
    }
    sortByDistance(ctx.resNode, ctx.resDist, keep);
    int out = Math.min(k, keep);
    int[] ords = new int[out];
    float[] dists = new float[out];
    System.arraycopy(ctx.resNode, 0, ords, 0, out);
    System.arraycopy(ctx.resDist, 0, dists, 0, out);
    return new SearchResult(ords, dists, computations);
  }

  /** Moves the {@code keep} smallest distances (any order) to the front; n is small (a few hundred). */
  private static void selectSmallest(int[] nodes, float[] dists, int n, int keep) {
    if (keep >= n) {
      return;
    }
    sortByDistance(nodes, dists, n);
  }

  private static void sortByDistance(int[] nodes, float[] dists, int n) {
    for (int i = 1; i < n; i++) {
      float d = dists[i];
      int node = nodes[i];
      int j = i - 1;
      while (j >= 0 && dists[j] > d) {
        dists[j + 1] = dists[j];
        nodes[j + 1] = nodes[j];
        j--;
      }
      dists[j + 1] = d;
      nodes[j + 1] = node;
    }
  }

  private static final ThreadLocal<CRC32C> CRC = ThreadLocal.withInitial(CRC32C::new);

  static void checkBlock(DiskIndex index, long base, int node) throws CorruptFileException {
    DiskLayout layout = index.layout;
    CRC32C crc = CRC.get();
    crc.reset();
    crc.update(index.blocks.asSlice(base, layout.crcOffset()).asByteBuffer());
    int stored = index.blocks.get(IndexFiles.LE_INT, base + layout.crcOffset());
    if ((int) crc.getValue() != stored) {
      throw new CorruptFileException(index.file, String.format(
          "block at position %d (file offset %d) checksum mismatch: stored 0x%08X, computed 0x%08X", node,
          index.blocks.address() - index.data.address() + base, stored, (int) crc.getValue()));
    }
  }

  private static void checkBlockUnchecked(DiskIndex index, long base, int node) {
    try {
      checkBlock(index, base, node);
    } catch (CorruptFileException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static UncheckedIOException corrupt(DiskIndex index, String problem) {
    return new UncheckedIOException(new CorruptFileException(index.file, problem));
  }
}
