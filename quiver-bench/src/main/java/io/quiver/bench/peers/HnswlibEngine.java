package io.quiver.bench.peers;

import com.github.jelmerk.hnswlib.core.DistanceFunction;
import com.github.jelmerk.hnswlib.core.DistanceFunctions;
import com.github.jelmerk.hnswlib.core.Item;
import com.github.jelmerk.hnswlib.core.SearchResult;
import com.github.jelmerk.hnswlib.core.hnsw.HnswIndex;
import io.quiver.cli.bench.AnnEngine;
import io.quiver.cli.bench.BuildParams;
import io.quiver.distance.Metric;
import io.quiver.index.BuildProgress;
import java.util.ArrayList;
import java.util.List;

/**
 * hnswlib-java (jelmerk), a pure-Java port of hnswlib, with its own distance functions (plain scalar Java loops; the
 * library has no SIMD path).
 *
 * <p>Build: {@code HnswIndex.newBuilder(dim, distance, n).withM(m).withEfConstruction(efC).withEf(efC).build()} and
 * {@code addAll(items, threads, listener, interval)}; hnswlib keeps {@code 2M} neighbours at level 0.
 *
 * <p>Search: {@code setEf(ef)} then {@code findNearest(query, k)}: the beam is {@code max(ef, k)} and the best
 * {@code k} come back. hnswlib-java's {@code setEf} writes a plain field shared by all searching threads, which is
 * fine for the harness (one search thread per engine).
 *
 * <p>Metrics: L2 uses {@code FLOAT_EUCLIDEAN_DISTANCE} (the square root does not change the ranking); DOT uses
 * {@code FLOAT_INNER_PRODUCT} ({@code 1 - a.b}); COSINE normalises vectors and queries and uses
 * {@code FLOAT_INNER_PRODUCT}, as the other engines do, rather than {@code FLOAT_COSINE_DISTANCE}, which would
 * recompute both norms on every distance (same ranking, about three times the arithmetic); L1 uses
 * {@code FLOAT_MANHATTAN_DISTANCE}.
 */
final class HnswlibEngine implements AnnEngine {

  /** One base vector as hnswlib-java wants it; the id is the row number. */
  record Row(Integer id, float[] vector) implements Item<Integer, float[]> {
    @Override
    public int dimensions() {
      return vector.length;
    }
  }

  private Metric metric;
  private HnswIndex<Integer, float[], Row, Float> index;

  static DistanceFunction<float[], Float> distance(Metric metric) {
    return switch (metric) {
      case L2 -> DistanceFunctions.FLOAT_EUCLIDEAN_DISTANCE;
      case DOT, COSINE -> DistanceFunctions.FLOAT_INNER_PRODUCT;
      case L1 -> DistanceFunctions.FLOAT_MANHATTAN_DISTANCE;
    };
  }

  @Override
  public String name() {
    return "hnswlib-java";
  }

  @Override
  public String version() {
    return PeerSupport.libraryVersion(HnswIndex.class, "com.github.jelmerk", "hnswlib-core", "hnswlib");
  }

  @Override
  public void build(float[][] base, Metric metric, BuildParams params, BuildProgress progress) throws Exception {
    this.metric = metric;
    int dim = PeerSupport.dimension(base);
    int n = base.length;
    float[][] data = PeerSupport.prepare(base, metric);
    List<Row> rows = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      rows.add(new Row(i, data[i]));
    }
    index = HnswIndex.newBuilder(dim, distance(metric), n)
        .withM(params.m())
        .withEfConstruction(params.efConstruction())
        .withEf(params.efConstruction())
        .build();
    int threads = Math.max(1, params.threads());
    int interval = Math.max(1, n / 200);
    index.addAll(rows, threads, (done, max) -> progress.update(done, max), interval);
  }

  @Override
  public int[] search(float[] query, int k, int ef) {
    float[] q = PeerSupport.prepareQuery(query, metric);
    if (index.getEf() != ef) {
      index.setEf(ef);
    }
    List<SearchResult<Row, Float>> results = index.findNearest(q, k); // best first
    int[] ids = new int[results.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = results.get(i).item().id();
    }
    return ids;
  }

  @Override
  public void close() {
    index = null;
  }
}
