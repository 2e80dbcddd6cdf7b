package io.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.text.Bm25OptionsJson;
import io.quiver.text.CorpusStats;
import io.quiver.text.QdrantBm25;
import io.quiver.text.QuiverBm25;
import io.quiver.text.TermWeights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Qdrant's {@code Document} in upserts, queries and prefetches, encoded by qdrant/bm25 and quiver/bm25. */
class DocumentEndpointsTest {
  @TempDir Path dir;

  /** A fresh seed per test, printed; {@code -Dtests.seed=N} replays one. */
  private static Random random() {
    long seed = Long.getLong("tests.seed", new Random().nextLong());
    System.out.println("DocumentEndpointsTest seed " + seed + " (replay with -Dtests.seed=" + seed + ")");
    return new Random(seed);
  }

  private static final String CREATE = "{\"vectors\":{\"dense\":{\"size\":2,\"distance\":\"Cosine\"}},"
      + "\"sparse_vectors\":{\"bm25\":{\"modifier\":\"idf\"},\"ours\":{\"modifier\":\"idf\"}}}";
  private static final String[] WORDS = {"retrieval", "sparse", "vectors", "running", "dogs", "the", "of", "Quiver",
      "BM25", "fusion", "rank", "ranking", "documents", "queries", "stemmed", "words", "cat's", "U.S.A.", "naïve"};

