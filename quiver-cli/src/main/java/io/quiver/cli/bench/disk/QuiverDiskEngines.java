package io.quiver.cli.bench.disk;

import io.quiver.distance.Metric;
import io.quiver.index.BuildProgress;
import io.quiver.index.SearchParams;
import io.quiver.index.VectorSource;
import io.quiver.index.disk.DiskFilteredSearch;
import io.quiver.index.disk.DiskIndex;
import io.quiver.index.disk.DiskIndexConfig;
import io.quiver.index.disk.DiskSearchParams;
import io.quiver.index.hnsw.HnswConfig;
import io.quiver.index.hnsw.HnswIndex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;

/** Quiver's engines for bench-disk: its disk index, and in-RAM HNSW as the baseline. */
public final class QuiverDiskEngines {
  private QuiverDiskEngines() {}

  /** {@code quiver-disk}: {@link DiskIndex}, graph on disk, compact codes in RAM. */
  public static final class QuiverDisk implements DiskEngineProvider {
    @Override
    public String name() {
      return "quiver-disk";
    }

    @Override
    public boolean supports(Metric metric) {
      return true;
    }

    @Override
    public DiskEngine create() {
      return new DiskIndexEngine();
    }
  }

  /** {@code quiver-hnsw}: {@link HnswIndex} with graph and vectors on the heap; the list size is ef. */
  public static final class QuiverHnsw implements DiskEngineProvider {
    @Override
    public String name() {
      return "quiver-hnsw";
    }

    @Override
    public boolean supports(Metric metric) {
      return true;
    }

    @Override
    public DiskEngine create() {
      return new HnswEngine();
    }
  }

  private static final class DiskIndexEngine implements DiskEngine {
    private static final String FILE = "index" + DiskIndex.EXTENSION;
    private DiskIndex index;
    private DiskSearchOptions options = new DiskSearchOptions(DiskSearchParams.DEFAULT.beamWidth(), 10);
    private DiskFilteredSearch planner = DiskFilteredSearch.DEFAULT;

    @Override
    public String name() {
      return "quiver-disk";
    }

    @Override
    public long build(VectorSource base, Metric metric, DiskBuildParams params, Path dir, BuildProgress progress)
        throws IOException {
      DiskIndexConfig.GraphKind kind = DiskIndexConfig.GraphKind.valueOf(params.graph().toUpperCase(Locale.ROOT));
      DiskIndexConfig.Builder config = DiskIndexConfig.builder().graph(kind).maxDegree(params.maxDegree())
          .buildListSize(params.buildListSize()).threads(params.threads()).seed(params.seed());
      if (!Float.isNaN(params.alphaOr(Float.NaN))) {
        config.alpha(params.alpha());
      }
      DiskIndex.build(base, metric, config.build(), dir.resolve(FILE), progress);
      return directoryBytes(dir);
    }

    @Override
    public void open(Path dir, Metric metric) throws IOException {
      index = DiskIndex.open(dir.resolve(FILE));
    }

    @Override
    public void searchOptions(DiskSearchOptions options) {
      this.options = options;
      planner = switch (options.filterPlan()) {
        case "scan" -> DiskFilteredSearch.builder().force(DiskFilteredSearch.Strategy.SCAN_CODES).build();
        case "walk" -> DiskFilteredSearch.builder().force(DiskFilteredSearch.Strategy.WALK).build();
        default -> DiskFilteredSearch.DEFAULT;
      };
    }

    @Override
    public int[] search(float[] query, int k, int listSize) {
      DiskSearchParams p = options.params(listSize);
      return index.search(query, k, p, null).ordinals();
    }

    @Override
    public int[] search(float[] query, int k, int listSize, RowFilter filter) {
      DiskSearchParams p = options.params(listSize);
      return planner.search(index, query, k, p, filter.bits(), filter.rows(), filter.count()).ordinals();
    }

    @Override
    public long ramBytes() {
      return index.ramBytesUsed();
    }

    @Override
    public long logicalReads() {
      return index.blocksRead();
    }

    @Override
    public void close() {
      if (index != null) {
        index.close();
        index = null;
      }
    }
  }

  private static final class HnswEngine implements DiskEngine {
    private static final String NAME = "index";
    private HnswIndex index;

    @Override
    public String name() {
      return "quiver-hnsw";
    }

    @Override
    public long build(VectorSource base, Metric metric, DiskBuildParams params, Path dir, BuildProgress progress)
        throws IOException {
      HnswConfig config = HnswConfig.builder().m(Math.max(2, params.maxDegree() / 2))
          .efConstruction(params.buildListSize()).alpha(params.alphaOr(HnswConfig.DEFAULT.alpha()))
          .seed(params.seed()).build();
      try (HnswIndex built = new HnswIndex(base.dimension(), metric, config)) {
        built.addAll(base, params.threads(), progress);
        built.connectLevel0(); // as sealing a segment does
        built.save(dir, NAME);
      }
      return directoryBytes(dir);
    }

    @Override
    public void open(Path dir, Metric metric) throws IOException {
      index = HnswIndex.open(dir, NAME, false);
    }

    @Override
    public int[] search(float[] query, int k, int listSize) {
      return index.search(query, k, SearchParams.ef(Math.max(k, listSize)), null).ordinals();
    }

    @Override
    public int[] search(float[] query, int k, int listSize, RowFilter filter) {
      return index.search(query, k, SearchParams.ef(Math.max(k, listSize)), filter.bits()).ordinals();
    }

    @Override
    public long ramBytes() {
      return index.ramBytesUsed();
    }

    @Override
    public void close() {
      if (index != null) {
        index.close();
        index = null;
      }
    }
  }

  /** Bytes of the regular files under {@code dir}. */
  static long directoryBytes(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(f -> {
        try {
          return Files.size(f);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }).sum();
    }
  }
}
