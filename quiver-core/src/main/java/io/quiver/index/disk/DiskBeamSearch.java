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
    QuantizedScorer codes = index.codeScorers.scorer(q);
    ResidualInt8Codec.Scorer records = index.records.scorer(q);
    long computations = 0;
    ctx.reset(listSize);

    // descend the routing layers greedily by code distance
    int cur = index.entry;
    float curDist = codes.score(cur);
    computations++;
    for (int layer = index.routing.layers(); layer >= 1; layer--) {
      boolean moved = true;
      while (moved) {
        moved = false;
        int c = index.routing.neighbours(layer, cur, ctx.batch);
        codes.score(ctx.batch, c, ctx.batchDist);
        computations += c;
        for (int i = 0; i < c; i++) {
          if (ctx.batchDist[i] < curDist) {
            curDist = ctx.batchDist[i];
            cur = ctx.batch[i];
            moved = true;
          }
        }
      }
    }
    ctx.visit(cur);
    ctx.offer(cur, curDist, listSize);

    MemorySegment blocks = index.blocks;
    DiskLayout layout = index.layout;
    int recordBytes = index.records.bytesPerVector();
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
      if (n > 1) {
        for (int i = 0; i < n; i++) {
          ReadAdvice.willNeed(blocks, layout.blockOffset(ctx.expand[i]), layout.blockBytes());
        }
      }
      int gathered = 0;
      for (int i = 0; i < n; i++) {
        int node = ctx.expand[i];
        long base = layout.blockOffset(node);
        if (index.verifyBlocks) {
          checkBlockUnchecked(index, base, node);
        }
        MemorySegment.copy(blocks, ValueLayout.JAVA_BYTE, base, ctx.records, i * recordBytes, recordBytes);
        int c = blocks.get(IndexFiles.LE_INT, base + layout.countOffset());
        if (c < 0 || c > layout.maxDegree()) {
          throw corrupt(index, "block of node " + node + " claims " + c + " neighbours");
        }
        MemorySegment.copy(blocks, IndexFiles.LE_INT, base + layout.countOffset() + 4, ctx.neighbours, 0, c);
        for (int j = 0; j < c; j++) {
          int nb = ctx.neighbours[j];
          if (nb < 0 || nb >= index.count) {
            throw corrupt(index, "block of node " + node + " links to node " + nb + " of " + index.count);
          }
          if (ctx.visit(nb)) {
            ctx.batch[gathered++] = nb;
          }
        }
      }
      reads += n;
      for (int i = 0; i < n; i++) {
        ctx.recordDist[i] = records.score(ctx.records, i * recordBytes);
      }
      computations += n;
      for (int i = 0; i < n; i++) {
        int node = ctx.expand[i];
        float d = ctx.recordDist[i];
        int at = indexOf(ctx, node);
        if (at >= 0) {
          ctx.refine(at, d);
        }
        if (!index.deleted.get(node) && (filter == null || filter.accept(node))) {
          ctx.addResult(node, d);
        }
      }
      codes.score(ctx.batch, gathered, ctx.batchDist);
      computations += gathered;
      for (int i = 0; i < gathered; i++) {
        ctx.offer(ctx.batch[i], ctx.batchDist[i], listSize);
      }
    }
    index.blocksRead.add(reads);
    return finish(index, ctx, q, k, params.rerank(), computations);
  }

  private static int indexOf(DiskSearchContext ctx, int node) {
    for (int i = 0; i < ctx.candSize; i++) {
      if (ctx.candNode[i] == node) {
        return i;
      }
    }
    return -1;
  }

  static SearchResult searchAmong(DiskIndex index, DiskSearchContext ctx, float[] q, int k, int[] ordinals,
      int count, DiskSearchParams params) {
    int listSize = Math.max(k, params.listSize());
    QuantizedScorer codes = index.codeScorers.scorer(q);
    ResidualInt8Codec.Scorer records = index.records.scorer(q);
    ctx.reset(listSize);
    long computations = 0;
    int chunk = ctx.batch.length;
    for (int from = 0; from < count; from += chunk) {
      int n = 0;
      for (int i = from; i < Math.min(count, from + chunk); i++) {
        int o = ordinals[i];
        if (o >= 0 && o < index.count && !index.deleted.get(o)) {
          ctx.batch[n++] = o;
        }
      }
      codes.score(ctx.batch, n, ctx.batchDist);
      computations += n;
      for (int i = 0; i < n; i++) {
        if (ctx.visit(ctx.batch[i])) {
          ctx.offer(ctx.batch[i], ctx.batchDist[i], listSize);
        }
      }
    }
    // read the shortlist's blocks, `beam` at a time with the reads in flight together
    MemorySegment blocks = index.blocks;
    DiskLayout layout = index.layout;
    int recordBytes = index.records.bytesPerVector();
    int beam = Math.max(params.beamWidth(), 8);
    int listed = ctx.candSize;
    for (int from = 0; from < listed; from += beam) {
      int n = Math.min(beam, listed - from);
      for (int i = 0; i < n; i++) {
        ReadAdvice.willNeed(blocks, layout.blockOffset(ctx.candNode[from + i]), layout.blockBytes());
      }
      for (int i = 0; i < n; i++) {
        int node = ctx.candNode[from + i];
        long base = layout.blockOffset(node);
        if (index.verifyBlocks) {
          checkBlockUnchecked(index, base, node);
        }
        MemorySegment.copy(blocks, ValueLayout.JAVA_BYTE, base, ctx.records, i * recordBytes, recordBytes);
      }
      for (int i = 0; i < n; i++) {
        ctx.recordDist[i] = records.score(ctx.records, i * recordBytes);
      }
      computations += n;
      for (int i = 0; i < n; i++) {
        ctx.addResult(ctx.candNode[from + i], ctx.recordDist[i]);
      }
    }
    index.blocksRead.add(listed);
    return finish(index, ctx, q, k, params.rerank(), computations);
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
          "block of node %d (file offset %d) checksum mismatch: stored 0x%08X, computed 0x%08X", node,
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
