package io.quiver.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.cli.QuiverCli;
import io.quiver.dataset.Texmex;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BenchCommandTest {

  @TempDir
  Path dir;

  @Test
  void benchOnFilesWritesOneJsonLinePerSettingWithTheDocumentedFields() throws Exception {
    Random rnd = new Random(7);
    float[][] base = new float[800][16];
    float[][] queries = new float[30][16];
    for (float[][] set : List.of(base, queries)) {
      for (float[] v : set) {
        for (int i = 0; i < v.length; i++) {
          v[i] = (float) rnd.nextGaussian();
        }
      }
    }
    Texmex.writeFvecs(dir.resolve("base.fvecs"), base);
    Texmex.writeFvecs(dir.resolve("query.fvecs"), queries);
    Path json = dir.resolve("out.jsonl");
    Path md = dir.resolve("out.md");
    int code = new CommandLine(new QuiverCli()).execute("bench", "--base", dir.resolve("base.fvecs").toString(),
        "--query", dir.resolve("query.fvecs").toString(), "--metric", "cosine", "--index", "hnsw,flat",
        "--ef", "10,50", "--k", "5", "--threads", "2", "--runs", "1", "--warmup", "0", "--json", json.toString(),
        "--markdown", md.toString());
    assertThat(code).isZero();
    List<String> lines = Files.readAllLines(json);
    assertThat(lines).hasSize(3); // hnsw at two ef values, flat once
    ObjectMapper mapper = new ObjectMapper();
    for (String line : lines) {
      JsonNode o = mapper.readTree(line);
      for (String field : List.of("index", "params", "recall", "qps", "p50_ms", "p99_ms", "build_s", "ram_bytes")) {
        assertThat(o.has(field)).as("field %s in %s", field, line).isTrue();
      }
      assertThat(o.get("qps").asDouble()).isPositive();
      assertThat(o.get("metric").asText()).isEqualTo("cosine");
    }
    JsonNode flat = mapper.readTree(lines.get(2));
    assertThat(flat.get("index").asText()).isEqualTo("quiver-flat");
    assertThat(flat.get("recall").asDouble()).isEqualTo(1.0); // ground truth computed by exact search
    JsonNode wide = mapper.readTree(lines.get(1));
    assertThat(wide.get("params").get("ef").asInt()).isEqualTo(50);
    assertThat(wide.get("recall").asDouble()).isGreaterThan(0.9);
    assertThat(Files.readString(md)).contains("| quiver-hnsw | 50 |");
  }

  @Test
  void syntheticDataHonoursTheQueryCount() throws Exception {
    Path json = dir.resolve("synthetic.jsonl");
    int code = new CommandLine(new QuiverCli()).execute("bench", "--synthetic", "500", "--dim", "8", "--queries", "50",
        "--index", "flat", "--runs", "1", "--warmup", "0", "--json", json.toString());
    assertThat(code).isZero();
    JsonNode row = new ObjectMapper().readTree(Files.readAllLines(json).getFirst());
    assertThat(row.get("queries").asInt()).isEqualTo(50);
    assertThat(row.get("n").asInt()).isEqualTo(500);
  }

  @Test
  void badArgumentsFailWithAMessage() {
    CommandLine cli = new CommandLine(new QuiverCli());
    java.io.StringWriter err = new java.io.StringWriter();
    cli.setErr(new java.io.PrintWriter(err));
    int code = cli.execute("bench", "--synthetic", "500", "--index", "nope");
    assertThat(code).isNotZero();
    code = cli.execute("bench", "--synthetic", "500", "--k", "0");
    assertThat(code).isNotZero();
  }

  @Test
  void recallCountsOnlyRealGroundTruthEntries() {
    assertThat(BenchCommand.recall(new int[] {1, 2, 3}, new int[] {1, 2, 9}, 3)).isEqualTo(2 / 3.0);
    assertThat(BenchCommand.recall(new int[] {4}, new int[] {4, -1, -1}, 3)).isEqualTo(1.0);
    assertThat(BenchCommand.recall(new int[] {}, new int[] {-1}, 3)).isEqualTo(1.0);
  }
}
