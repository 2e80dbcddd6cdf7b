package io.quiver.cli.bench.disk;

import io.quiver.distance.Metric;
import io.quiver.index.BuildProgress;
import io.quiver.index.VectorSource;
import io.quiver.util.LongHeap;
import io.quiver.util.ScoredOrdinals;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A test engine for the harness: writes the base to its folder and answers by scanning the mapped file exactly,
 * counting one logical read per vector scanned. Registered as {@code exact-scan} (and without filtered search as
 * {@code exact-scan-unfiltered}) in the test class path only.
 */
final class ExactScanEngine implements DiskEngine {
  /** The provider ServiceLoader finds in the test class path. */
  public static final class Provider implements DiskEngineProvider {
    @Override
    public String name() {
      return "exact-scan";
    }

    @Override
    public boolean supports(Metric metric) {
      return metric == Metric.L2;
    }

    @Override
    public DiskEngine create() {
      return new ExactScanEngine(true);
    }
  }

  /** {@code exact-scan-unfiltered}: the same engine without filtered search, as a peer may be. */
  public static final class UnfilteredProvider implements DiskEngineProvider {
    @Override
    public String name() {
      return "exact-scan-unfiltered";
    }

    @Override
    public boolean supports(Metric metric) {
      return metric == Metric.L2;
    }

    @Override
    public DiskEngine create() {
      return new ExactScanEngine(false);
    }
  }

  private static final String FILE = "vectors.fvecs";
  private final AtomicLong reads = new AtomicLong();
  private final boolean filters;
  private FvecsFile vectors;

  private ExactScanEngine(boolean filters) {
    this.filters = filters;
  }

  @Override
  public String name() {
    return filters ? "exact-scan" : "exact-scan-unfiltered";
  }

  @Override
  public long build(VectorSource base, Metric metric, DiskBuildParams params, Path dir, BuildProgress progress)
      throws IOException {
    try (FvecsWriter w = new FvecsWriter(dir.resolve(FILE))) {
      for (int i = 0; i < base.size(); i++) {
        w.write(base.vector(i));
      }
      w.commit();
    }
    return QuiverDiskEngines.directoryBytes(dir);
  }

  @Override
  public void open(Path dir, Metric metric) throws IOException {
    vectors = FvecsFile.open(dir.resolve(FILE));
  }

  @Override
  public int[] search(float[] query, int k, int listSize) {
    return scan(query, k, null);
  }

  @Override
  public int[] search(float[] query, int k, int listSize, RowFilter filter) {
    if (!filters) {
      return DiskEngine.super.search(query, k, listSize, filter);
    }
    return scan(query, k, filter);
  }

  private int[] scan(float[] query, int k, RowFilter filter) {
    LongHeap heap = new LongHeap(k + 1);
    for (int i = 0; i < vectors.size(); i++) {
      if (filter != null && !filter.accept(i)) {
        continue;
      }
      long packed = ScoredOrdinals.pack(Metric.L2.distance(query, vectors.vector(i)), i);
      if (heap.size() < k) {
        heap.push(~packed);
      } else if (packed < ~heap.peek()) {
        heap.replaceTop(~packed);
      }
    }
    reads.addAndGet(vectors.size());
    int[] out = new int[heap.size()];
    for (int r = out.length - 1; r >= 0; r--) {
      out[r] = ScoredOrdinals.ordinal(~heap.pop());
    }
    return out;
  }

  @Override
  public long ramBytes() {
    return 0;
  }

  @Override
  public long logicalReads() {
    return reads.get();
  }

  @Override
  public void close() {
    if (vectors != null) {
      vectors.close();
    }
  }
}
