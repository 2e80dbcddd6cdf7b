package io.quiver.cli.retrieval;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ConformalBenchCommandTest {
  private static final int N = 60;

  @TempDir Path dir;

  /** N documents at random angles, a query near each (within 0.2 rad), the document its only relevant one. */
  private static void writeSet(Path d, Random rnd) throws IOException {
    Files.createDirectories(d.resolve("qrels"));
    List<String> corpus = new ArrayList<>();
    List<String> queries = new ArrayList<>();
    List<String> qrels = new ArrayList<>(List.of("query-id\tcorpus-id\tscore"));
    List<String> docIds = new ArrayList<>();
    List<String> queryIds = new ArrayList<>();
    ByteBuffer base = ByteBuffer.allocate(N * 12).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer query = ByteBuffer.allocate(N * 12).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < N; i++) {
      corpus.add("{\"_id\":\"d" + i + "\",\"title\":\"\",\"text\":\"doc " + i + "\"}");
      queries.add("{\"_id\":\"q" + i + "\",\"text\":\"query " + i + "\"}");
      qrels.add("q" + i + "\td" + i + "\t1");
      docIds.add("d" + i);
      queryIds.add("q" + i);
      double a = rnd.nextDouble() * 2 * Math.PI;
      double b = a + (rnd.nextDouble() - 0.5) * 0.4;
      base.putInt(2).putFloat((float) Math.cos(a)).putFloat((float) Math.sin(a));
      query.putInt(2).putFloat((float) Math.cos(b)).putFloat((float) Math.sin(b));
    }
    Files.write(d.resolve("corpus.jsonl"), corpus);
    Files.write(d.resolve("queries.jsonl"), queries);
    Files.write(d.resolve("qrels").resolve("test.tsv"), qrels);
    Files.write(d.resolve("base.fvecs"), base.array());
    Files.write(d.resolve("query.fvecs"), query.array());
    Files.write(d.resolve("base_doc_ids.txt"), docIds);
    Files.write(d.resolve("query_ids.txt"), queryIds);
  }

  @Test
  void printsTheSeedAndOneRowPerAlpha() throws Exception {
    Path set = dir.resolve("angles");
    writeSet(set, new Random(7));
    StringWriter out = new StringWriter();
    CommandLine cmd = new CommandLine(new ConformalBenchCommand());
    cmd.setOut(new PrintWriter(out));
    int code = cmd.execute(set.toString(), "--seed", "5", "--splits", "3", "--alpha", "0.1,0.2", "--limit", "60");
    assertThat(code).as(out.toString()).isZero();
    String text = out.toString();
    assertThat(text).contains("60 judged queries, 60 (query, relevant) pairs").contains("seed 5 (--seed 5 reproduces)")
        .contains("3 splits of 30 calibration / 30 test queries");
    List<String> rows = text.lines().filter(l -> l.startsWith("0.1 ") || l.startsWith("0.2 ")).toList();
    assertThat(rows).hasSize(2);
    for (String row : rows) {
      double coverage = Double.parseDouble(row.trim().split("\\s+")[2]);
      assertThat(coverage).as(row).isBetween(0.5, 1.0);
    }
  }
}
