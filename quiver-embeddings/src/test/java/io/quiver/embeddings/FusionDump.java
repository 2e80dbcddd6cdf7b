package io.quiver.embeddings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.text.CorpusStats;
import io.quiver.text.QdrantBm25;
import io.quiver.text.QuiverBm25;
import io.quiver.text.TermWeights;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/** Writes encoded texts of a BEIR folder for an offline fusion harness (by hand, -Dquiver.dump=DIR:OUT). */
@EnabledIfSystemProperty(named = "quiver.dump", matches = ".+")
class FusionDump {
  @Test
  void dump() throws IOException {
    String[] a = System.getProperty("quiver.dump").split(":");
    Path dir = Path.of(a[0]);
    Path out = Path.of(a[1]);
    Files.createDirectories(out);
    ObjectMapper m = new ObjectMapper();
    List<String> ids = new ArrayList<>();
    List<String> docs = new ArrayList<>();
    for (String line : Files.readAllLines(dir.resolve("corpus.jsonl"))) {
      if (!line.isBlank()) {
        JsonNode n = m.readTree(line);
        ids.add(n.get("_id").asText());
        docs.add(n.path("title").asText("") + " " + n.path("text").asText(""));
      }
    }
    List<String> qids = new ArrayList<>();
    List<String> queries = new ArrayList<>();
    for (String line : Files.readAllLines(dir.resolve("queries.jsonl"))) {
      if (!line.isBlank()) {
        JsonNode n = m.readTree(line);
        qids.add(n.get("_id").asText());
        queries.add(n.path("text").asText(""));
      }
    }
    Files.write(out.resolve("doc_ids.txt"), ids);
    Files.write(out.resolve("query_ids.txt"), qids);
    QdrantBm25 q = QdrantBm25.withDefaults();
    sparse(out.resolve("docs_qdrant.txt"), docs.stream().map(q::encodeDocument).toList());
    sparse(out.resolve("queries_qdrant.txt"), queries.stream().map(q::encodeQuery).toList());
    double avg;
    try (QuiverBm25 probe = new QuiverBm25(QuiverBm25.Config.DEFAULTS, CorpusStats.fixed(1))) {
      avg = docs.stream().mapToInt(probe::documentLength).average().orElse(1);
    }
    try (QuiverBm25 e = new QuiverBm25(QuiverBm25.Config.DEFAULTS, CorpusStats.fixed(avg))) {
      sparse(out.resolve("docs_quiver.txt"), docs.stream().map(e::encodeDocument).toList());
      sparse(out.resolve("queries_quiver.txt"), queries.stream().map(e::encodeQuery).toList());
    }
    AllMiniLmL6V2 model = new AllMiniLmL6V2();
    fvecs(out.resolve("queries_dense256.fvecs"), model.embed(queries));
    long t0 = System.nanoTime();
    fvecs(out.resolve("docs_dense256.fvecs"), model.embed(docs));
    System.out.printf("%d docs in %.1f s%n", docs.size(), (System.nanoTime() - t0) / 1e9);
  }

  private static void sparse(Path p, List<TermWeights> ws) throws IOException {
    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(p))) {
      for (TermWeights t : ws) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < t.size(); i++) {
          sb.append(i == 0 ? "" : " ").append(t.index(i)).append(':').append(t.value(i));
        }
        w.println(sb);
      }
    }
  }

  private static void fvecs(Path p, List<float[]> vs) throws IOException {
    try (DataOutputStream o = new DataOutputStream(Files.newOutputStream(p))) {
      for (float[] v : vs) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(v.length);
        for (float x : v) {
          b.putFloat(x);
        }
        o.write(b.array());
      }
    }
  }
}
