package io.quiver.agent.bench;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.quiver.Quiver;
import io.quiver.agent.AgentMemory;
import io.quiver.agent.causal.CausalNode;
import io.quiver.agent.embed.TokenHashEmbedder;
import io.quiver.agent.episode.EpisodeFilter;
import io.quiver.agent.episode.EpisodeFixtures;
import io.quiver.agent.episode.EpisodeStore;
import io.quiver.agent.episode.NewEpisode;
import io.quiver.agent.recall.CausalRecall;
import io.quiver.agent.recall.RecallRequest;
import io.quiver.agent.recall.UpliftSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Store throughput and query latency of the episode store; runs only with {@code -Dagent.bench=true} (it takes
 * minutes and asserts nothing). {@code -Dagent.bench.n} episodes (default 100,000) of 384 dimensions with the
 * token-hash embedder are stored in durable batches of 1,000; then random filtered retrievals (k 5), unfiltered
 * retrievals and causal recalls (k 12) are timed with the query already embedded, and embedding is timed apart;
 * each retrieval and recall is timed again right after with the plain exact scan ({@link #PLAIN_SCAN}).
 * Then {@code -Dagent.bench.edges} (default 1,000) causal edges from random episodes are added and AgentMemory's
 * recall is timed two ways, interleaved query by query: with the graph listing every episode's non-zero uplift, and
 * with the same uplifts asked episode by episode under the default bound.
 */
class EpisodeStoreBench {
  /** Quiver's switch back to the plain exact scan (BoundedScan.OFF), for the interleaved comparison. */
  private static final String PLAIN_SCAN = "quiver.scan.bounded.off";

  @Test
  void run() throws Exception {
    assumeTrue(Boolean.getBoolean("agent.bench"), "set -Dagent.bench=true to run");
    int n = Integer.getInteger("agent.bench.n", 100_000);
    int queries = Integer.getInteger("agent.bench.queries", 2_000);
    Random r = new Random(42);
    TokenHashEmbedder embedder = TokenHashEmbedder.create();
    long base = 1_700_000_000L;
    List<NewEpisode> all = EpisodeFixtures.episodes(r, n, base);
    Path dir = Files.createTempDirectory("episode-bench");
    try (Quiver db = Quiver.open(dir); AgentMemory memory = AgentMemory.within(db, embedder)) {
      EpisodeStore store = memory.episodes();
      long t0 = System.nanoTime();
      embedder.embed(all.stream().map(NewEpisode::task).toList());
      long embedNs = System.nanoTime() - t0;
      t0 = System.nanoTime();
      for (int i = 0; i < n; i += 1000) {
        store.storeBatch(all.subList(i, Math.min(n, i + 1000)));
      }
      long storeNs = System.nanoTime() - t0;
      print("stored %d episodes in batches of 1000 (durable, fsync per batch): %.0f episodes/s including "
          + "embedding; embedding alone %.0f texts/s (%.1f s of %.1f s)", n, n / (storeNs / 1e9),
          n / (embedNs / 1e9), embedNs / 1e9, storeNs / 1e9);

      List<String> texts = new ArrayList<>();
      List<float[]> vectors = new ArrayList<>();
      List<EpisodeFilter> filters = new ArrayList<>();
      for (int q = 0; q < queries; q++) {
        texts.add(EpisodeFixtures.task(r));
        filters.add(EpisodeFixtures.filter(r, base));
      }
      t0 = System.nanoTime();
      for (String t : texts) {
        vectors.add(store.embed(t));
      }
      print("query embedding: %.1f us per query", (System.nanoTime() - t0) / 1e3 / queries);
      int edges = Integer.getInteger("agent.bench.edges", 1_000);
      for (int i = 0; i < edges; i++) {
        memory.causal().add(CausalNode.memory("episode", 1 + r.nextInt(n)), CausalNode.event("outcome-" + (i % 10)),
            r.nextDouble() * 2 - 1, 0.5 + r.nextDouble() / 2, 10);
      }
      UpliftSource graph = memory.recall().upliftSource();
      UpliftSource oneByOne = graph::uplift; // the same uplifts, asked episode by episode and only bounded
      int graphQueries = Integer.getInteger("agent.bench.graph.queries", 40);
      for (int round = 0; round < 2; round++) { // the first round warms the JIT
        long[] filtered = new long[queries];
        long[] unfiltered = new long[queries];
        long[] filteredPlain = new long[queries];
        long[] unfilteredPlain = new long[queries];
        long[] recall = new long[queries / 4];
        long[] recallPlain = new long[queries / 4];
        CausalRecall causal = new CausalRecall(store, UpliftSource.NONE);
        for (int q = 0; q < queries; q++) {
          long s = System.nanoTime();
          store.nearest(vectors.get(q), 5, filters.get(q));
          filtered[q] = System.nanoTime() - s;
          s = System.nanoTime();
          store.nearest(vectors.get(q), 5, EpisodeFilter.ALL);
          unfiltered[q] = System.nanoTime() - s;
          System.setProperty(PLAIN_SCAN, "true"); // the same queries, interleaved, with the plain exact scan
          s = System.nanoTime();
          store.nearest(vectors.get(q), 5, filters.get(q));
          filteredPlain[q] = System.nanoTime() - s;
          s = System.nanoTime();
          store.nearest(vectors.get(q), 5, EpisodeFilter.ALL);
          unfilteredPlain[q] = System.nanoTime() - s;
          System.clearProperty(PLAIN_SCAN);
        }
        long recallCandidates = 0;
        for (int q = 0; q < recall.length; q++) {
          long s = System.nanoTime();
          recallCandidates += causal.recall(RecallRequest.of(texts.get(q))).certificate().candidates();
          recall[q] = System.nanoTime() - s;
          System.setProperty(PLAIN_SCAN, "true");
          s = System.nanoTime();
          causal.recall(RecallRequest.of(texts.get(q)));
          recallPlain[q] = System.nanoTime() - s;
          System.clearProperty(PLAIN_SCAN);
        }
        long[] listed = new long[graphQueries];
        long[] single = new long[graphQueries];
        CausalRecall byList = new CausalRecall(store, graph);
        CausalRecall bySingle = new CausalRecall(store, oneByOne);
        int listedCandidates = 0;
        int singleCandidates = 0;
        for (int q = 0; q < graphQueries; q++) { // interleaved: the machine's load changes under both alike
          long s = System.nanoTime();
          listedCandidates += byList.recall(RecallRequest.of(texts.get(q))).certificate().candidates();
          listed[q] = System.nanoTime() - s;
          s = System.nanoTime();
          singleCandidates += bySingle.recall(RecallRequest.of(texts.get(q))).certificate().candidates();
          single[q] = System.nanoTime() - s;
        }
        if (round == 1) {
          report("retrieve k=5, random filters", filtered);
          report("retrieve k=5, no filter", unfiltered);
          report("retrieve k=5, random filters, plain exact scan", filteredPlain);
          report("retrieve k=5, no filter, plain exact scan", unfilteredPlain);
          report("recall k=12 (embedding included), mean candidates " + recallCandidates / recall.length, recall);
          report("recall k=12 (embedding included), plain exact scan", recallPlain);
          report("recall k=12 with " + edges + " episode edges, uplifts listed (AgentMemory), mean candidates "
              + listedCandidates / graphQueries, listed);
          report("recall k=12 with " + edges + " episode edges, uplifts asked one by one, mean candidates "
              + singleCandidates / graphQueries, single);
        }
      }
    }
  }

  private static void report(String what, long[] ns) {
    long[] s = ns.clone();
    Arrays.sort(s);
    print("%s: p50 %.2f ms, p99 %.2f ms, max %.2f ms (%d queries)", what, s[s.length / 2] / 1e6,
        s[(int) (s.length * 0.99)] / 1e6, s[s.length - 1] / 1e6, s.length);
  }

  private static void print(String format, Object... args) {
    System.out.println("[bench] " + String.format(Locale.ROOT, format, args));
  }
}
