package io.quiver.cli.bench.disk;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.Quiver;
import io.quiver.collection.Collection;
import io.quiver.collection.CollectionConfig;
import io.quiver.collection.CollectionInfo;
import io.quiver.collection.VectorParams;
import io.quiver.distance.Metric;
import io.quiver.index.hnsw.HnswConfig;
import io.quiver.payload.FieldSchema;
import io.quiver.storage.AtomicFiles;
import io.quiver.storage.wal.Durability;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code quiver bench-disk-updates}: a collection whose vector field has disk segments, loaded with N points sealed
 * into one disk segment, then durable upserts and deletes beside it while searches run, then the flush and the
 * optimizer's merge of the big segment with the new one (FreshDiskANN's streaming merge into its graph), then recall
 * and QPS over the final points. All through the embedded API.
 */
@Command(name = "bench-disk-updates", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Durable upserts and deletes beside a large disk segment while searching, then the merge.",
        "One JSON object per phase (load, update, merge, search) with --json."})
public final class BenchDiskUpdatesCommand implements Callable<Integer> {

  @Option(names = "--synthetic", required = true, paramLabel = "N",
      description = "Base points: bench-disk's generated vectors for the seed.")
  int n;

  @Option(names = "--dim", description = "Dimension. Default: ${DEFAULT-VALUE}.")
  int dim = 128;

  @Option(names = "--metric", paramLabel = "l2|cosine|dot", description = "Distance. Default: ${DEFAULT-VALUE}.")
  String metric = "l2";

  @Option(names = "--seed", description = "Seed of the data. Default: ${DEFAULT-VALUE}.")
  long seed = 42;

  @Option(names = "--updates", paramLabel = "U", description = "New points upserted (held-out draws of the same"
      + " mixture). Default: N / 10.")
  Integer updates;

  @Option(names = "--deletes", paramLabel = "D", description = "Base points deleted. Default: N / 10.")
  Integer deletes;

  @Option(names = "--writers", description = "Upserting threads. Default: ${DEFAULT-VALUE}.")
  int writers = 2;

  @Option(names = "--batch", description = "Points per upsert call and ids per delete call."
      + " Default: ${DEFAULT-VALUE}.")
  int batch = 256;

  @Option(names = "--search-threads", description = "Threads searching throughout the update phase."
      + " Default: ${DEFAULT-VALUE}.")
  int searchThreads = 1;

  @Option(names = "--k", description = "Neighbours per search. Default: ${DEFAULT-VALUE}.")
  int k = 10;

  @Option(names = "--ef", description = "Search list size (disk segments' L, the mutable segment's ef)."
      + " Default: ${DEFAULT-VALUE}.")
  int ef = 128;

  @Option(names = "--queries", paramLabel = "Q", description = "Queries (bench-disk's for the seed): the update"
      + " phase's searches cycle through them; the final search runs each. Default: ${DEFAULT-VALUE}.")
  int queries = 200;

  @Option(names = "--recall-samples", description = "Update-phase searches whose recall is computed (evenly"
      + " spaced). Default: ${DEFAULT-VALUE}.")
  int recallSamples = 200;

  @Option(names = "--delete-checks", description = "Searches with deleted vectors after each delete batch."
      + " Default: ${DEFAULT-VALUE}.")
  int deleteChecks = 4;

  @Option(names = "--m", description = "HNSW M of the field (the disk graph's degree is 2M)."
      + " Default: ${DEFAULT-VALUE}.")
  int m = 16;

  @Option(names = "--ef-construction", description = "HNSW efConstruction. Default: ${DEFAULT-VALUE}.")
  int efConstruction = 100;

  @Option(names = "--indexing-lag", description = "Points left unindexed while writes stream (the collection's"
      + " indexingLag; 0: index at once). Default: ${DEFAULT-VALUE}.")
  int indexingLag;

  @Option(names = "--merge-timeout", paramLabel = "SECONDS", description = "Longest wait for the merge."
      + " Default: ${DEFAULT-VALUE}.")
  double mergeTimeout = 900;

  @Option(names = "--dir", paramLabel = "DIR", description = "Keep the loaded base in DIR/base and reuse it when"
      + " run again with the same data and index options; each run works on a copy in DIR/work."
      + " Default: a temporary directory, deleted afterwards.")
  Path dir;

  @Option(names = "--json", paramLabel = "FILE", description = "Append the JSON objects to FILE.")
  Path json;

  @Spec
  CommandSpec spec;

  private final ObjectMapper mapper = new ObjectMapper();
  private final PrintStream log = System.err;

  @Override
  public Integer call() throws Exception {
    int updateCount = updates == null ? n / 10 : updates;
    int deleteCount = deletes == null ? n / 10 : deletes;
    validate(updateCount, deleteCount);
    Metric met = Metric.parse(metric);
    log.printf(Locale.ROOT, "generating %,d x %d base, %,d update vectors and %,d queries (seed %d)...%n", n, dim,
        updateCount, queries, seed);
    UpdateData data = UpdateData.generate(n, updateCount, deleteCount, dim, met, seed, queries);
    boolean temporary = dir == null;
    Path root = temporary ? Files.createTempDirectory("quiver-bench-disk-updates-") : dir;
    try {
      run(root.resolve("work"), data, met);
    } finally {
      if (temporary) {
        AtomicFiles.deleteTree(root);
      }
    }
    return 0;
  }

