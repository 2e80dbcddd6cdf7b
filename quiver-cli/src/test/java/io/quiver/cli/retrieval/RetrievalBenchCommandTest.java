package io.quiver.cli.retrieval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RetrievalBenchCommandTest {
  @TempDir Path dir;

  private static final String[] TOPICS = {"aerofoil turbulence", "protein folding", "glacier melting",
      "volcanic eruption", "quantum entanglement", "coral bleaching"};

  /** Six documents on distinct topics, a query per topic, 2-d vectors on distinct angles. */
  private void writeSet(Path d) throws IOException {
    Files.createDirectories(d.resolve("qrels"));
    List<String> corpus = new ArrayList<>();
    List<String> queries = new ArrayList<>();
    List<String> qrels = new ArrayList<>(List.of("query-id\tcorpus-id\tscore"));
    ByteBuffer base = ByteBuffer.allocate(TOPICS.length * 12).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer query = ByteBuffer.allocate(TOPICS.length * 12).order(ByteOrder.LITTLE_ENDIAN);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < TOPICS.length; i++) {
      corpus.add("{\"_id\":\"d" + i + "\",\"title\":\"On " + TOPICS[i] + "\",\"text\":\"A study of " + TOPICS[i]
          + " and its causes.\"}");
      queries.add("{\"_id\":\"q" + i + "\",\"text\":\"what drives " + TOPICS[i] + "?\"}");
      qrels.add("q" + i + "\td" + i + "\t1");
      ids.add("d" + i);
      double a = i * 0.5;
      for (ByteBuffer b : List.of(base, query)) {
        b.putInt(2).putFloat((float) Math.cos(a)).putFloat((float) Math.sin(a));
      }
    }
    Files.write(d.resolve("corpus.jsonl"), corpus);
    Files.write(d.resolve("queries.jsonl"), queries);
    Files.write(d.resolve("qrels").resolve("test.tsv"), qrels);
    Files.write(d.resolve("base.fvecs"), base.array());
    Files.write(d.resolve("query.fvecs"), query.array());
    Files.write(d.resolve("base_doc_ids.txt"), ids);
    Files.write(d.resolve("query_ids.txt"), List.of("q0", "q1", "q2", "q3", "q4", "q5"));
  }

  @Test
  void everyMethodFindsTheOnlyRelevantDocumentFirst() throws Exception {
    Path set = dir.resolve("topics");
    writeSet(set);
    StringWriter out = new StringWriter();
    CommandLine cmd = new CommandLine(new RetrievalBenchCommand());
    cmd.setOut(new PrintWriter(out, true));
    assertThat(cmd.execute(set.toString())).as(out.toString()).isZero();
    String report = out.toString();
    assertThat(report).contains("topics: 6 documents, 6 judged queries, dense vectors of 2 dimensions");
    assertAllFirst(report, 10);
  }

  @Test
  void withoutVectorsDenseComesFromMiniLmDocuments() throws Exception {
    Path set = dir.resolve("topics");
    writeSet(set);
    for (String f : List.of("base.fvecs", "query.fvecs", "base_doc_ids.txt", "query_ids.txt")) {
      Files.delete(set.resolve(f));
    }
    StringWriter out = new StringWriter();
    CommandLine cmd = new CommandLine(new RetrievalBenchCommand());
    cmd.setOut(new PrintWriter(out, true));
    assertThat(cmd.execute(set.toString())).as(out.toString()).isZero();
    String report = out.toString();
    assertThat(report).contains("topics: 6 documents, 6 judged queries, no vectors: dense by "
        + "sentence-transformers/all-MiniLM-L6-v2 Documents");
    assertAllFirst(report, 10);
  }

  /**
   * Every method row ranks each query's one relevant document first, but the recipe: its feedback query averages in
   * the first pass's top 3 of 6 documents, 2 of them off-topic, so it only has to keep every relevant document.
   */
  private static void assertAllFirst(String report, int methods) {
    List<String> rows = report.lines().filter(l -> l.startsWith("bm25") || l.startsWith("dense")
        || l.startsWith("rrf") || l.startsWith("dbsf") || l.startsWith("recipe")).toList();
    assertThat(rows).as(report).hasSize(methods);
    for (String row : rows) {
      String[] f = row.trim().split("\\s+");
      // nDCG@10 and recall@100 are the third and second last columns
      assertThat(Double.parseDouble(f[f.length - 3])).as(row).isGreaterThanOrEqualTo(row.startsWith("recipe") ? 0.5
          : 1.0);
      assertThat(Double.parseDouble(f[f.length - 2])).as(row).isEqualTo(1.0);
    }
  }

  @Test
  void unknownGainIsAUsageError() {
    StringWriter err = new StringWriter();
    CommandLine cmd = new CommandLine(new RetrievalBenchCommand());
    cmd.setErr(new PrintWriter(err, true));
    assertThat(cmd.execute("--gain", "grade", dir.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("expected score or 5-minus-grade");
  }

  @Test
  void metricsFollowPytrecEval() {
    Map<String, Integer> gains = Map.of("a", 2, "b", 1, "c", 1);
    // ranked b, x, a: dcg = 1/log2(2) + 2/log2(4) = 2; ideal a, b, c: 2 + 1/log2(3) + 1/log2(4)
    double ideal = 2 + 1 / (Math.log(3) / Math.log(2)) + 0.5;
    assertThat(RankingMetrics.ndcgAt10(List.of("b", "x", "a"), gains)).isCloseTo(2 / ideal, within(1e-12));
    assertThat(RankingMetrics.recallAt100(List.of("b", "x", "a"), gains)).isCloseTo(2.0 / 3, within(1e-12));
    List<String> late = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      late.add("n" + i);
    }
    late.add("a");
    assertThat(RankingMetrics.ndcgAt10(late, gains)).isZero();
    assertThat(RankingMetrics.recallAt100(late, gains)).as("the 101st is not counted").isZero();
  }
}
