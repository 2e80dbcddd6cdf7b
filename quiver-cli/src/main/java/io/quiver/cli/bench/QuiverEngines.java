package io.quiver.cli.bench;

import io.quiver.distance.Metric;
import io.quiver.index.BuildProgress;
import io.quiver.index.SearchParams;
import io.quiver.index.SearchResult;
import io.quiver.index.VectorIndex;
import io.quiver.index.VectorSource;
import io.quiver.index.flat.FlatIndex;
import io.quiver.index.hnsw.HnswConfig;
import io.quiver.index.hnsw.HnswIndex;
import java.util.Locale;

/** Quiver's own indexes as bench engines. */
public final class QuiverEngines {
  private QuiverEngines() {}

  /** {@code --index hnsw}. */
  public static final class Hnsw implements AnnEngineProvider {
    @Override
    public String name() {
      return "hnsw";
    }

    @Override
    public boolean supports(Metric metric) {
      return true;
    }

    @Override
    public AnnEngine create() {
      return new IndexEngine("quiver-hnsw") {
        @Override
        VectorIndex newIndex(int dim, Metric metric, BuildParams p) {
          return new HnswIndex(dim, metric, HnswConfig.builder().m(p.m()).efConstruction(p.efConstruction()).alpha(p.alpha()).build());
        }
      };
    }
  }

  /** {@code --index flat}: exact search, the baseline. */
  public static final class Flat implements AnnEngineProvider {
    @Override
    public String name() {
      return "flat";
    }

    @Override
    public boolean supports(Metric metric) {
      return true;
    }

    @Override
    public AnnEngine create() {
      return new IndexEngine("quiver-flat") {
        @Override
        VectorIndex newIndex(int dim, Metric metric, BuildParams p) {
          return new FlatIndex(dim, metric);
        }
      };
    }
  }

  private abstract static class IndexEngine implements AnnEngine {
    private final String name;
    private VectorIndex index;
    private long computations;

    IndexEngine(String name) {
      this.name = name;
    }

    abstract VectorIndex newIndex(int dim, Metric metric, BuildParams params);

    @Override
    public String name() {
      return name;
    }

    @Override
    public void build(float[][] base, Metric metric, BuildParams params, BuildProgress progress) {
      index = newIndex(base[0].length, metric, params);
      index.addAll(VectorSource.of(base), params.threads(), progress);
      if (index instanceof HnswIndex hnsw) { // as sealing a segment does
        int stranded = hnsw.unreachableOnLevel0().length;
        long start = System.nanoTime();
        int links = hnsw.connectLevel0();
        long repairMillis = (System.nanoTime() - start) / 1_000_000;
        System.err.printf(Locale.ROOT, "%s: %d of %d nodes unreachable on level 0 after the build,"
            + " linked back with %d links in %d ms, %d left%n", name, stranded, base.length, links, repairMillis,
            hnsw.unreachableOnLevel0().length);
      }
    }

    @Override
    public int[] search(float[] query, int k, int ef) {
      SearchResult r = index.search(query, k, SearchParams.ef(ef), null);
      computations += r.distanceComputations();
      return r.ordinals();
    }

    @Override
    public long distanceComputations() {
      return computations;
    }

    @Override
    public long ramBytesUsed() {
      return index.ramBytesUsed();
    }

    @Override
    public void close() {
      index.close();
    }
  }
}