  private static String text(Random r) {
    StringBuilder sb = new StringBuilder();
    int n = 1 + r.nextInt(25);
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : r.nextBoolean() ? " " : ", ").append(WORDS[r.nextInt(WORDS.length)]);
    }
    return sb.toString();
  }

  private static ObjectNode doc(String text, String model) {
    ObjectNode d = ServerHarness.JSON.createObjectNode();
    d.put("text", text);
    d.put("model", model);
    return d;
  }

  private static TermWeights weights(JsonNode v) {
    int[] idx = new int[v.get("indices").size()];
    float[] val = new float[idx.length];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = (int) v.get("indices").get(i).asLong();
      val[i] = v.get("values").get(i).floatValue();
    }
    // the collection returns its stored order; TermWeights wants ascending unsigned ids
    Integer[] order = new Integer[idx.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Integer.compareUnsigned(idx[a], idx[b]));
    int[] si = new int[idx.length];
    float[] sv = new float[idx.length];
    for (int i = 0; i < order.length; i++) {
      si[i] = idx[order[i]];
      sv[i] = val[order[i]];
    }
    return new TermWeights(si, sv);
  }

  private static ObjectNode sparseJson(TermWeights w) {
    ObjectNode o = ServerHarness.JSON.createObjectNode();
    ArrayNode idx = o.putArray("indices");
    ArrayNode val = o.putArray("values");
    for (int i = 0; i < w.size(); i++) {
      idx.add(w.index(i));
      val.add(w.value(i));
    }
    return o;
  }

  private static Map<Integer, TermWeights> stored(ServerHarness s, String field, int n) throws Exception {
    Map<Integer, TermWeights> out = new HashMap<>();
    JsonNode pts = s.ok("POST", "/collections/c/points/scroll",
        "{\"limit\":" + n + ",\"with_vector\":[\"" + field + "\"]}").get("points");
    for (JsonNode p : pts) {
      JsonNode v = p.get("vector").get(field);
      if (v != null) {
        out.put(p.get("id").asInt(), weights(v));
      }
    }
    return out;
  }

  private static List<String> ranked(JsonNode points) {
    List<String> out = new ArrayList<>();
    points.forEach(p -> out.add(p.get("id").asInt() + ":" + p.get("score").floatValue()));
    return out;
  }

  @Test
  void qdrantBm25VectorsEqualTheEncodersAndQueriesMatchSparseQueries() throws Exception {
    Random r = random();
    QdrantBm25 enc = QdrantBm25.withDefaults();
    try (ServerHarness s = new ServerHarness(dir)) {
      s.ok("PUT", "/collections/c", CREATE);
      Map<Integer, String> texts = new LinkedHashMap<>();
      ObjectNode body = ServerHarness.JSON.createObjectNode();
      ArrayNode points = body.putArray("points");
      for (int id = 0; id < 30; id++) {
        String t = text(r);
        texts.put(id, t);
        ObjectNode p = points.addObject().put("id", id);
        ObjectNode v = p.putObject("vector");
        v.putArray("dense").add(r.nextFloat()).add(r.nextFloat() + 0.01f);
        v.set("bm25", doc(t, id % 2 == 0 ? "qdrant/bm25" : "Qdrant/BM25"));
      }
      s.ok("PUT", "/collections/c/points?wait=true", body.toString());
      // the batch form, with options: avg_len 10
      ObjectNode batch = ServerHarness.JSON.createObjectNode();
      ObjectNode b = batch.putObject("batch");
      ArrayNode ids = b.putArray("ids");
      ArrayNode dense = b.putObject("vectors").putArray("dense");
      ArrayNode docs = ((ObjectNode) b.get("vectors")).putArray("bm25");
      JsonNode options = ServerHarness.JSON.readTree("{\"avg_len\":10}");
      QdrantBm25 enc10 = new QdrantBm25(Bm25OptionsJson.parse(options, "o"));
      for (int id = 30; id < 40; id++) {
        String t = text(r);
        texts.put(id, t);
        ids.add(id);
        dense.addArray().add(1).add(r.nextFloat());
        docs.add(doc(t, "qdrant/bm25").set("options", options));
      }
      s.ok("PUT", "/collections/c/points?wait=true", batch.toString());

      Map<Integer, TermWeights> got = stored(s, "bm25", 100);
      texts.forEach((id, t) -> {
        TermWeights want = (id < 30 ? enc : enc10).encodeDocument(t);
        assertThat(got.getOrDefault(id, TermWeights.EMPTY)).as("point %s: %s", id, t).isEqualTo(want);
      });

      for (int q = 0; q < 10; q++) {
        String qt = text(r);
        TermWeights qw = enc.encodeQuery(qt);
        String direct = s.ok("POST", "/collections/c/points/query", "{\"query\":" + sparseJson(qw)
            + ",\"using\":\"bm25\",\"limit\":10}").get("points").toString();
        JsonNode byDoc = s.ok("POST", "/collections/c/points/query", "{\"query\":" + doc(qt, "qdrant/bm25")
            + ",\"using\":\"bm25\",\"limit\":10}").get("points");
        JsonNode byNearest = s.ok("POST", "/collections/c/points/query", "{\"query\":{\"nearest\":"
            + doc(qt, "qdrant/bm25") + "},\"using\":\"bm25\",\"limit\":10}").get("points");
        assertThat(ranked(byDoc)).as(qt).isEqualTo(ranked(ServerHarness.JSON.readTree(direct)));
        assertThat(ranked(byNearest)).isEqualTo(ranked(byDoc));
      }
    }
  }

  @Test
  void prefetchFusesADenseQueryAndADocumentQuery() throws Exception {
    Random r = random();
    try (ServerHarness s = new ServerHarness(dir)) {
      s.ok("PUT", "/collections/c", CREATE);
      ObjectNode body = ServerHarness.JSON.createObjectNode();
      ArrayNode points = body.putArray("points");
      for (int id = 0; id < 50; id++) {
        ObjectNode v = points.addObject().put("id", id).putObject("vector");
        v.putArray("dense").add(r.nextFloat() - 0.5f).add(r.nextFloat() - 0.5f);
        v.set("bm25", doc(text(r), "qdrant/bm25"));
      }
      s.ok("PUT", "/collections/c/points?wait=true", body.toString());
      for (int q = 0; q < 5; q++) {
        String dq = "[" + (r.nextFloat() - 0.5f) + "," + (r.nextFloat() - 0.5f) + "]";
        String tq = doc(text(r), "qdrant/bm25").toString();
        JsonNode dense = s.ok("POST", "/collections/c/points/query",
            "{\"query\":" + dq + ",\"using\":\"dense\",\"limit\":20}").get("points");
        JsonNode sparse = s.ok("POST", "/collections/c/points/query",
            "{\"query\":" + tq + ",\"using\":\"bm25\",\"limit\":20}").get("points");
        Map<Integer, Float> want = new LinkedHashMap<>();
        for (JsonNode list : List.of(dense, sparse)) {
          for (int pos = 0; pos < list.size(); pos++) {
            want.merge(list.get(pos).get("id").asInt(), 1f / (pos + 2), Float::sum); // Qdrant's k = 2
          }
        }
        JsonNode fused = s.ok("POST", "/collections/c/points/query", "{\"prefetch\":["
            + "{\"query\":" + dq + ",\"using\":\"dense\",\"limit\":20},"
            + "{\"query\":{\"nearest\":" + tq + "},\"using\":\"bm25\",\"limit\":20}],"
            + "\"query\":{\"fusion\":\"rrf\"},\"limit\":10}").get("points");
        assertThat(fused.size()).isEqualTo(Math.min(10, want.size()));
        for (JsonNode p : fused) {
          assertThat(p.get("score").floatValue()).isEqualTo(want.get(p.get("id").asInt()));
        }
        float best = want.values().stream().max(Float::compare).orElseThrow();
        assertThat(fused.get(0).get("score").floatValue()).isEqualTo(best);
      }
    }
  }

  @Test
  void quiverBm25NormalisesByTheFieldsLiveMeanLength() throws Exception {
    Random r = random();
    try (ServerHarness s = new ServerHarness(dir);
        QuiverBm25 lengths = new QuiverBm25(QuiverBm25.Config.DEFAULTS, CorpusStats.fixed(1))) {
      s.ok("PUT", "/collections/c", CREATE);
      Map<Integer, String> live = new LinkedHashMap<>();
      for (int round = 0; round < 4; round++) {
        ObjectNode body = ServerHarness.JSON.createObjectNode();
        ArrayNode points = body.putArray("points");
        Map<Integer, String> batch = new LinkedHashMap<>();
        for (int i = 0; i < 8; i++) {
          int id = r.nextInt(20); // overwrites earlier points now and then
          String t = "unique " + text(r);
          batch.put(id, t);
        }
        batch.forEach((id, t) -> points.addObject().put("id", id).putObject("vector").set("ours",
            doc(t, "quiver/bm25")));
        if (round == 2) { // a delete forgets the figures; the next upsert reads them back from the vectors
          int gone = live.keySet().iterator().next();
          s.ok("POST", "/collections/c/points/delete?wait=true", "{\"points\":[" + gone + "]}");
          live.remove(gone);
        }
        s.ok("PUT", "/collections/c/points?wait=true", body.toString());
        live.putAll(batch);
        double mean = live.values().stream().mapToInt(lengths::documentLength).sum() / (double) live.size();
        Map<Integer, TermWeights> got = stored(s, "ours", 100);
        try (QuiverBm25 want = new QuiverBm25(QuiverBm25.Config.DEFAULTS, CorpusStats.fixed(mean))) {
          batch.forEach((id, t) -> assertThat(got.get(id)).as("point %s: %s at mean %s", id, t, mean)
              .isEqualTo(want.encodeDocument(t)));
        }
      }
      // a query by quiver/bm25 document equals the query by its encoded vector
      String qt = text(r);
      try (QuiverBm25 q = new QuiverBm25(QuiverBm25.Config.DEFAULTS, CorpusStats.fixed(0))) {
        assertThat(ranked(s.ok("POST", "/collections/c/points/query", "{\"query\":" + doc(qt, "Quiver/BM25")
            + ",\"using\":\"ours\"}").get("points"))).isEqualTo(ranked(s.ok("POST", "/collections/c/points/query",
            "{\"query\":" + sparseJson(q.encodeQuery(qt)) + ",\"using\":\"ours\"}").get("points")));
      }
    }
  }

  @Test
  void badDocumentsAre400sNamingThePathAndChangeNothing() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      s.ok("PUT", "/collections/c", CREATE);
      s.ok("PUT", "/collections/c/points?wait=true", "{\"points\":[{\"id\":1,\"vector\":{\"dense\":[1,0],"
          + "\"bm25\":{\"text\":\"a dog\",\"model\":\"qdrant/bm25\"}}}]}");
      String ok = "{\"id\":2,\"vector\":{\"bm25\":{\"text\":\"cats\",\"model\":\"qdrant/bm25\"}}}";
      Map<String, String> cases = new LinkedHashMap<>();
      cases.put("{\"points\":[" + ok + ",{\"id\":3,\"vector\":{\"dense\":{\"text\":\"x\",\"model\":\"qdrant/bm25\"}}}]}",
          "body.points[1].vector.dense.model: 'qdrant/bm25' is a sparse model and 'dense' is a dense vector field");
      cases.put("{\"points\":[" + ok + ",{\"id\":3,\"vector\":{\"text\":\"x\",\"model\":\"qdrant/bm25\"}}]}",
          "body.points[1].vector: a Document of a sparse model");
      cases.put("{\"points\":[" + ok + ",{\"id\":3,\"vector\":{\"bm25\":{\"text\":\"x\",\"model\":\"bert\"}}}]}",
          "body.points[1].vector.bm25.model: unknown sparse model 'bert'");
      cases.put("{\"points\":[" + ok + ",{\"id\":3,\"vector\":{\"bm25\":{\"text\":\"x\",\"model\":\"qdrant/bm25\","
          + "\"options\":{\"k\":\"big\"}}}}]}", "body.points[1].vector.bm25.options.k: must be a number");
      cases.put("{\"points\":[" + ok + ",{\"id\":3,\"vector\":{\"ours\":{\"text\":\"x\",\"model\":\"quiver/bm25\","
          + "\"options\":{\"tokenizer\":\"word\"}}}}]}", "body.points[1].vector.ours.options.tokenizer");
      cases.put("{\"points\":[" + ok + ",{\"id\":3,\"vector\":{\"bm25\":{\"model\":\"qdrant/bm25\"}}}]}",
          "body.points[1].vector.bm25.text: required");
      cases.put("{\"batch\":{\"ids\":[2,3],\"vectors\":{\"bm25\":[{\"text\":\"a\",\"model\":\"qdrant/bm25\"},"
          + "{\"text\":\"b\",\"model\":\"x/y\"}]}}}", "body.batch.vectors.bm25[1].model");
      cases.put("{\"batch\":{\"ids\":[2],\"vectors\":[{\"text\":\"a\",\"model\":\"qdrant/bm25\"}]}}",
          "body.batch.vectors[0]: a Document of a sparse model");
      for (Map.Entry<String, String> e : cases.entrySet()) {
        assertThat(s.error("PUT", "/collections/c/points?wait=true", e.getKey(), 400)).as(e.getKey())
            .contains(e.getValue());
        assertThat(s.ok("POST", "/collections/c/points/count", "{}").get("count").asInt()).isEqualTo(1);
      }
      String d = "{\"text\":\"dog\",\"model\":\"qdrant/bm25\"}";
      assertThat(s.error("POST", "/collections/c/points/query", "{\"query\":" + d + ",\"using\":\"dense\"}", 400))
          .contains("body.query.model: 'qdrant/bm25' is a sparse model and 'dense' is a dense vector field");
      assertThat(s.error("POST", "/collections/c/points/query", "{\"query\":{\"nearest\":" + d + "}}", 400))
          .contains("body.query.nearest: a Document of a sparse model");
      assertThat(s.error("POST", "/collections/c/points/query", "{\"prefetch\":[{\"query\":[1,0],\"using\":\"dense\"},"
          + "{\"query\":{\"text\":\"dog\",\"model\":\"nope\"},\"using\":\"bm25\"}],\"query\":{\"fusion\":\"rrf\"}}",
          400)).contains("body.prefetch[1].query.model: unknown sparse model 'nope'");
      assertThat(s.ok("POST", "/collections/c/points/query", "{\"query\":" + d + ",\"using\":\"bm25\"}")
          .get("points").get(0).get("id").asInt()).isEqualTo(1);
    }
  }

  @Test
  void sciFactTextsEncodeAsQdrantBm25Does() throws Exception {
    Path set = Path.of("/work/shared/datasets/scifact-minilm-384-cosine");
    assumeTrue(Files.isDirectory(set), "skipping: the shared SciFact set is not at " + set);
    List<String> texts = new ArrayList<>();
    for (String line : Files.readAllLines(set.resolve("corpus.jsonl")).subList(0, 400)) {
      JsonNode n = ServerHarness.JSON.readTree(line);
      texts.add(n.path("title").asText("") + " " + n.path("text").asText(""));
    }
    List<String> queries = new ArrayList<>();
    for (String line : Files.readAllLines(set.resolve("queries.jsonl")).subList(0, 100)) {
      queries.add(ServerHarness.JSON.readTree(line).path("text").asText(""));
    }
    QdrantBm25 enc = QdrantBm25.withDefaults();
    try (ServerHarness s = new ServerHarness(dir)) {
      s.ok("PUT", "/collections/c", CREATE);
      ObjectNode body = ServerHarness.JSON.createObjectNode();
      ArrayNode points = body.putArray("points");
      for (int i = 0; i < texts.size(); i++) {
        points.addObject().put("id", i).putObject("vector").set("bm25", doc(texts.get(i), "qdrant/bm25"));
      }
      s.ok("PUT", "/collections/c/points?wait=true", body.toString());
      Map<Integer, TermWeights> got = stored(s, "bm25", texts.size());
      for (int i = 0; i < texts.size(); i++) {
        assertThat(got.get(i)).as("document %s", i).isEqualTo(enc.encodeDocument(texts.get(i)));
      }
      for (String q : queries) {
        assertThat(ranked(s.ok("POST", "/collections/c/points/query", "{\"query\":" + doc(q, "qdrant/bm25")
            + ",\"using\":\"bm25\",\"limit\":20}").get("points"))).as(q).isEqualTo(ranked(s.ok("POST",
            "/collections/c/points/query", "{\"query\":" + sparseJson(enc.encodeQuery(q))
            + ",\"using\":\"bm25\",\"limit\":20}").get("points")));
      }
    }
  }

  @Test
  void quiverBm25MeanIsReadBackFromStoredVectorsAfterARestart() throws Exception {
    Random r = random();
    List<String> texts = new ArrayList<>();
    try (QuiverBm25 lengths = new QuiverBm25(QuiverBm25.Config.DEFAULTS, CorpusStats.fixed(1))) {
      try (ServerHarness s = new ServerHarness(dir)) {
        s.ok("PUT", "/collections/c", CREATE);
        ObjectNode body = ServerHarness.JSON.createObjectNode();
        ArrayNode points = body.putArray("points");
        for (int i = 0; i < 20; i++) {
          texts.add("unique " + text(r));
          points.addObject().put("id", i).putObject("vector").set("ours", doc(texts.get(i), "quiver/bm25"));
        }
        s.ok("PUT", "/collections/c/points?wait=true", body.toString());
        s.db.collection("c").flush();
      }
      try (ServerHarness s = new ServerHarness(dir)) {
        String t = "unique " + text(r);
        texts.add(t);
        s.ok("PUT", "/collections/c/points?wait=true", "{\"points\":[{\"id\":99,\"vector\":{\"ours\":"
            + doc(t, "quiver/bm25") + "}}]}");
        double mean = texts.stream().mapToInt(lengths::documentLength).sum() / (double) texts.size();
        try (QuiverBm25 want = new QuiverBm25(QuiverBm25.Config.DEFAULTS, CorpusStats.fixed(mean))) {
          assertThat(stored(s, "ours", 100).get(99)).as("mean %s", mean).isEqualTo(want.encodeDocument(t));
        }
      }
    }
  }
}