  private void validate(int updateCount, int deleteCount) {
    if (n < 1 || dim < 1) {
      throw new ParameterException(spec.commandLine(), "--synthetic and --dim must be >= 1");
    }
    if (updateCount < 0 || updateCount > n || deleteCount < 0 || deleteCount > n) {
      throw new ParameterException(spec.commandLine(), "--updates and --deletes must be in 0..N (" + n
          + "): the base and the updates are merged into one segment of at most 2N points");
    }
    if (writers < 1 || batch < 1 || searchThreads < 0 || k < 1 || ef < 0 || queries < 1 || recallSamples < 0
        || deleteChecks < 0 || m < 2 || efConstruction < 1 || indexingLag < 0 || !(mergeTimeout > 0)) {
      throw new ParameterException(spec.commandLine(), "--writers, --batch, --k, --queries, --m, --ef-construction"
          + " and --merge-timeout must be >= 1; --search-threads, --ef, --recall-samples, --delete-checks and"
          + " --indexing-lag >= 0");
    }
  }

  /**
   * The collection: a disk-segment field, durable writes, "b" indexed; a mutable segment seals at 2N points (never
   * during a run) and every sealed segment under 2N + 1 live points may merge, so the big segment and the sealed
   * updates merge after the final flush.
   */
  private CollectionConfig config(Metric met) {
    HnswConfig hnsw = HnswConfig.builder().m(m).efConstruction(efConstruction).build();
    int seal = (int) Math.min(Integer.MAX_VALUE - 1, 2L * n);
    return CollectionConfig.builder().vector(VectorParams.of(dim, met).withHnsw(hnsw).withDiskIndex(true))
        .durability(Durability.FSYNC).sealThreshold(seal).mergeThreshold(seal + 1).indexingLag(indexingLag)
        .payloadIndex("b", FieldSchema.INTEGER).build();
  }

  private void run(Path work, UpdateData data, Metric met) throws Exception {
    CollectionConfig config = config(met);
    ObjectNode identity = mapper.createObjectNode();
    identity.put("data", SyntheticClusters.VERSION);
    identity.put("n", n);
    identity.put("dim", dim);
    identity.put("metric", met.name());
    identity.put("seed", seed);
    identity.put("m", m);
    identity.put("ef_construction", efConstruction);
    identity.put("indexing_lag", indexingLag);
    UpdateReport report = new UpdateReport(mapper, System.out, json, n, dim, data.updates().length,
        data.deleteOrder().length, writers);
    UpdateBase.Loaded loaded = UpdateBase.prepare(dir, work, data, config, identity, writers, batch, log);
    try (Quiver db = Quiver.open(work)) {
      Collection c = db.collection(UpdateBase.COLLECTION);
      CollectionInfo info = c.info();
      ObjectNode load = report.row("load");
      load.put("load_s", loaded.loadSeconds());
      load.put("seal_s", loaded.sealSeconds());
      load.put("load_points_per_s", n / loaded.loadSeconds());
      load.put("reused", loaded.reused());
      load.put("copy_s", loaded.copySeconds());
      putInfo(load, c);
      report.emit(load, String.format(Locale.ROOT, "%,d points loaded in %.1f s, sealed in %.1f s%s; %d segments",
          info.points(), loaded.loadSeconds(), loaded.sealSeconds(), loaded.reused() ? " (an earlier run's)" : "",
          info.segments()));

      UpdatePhase.Settings settings = new UpdatePhase.Settings(writers, batch, searchThreads, k, ef, deleteChecks);
      log.printf(Locale.ROOT, "update phase: %d writers upsert %,d points, 1 deleter deletes %,d, %d search"
          + " threads...%n", writers, data.updates().length, data.deleteOrder().length, searchThreads);
      UpdatePhase.Result r = UpdatePhase.run(c, data, settings);
      double recall = UpdatePhase.recall(r, data, k, batch, recallSamples);
      report.emit(report.updateRow(r, recall, Math.min(recallSamples, r.searches().size()), ef, batch,
          searchThreads, c, this::putInfo), null);

      log.println("flushing, then waiting for the optimizer's merge...");
      MergeWait.Outcome mo = MergeWait.flushAndAwait(c, mergeTimeout);
      ObjectNode merge = report.row("merge");
      merge.put("flush_s", mo.flushSeconds());
      merge.put("merge_s", mo.mergeSeconds());
      merge.put("merge_finished", mo.finished());
      merge.put("merges", mo.merges());
      merge.put("vacuums", mo.vacuums());
      merge.put("graph_merges", mo.graphMerges());
      putInfo(merge, c);
      report.emit(merge, String.format(Locale.ROOT, "flush %.1f s; %s %.1f s after the flush started; graph"
          + " merges %d (%s)", mo.flushSeconds(), mo.finished() ? (mo.vacuums() > 0 ? "vacuum done" : "merge done")
          : "no merge finished", mo.mergeSeconds(), mo.graphMerges(), mo.graphMerges() > 0
          ? "merged into the big segment's graph" : "rebuilt or none"));

      FinalSearch.Result fr = FinalSearch.run(c, data, k, ef);
      ObjectNode search = report.row("search");
      UpdateReport.number(search, "recall10", fr.recall());
      search.put("qps", fr.qps());
      search.put("queries", fr.queries());
      search.put("ef", ef);
      search.put("recall_method", "exact top-" + k + " over the final live points (brute force)");
      putInfo(search, c);
      report.emit(search, String.format(Locale.ROOT, "after the merge: recall@%d %.4f at ef %d, %,.0f QPS"
          + " (1 thread, %d queries, best of 3 passes)", k, fr.recall(), ef, fr.qps(), fr.queries()));
    }
  }

  private void putInfo(ObjectNode row, Collection c) {
    CollectionInfo info = c.info();
    row.put("points", info.points());
    row.put("segments", info.segments());
    row.put("heap_bytes", info.heapBytes());
    row.put("mapped_bytes", info.mappedBytes());
    Runtime rt = Runtime.getRuntime();
    row.put("jvm_heap_used_bytes", rt.totalMemory() - rt.freeMemory());
  }
}
